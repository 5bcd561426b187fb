import { ProviderError, RouteLLMError } from '../errors.js';

/** The error of a request the caller aborted (not a provider failure: never retried or fallen back from). */
export class RequestAbortedError extends RouteLLMError {
  constructor(options: { cause?: unknown } = {}) {
    super('The request was aborted.', { code: 'request_aborted', ...options });
  }
}

/**
 * Converts what an SDK threw into `ProviderError` (with the HTTP status when the upstream answered)
 * or `RequestAbortedError` when the caller's signal aborted it. routellm errors pass through.
 */
export function toProviderError(provider: string, error: unknown, signal?: AbortSignal): RouteLLMError {
  if (RouteLLMError.isInstance(error)) return error;
  const name = (error as { name?: string } | null)?.name;
  if (signal?.aborted || name === 'APIUserAbortError' || name === 'AbortError') return new RequestAbortedError({ cause: error });
  const status = (error as { status?: unknown } | null)?.status;
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'APIConnectionTimeoutError') {
    return new ProviderError(provider, `request timed out (${message})`, undefined, { cause: error, kind: 'timeout' });
  }
  // A body that claims JSON but does not parse (the SDK's own JSON.parse threw).
  const kind = error instanceof SyntaxError ? 'malformed' : undefined;
  return new ProviderError(provider, message || 'request failed', typeof status === 'number' ? status : undefined, {
    cause: error,
    kind,
  });
}

/**
 * True for failures worth sending to the other model: no answer (connection error, timeout), a
 * reply that is not a chat completion or a stream cut short or gone quiet, or an upstream status
 * 408, 409, 429 or >= 500. A 4xx about the request itself would fail there too.
 */
export function isRetryableProviderError(error: unknown): boolean {
  if (!ProviderError.isInstance(error)) return false;
  if (error.kind !== 'status') return true;
  const status = error.status!;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
