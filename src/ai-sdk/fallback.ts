import { FallbackFailedError, ProviderError, type FailedAttempt } from '../errors.js';
import { isRetryableProviderError } from '../providers/errors.js';
import type { RoutingRecord } from '../controller/types.js';
import type { RoutableLanguageModel } from './options.js';

/** A model a call may go to, with the name the routing record gives it. */
export interface Target<Model extends RoutableLanguageModel> {
  name: string;
  model: Model;
}

/** What the record says about a fallback: the chosen model's failure and the model that answered. */
export type FallbackRecord = NonNullable<RoutingRecord['fallback']>;

/** One attempt's outcome: an answer, or a failure with (for streams) what the caller gets if nothing falls back. */
export type Attempted<T> = { ok: true; value: T } | { ok: false; error: unknown; value?: T };

/** A failed attempt with the failure as the Controller classifies it (undefined: not the provider's failure). */
interface Failure extends FailedAttempt {
  failure?: ProviderError;
}

/** The answer of a walk down the chain: the model that answered and, after a fallback, the record. */
export interface Answered<Model extends RoutableLanguageModel, T> {
  target: Target<Model>;
  value: T;
  fallback?: FallbackRecord;
  /** Names of the models that failed, in order (with `fallback`). */
  tried?: string[];
}

/**
 * Calls `targets[0]`, the chosen model; when it fails in a way another model may not (see
 * `providerFailure`: no answer, 408, 409, 429, 5xx, a malformed reply), the next target, each
 * once, until one answers. A first failure that does not fall back is returned (a stream's) or
 * thrown as it was, and so is any failure once the caller's `signal` aborted; a failure after a
 * fallback throws `FallbackFailedError` with every attempt's error. `discard` frees an answer
 * that is not used (a failed stream's rest).
 */
export async function walkChain<Model extends RoutableLanguageModel, T>(
  targets: readonly Target<Model>[],
  signal: AbortSignal | undefined,
  attempt: (target: Target<Model>) => Promise<Attempted<T>>,
  discard: (value: T) => void,
): Promise<Answered<Model, T>> {
  const failed: Failure[] = [];
  for (const [index, target] of targets.entries()) {
    let outcome: Attempted<T>;
    try {
      outcome = await attempt(target);
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (outcome.ok) return failed.length === 0 ? { target, value: outcome.value } : { target, value: outcome.value, ...record(failed, target) };
    const aborted = signal?.aborted === true;
    const failure = aborted ? undefined : providerFailure(target.model.provider, outcome.error);
    const fallsBack = failure !== undefined && isRetryableProviderError(failure) && index < targets.length - 1;
    if (!fallsBack && (failed.length === 0 || aborted)) {
      if (outcome.value !== undefined) return { target, value: outcome.value };
      throw outcome.error;
    }
    if (outcome.value !== undefined) discard(outcome.value);
    failed.push({ model: target.name, provider: target.model.provider, error: outcome.error, failure });
    if (!fallsBack) throw new FallbackFailedError(failed.map(({ model, provider, error }) => ({ model, provider, error })));
  }
  throw new Error('unreachable: the last target either answers or throws');
}

function record<Model extends RoutableLanguageModel>(failed: readonly Failure[], answered: Target<Model>): { fallback: FallbackRecord; tried: string[] } {
  const first = failed[0];
  const fallback: FallbackRecord = { from: first.model, to: answered.name, error: first.failure!.message, kind: first.failure!.kind };
  if (first.failure!.status !== undefined) fallback.status = first.failure!.status;
  return { fallback, tried: failed.map((attempt) => attempt.model) };
}

const marker = (name: string) => Symbol.for(`vercel.ai.error.${name}`);
const API_CALL_ERROR = marker('AI_APICallError');
const MALFORMED = [marker('AI_JSONParseError'), marker('AI_TypeValidationError')];
/** Codes of Node's fetch (undici) and sockets for a connection that failed or was cut. */
const CONNECTION_CODE = /^(UND_ERR_|ECONN|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)/;

/**
 * What an AI SDK model's call threw, or its stream reported before any content, as the
 * Controller's `ProviderError` (so `isRetryableProviderError` decides, as in the Controller):
 * an `APICallError` with its status (`status`), with a 2xx status (a reply that did not parse:
 * `malformed`) or none (`connection`); a chunk that did not parse (`malformed`); a fetch that
 * failed or was cut (`connection`) or timed out on the model's own timer (`timeout`); an error object a provider put in the stream (`connection`,
 * as the Controller treats an in-band error event). Undefined for anything else: an abort, an
 * invalid prompt or setting, a missing API key, a routellm error: those would fail on any model.
 */
export function providerFailure(provider: string, error: unknown): ProviderError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  if (name === 'AbortError') return undefined;
  const marked = (symbol: symbol) => (error as Record<symbol, unknown>)[symbol] === true;
  const message = (error as { message?: unknown }).message;
  const text = typeof message === 'string' && message !== '' ? message : 'request failed';
  if (marked(API_CALL_ERROR)) {
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status !== 'number') return new ProviderError(provider, text, undefined, { cause: error, kind: 'connection' });
    if (status < 300) return new ProviderError(provider, text, undefined, { cause: error, kind: 'malformed' });
    return new ProviderError(provider, text, status, { cause: error, kind: 'status' });
  }
  if (MALFORMED.some(marked)) return new ProviderError(provider, text, undefined, { cause: error, kind: 'malformed' });
  // A fetch timeout of the model's own (the caller's signal did not abort: that is checked first).
  if (name === 'TimeoutError') return new ProviderError(provider, text, undefined, { cause: error, kind: 'timeout' });
  if (error instanceof Error) {
    const code = String((error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code ?? '');
    const cut = error.name === 'TypeError' && /^(fetch failed|terminated)$/.test(error.message);
    return cut || CONNECTION_CODE.test(code) ? new ProviderError(provider, text, undefined, { cause: error, kind: 'connection' }) : undefined;
  }
  // A provider's in-band error event, e.g. Anthropic's { type: 'overloaded_error', message }.
  return new ProviderError(provider, typeof message === 'string' ? text : JSON.stringify(error), undefined, { cause: error, kind: 'connection' });
}
