/** Exit codes and error text of the command line (kept free of heavy imports: the dispatcher loads it first). */
import { DataError } from '../data/errors.js';
import { ProviderError, RouteLLMError } from '../errors.js';
import { CliUsageError } from './args.js';

/** Exit code of an error: 2 for usage and input problems (bad flag, file, line, options), 1 otherwise. */
export function exitCodeOf(error: unknown): number {
  if (CliUsageError.isInstance(error) || DataError.isInstance(error)) return 2;
  if (RouteLLMError.isInstance(error)) return ProviderError.isInstance(error) || error.code === 'backend_unavailable' ? 1 : 2;
  return 1;
}

/** The message for an error, without a stack unless `ROUTELLM_DEBUG` is set. */
export function describeError(error: unknown): string {
  if (process.env.ROUTELLM_DEBUG && error instanceof Error && error.stack) return error.stack;
  if (error instanceof Error) return error.message;
  return String(error);
}
