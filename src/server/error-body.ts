import { UnknownCompletionError } from '../controller/feedback.js';
import {
  InvalidInputError,
  InvalidModelStringError,
  InvalidOptionsError,
  InvalidThresholdError,
  ProviderError,
  RouteLLMError,
  UnknownRouterError,
} from '../errors.js';

/** An OpenAI-shaped error body: `{ error: { message, type, param, code } }`. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An error answered to an HTTP client, with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

/** HTTP status and OpenAI error body for anything a handler threw; `redact` scrubs secrets from messages. */
export function errorResponse(error: unknown, redact: (text: string) => string): { status: number; body: OpenAIErrorBody } {
  const body = (status: number, message: string, type: string, code: string | null, param: string | null = null) => ({
    status,
    body: { error: { message: redact(message), type, param, code } },
  });
  if (error instanceof HttpError) return body(error.status, error.message, error.type, error.code, error.param);
  if (UnknownRouterError.isInstance(error)) return body(404, error.message, 'invalid_request_error', 'model_not_found', 'model');
  if (InvalidModelStringError.isInstance(error) || InvalidThresholdError.isInstance(error)) {
    return body(400, error.message, 'invalid_request_error', error.code, 'model');
  }
  if (UnknownCompletionError.isInstance(error)) return body(404, error.message, 'invalid_request_error', error.code, 'id');
  if (InvalidInputError.isInstance(error)) return body(400, error.message, 'invalid_request_error', error.code, error.input);
  if (ProviderError.isInstance(error)) {
    const upstream = error.status === undefined ? '' : ` (upstream status ${error.status})`;
    return body(502, `Upstream provider failed${upstream}: ${error.message}`, 'upstream_error', 'provider_error');
  }
  if (InvalidOptionsError.isInstance(error)) return body(500, error.message, 'server_error', error.code);
  if (RouteLLMError.isInstance(error)) return body(500, error.message, 'server_error', error.code);
  return body(500, 'Internal server error.', 'server_error', null);
}
