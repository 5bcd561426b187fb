import { pino, type Logger } from 'pino';
import type { ResolvedHandlerOptions } from './handler-options.js';
import type { RequestRecord } from './request-record.js';

/**
 * The handler's logger: pino JSON lines at `logLevel` to `logDestination` (standard output by
 * default). Only request records and redacted messages are logged, never headers or bodies, so
 * no key or token can reach a line.
 */
export function createRequestLogger(options: ResolvedHandlerOptions): Logger {
  const destination = options.logDestination;
  return pino(
    { level: options.logLevel, base: { name: 'routellm' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ? { write: (line: string) => destination.write(line) } : pino.destination(1),
  );
}

/** Logs one answered request: `info` for answers, `warn` for 4xx, `error` for 5xx and failed streams. */
export function logRequest(logger: Logger, record: RequestRecord): void {
  const { started: _started, ...line } = record;
  const level = record.status >= 500 || record.error?.kind !== undefined ? 'error' : record.status >= 400 ? 'warn' : 'info';
  logger[level](line, 'request');
}
