/**
 * The error family of routellm. Every error the library throws on purpose is a
 * `RouteLLMError`; each subclass carries the fields a caller needs to react.
 * `X.isInstance(error)` works across copies of the library (two installs, ESM beside CJS): every
 * class brands its errors with a `Symbol.for` key of its own name, checked instead of the prototype.
 */
const BRAND = Symbol.for('routellm.error');

/** The brand of errors of the class named `name` (and of its subclasses). */
function brandOf(name: string): symbol {
  return Symbol.for(`routellm.error.${name}`);
}

/** Base class of every error routellm throws on purpose. */
export class RouteLLMError extends Error {
  readonly [BRAND] = true;
  /** A stable machine-readable code, e.g. `unknown_router`. */
  readonly code: string;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'routellm_error';
    for (let type: unknown = new.target; typeof type === 'function' && type !== RouteLLMError; type = Object.getPrototypeOf(type)) {
      Object.defineProperty(this, brandOf((type as { name: string }).name), { value: true });
    }
  }

  /**
   * True when `value` is an error of this class or a subclass, also one thrown by another copy of
   * the library: `RouteLLMError.isInstance(e)` for any routellm error, `WeightsError.isInstance(e)`
   * for weights errors, and so on.
   */
  static isInstance<T extends abstract new (...args: never[]) => RouteLLMError>(this: T, value: unknown): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null) return false;
    const brand = this === (RouteLLMError as unknown) ? BRAND : brandOf(this.name);
    return (value as Record<symbol, unknown>)[brand] === true;
  }
}

/** A router name that is not in the registry. */
export class UnknownRouterError extends RouteLLMError {
  constructor(
    readonly router: string,
    readonly available: readonly string[],
  ) {
    super(`Unknown router "${router}". Valid routers: ${available.join(', ')}.`, { code: 'unknown_router' });
  }
}

/** A threshold that is not a finite number in [0, 1]. */
export class InvalidThresholdError extends RouteLLMError {
  constructor(readonly threshold: unknown) {
    super(`Invalid threshold ${formatValue(threshold)}: expected a finite number in [0, 1].`, {
      code: 'invalid_threshold',
    });
  }
}

/** A model string that does not parse as `router-<name>-<threshold>`. */
export class InvalidModelStringError extends RouteLLMError {
  constructor(
    readonly model: string,
    readonly reason: string,
    expected = '"router-<router name>-<threshold>", e.g. "router-mf-0.116"',
  ) {
    super(
      `Invalid model string "${model}": ${reason}. Expected ${expected}.`,
      { code: 'invalid_model_string' },
    );
  }
}

/** Options that fail their schema, or other invalid input to a public function. */
export class InvalidOptionsError extends RouteLLMError {
  constructor(
    readonly subject: string,
    readonly details: string,
  ) {
    super(`Invalid ${subject}:\n${details}`, { code: 'invalid_options' });
  }
}

/** Input (a prompt, a messages array, a data row) that the library cannot use. */
export class InvalidInputError extends RouteLLMError {
  constructor(
    readonly input: string,
    readonly expected: string,
    options: { cause?: unknown } = {},
  ) {
    super(`Invalid ${input}: expected ${expected}.`, { code: 'invalid_input', ...options });
  }
}

/** Why a weights folder could not be used. */
export type WeightsProblem = 'missing' | 'corrupt' | 'mismatch';

/** Weights that are missing, corrupt, or made for another embedder or model list. */
export class WeightsError extends RouteLLMError {
  constructor(
    readonly problem: WeightsProblem,
    readonly path: string,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(`Weights ${problem} at ${path}: ${detail}`, { code: `weights_${problem}`, ...options });
  }
}

/** A model name that a router's weights do not know. */
export class UnknownModelError extends RouteLLMError {
  constructor(
    readonly model: string,
    readonly available: readonly string[],
  ) {
    super(`Unknown model "${model}". Available models: ${available.join(', ')}.`, { code: 'unknown_model' });
  }
}

/** An optional peer package that a part of routellm needs is not installed (e.g. `ai` for `routellm/ai-sdk`). */
export class MissingPeerDependencyError extends RouteLLMError {
  constructor(
    /** The npm package to install. */
    readonly packageName: string,
    /** What needs it, e.g. `routellm/ai-sdk`. */
    readonly neededBy: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${neededBy} needs the package "${packageName}", which is not installed: npm install ${packageName}`, {
      code: 'missing_peer_dependency',
      ...options,
    });
  }
}

/** A tensor backend that was asked for but cannot be used. */
export class BackendError extends RouteLLMError {
  constructor(
    readonly backend: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { code: 'backend_unavailable', ...options });
  }
}

/**
 * What went wrong upstream: an error `status`, no answer (`connection`, `timeout`), a reply that
 * is not a chat completion (`malformed`), a stream that ended before its finish reason
 * (`truncated`) or went quiet between chunks for longer than allowed (`idle`).
 */
export type ProviderErrorKind = 'status' | 'connection' | 'timeout' | 'malformed' | 'truncated' | 'idle';

/** A failure of an upstream provider (OpenAI, Anthropic, an OpenAI-compatible server, an embedding API). */
export class ProviderError extends RouteLLMError {
  /** What went wrong; default `status` when the upstream answered with one, else `connection`. */
  readonly kind: ProviderErrorKind;

  constructor(
    readonly provider: string,
    message: string,
    readonly status?: number,
    options: { cause?: unknown; kind?: ProviderErrorKind } = {},
  ) {
    const { kind, ...rest } = options;
    super(`${provider}: ${message}`, { code: 'provider_error', ...rest });
    this.kind = kind ?? (status === undefined ? 'connection' : 'status');
  }
}

/** One model's failed attempt at a call that fell back (`FallbackFailedError.attempts`). */
export interface FailedAttempt {
  /** The model, as the routing record names it (an AI SDK model's `modelId`, or its name among N models). */
  model: string;
  /** The model's provider, e.g. `openai.chat`. */
  provider: string;
  /** What the attempt threw or its stream reported, as it was (e.g. the AI SDK's `APICallError`). */
  error: unknown;
}

/**
 * A call that fell back and still failed: the chosen model failed, and so did every model it fell
 * back to (or the first one whose failure is not worth another model, e.g. a 400). `attempts`
 * holds each model's error in the order tried; `cause` is the last one.
 */
export class FallbackFailedError extends RouteLLMError {
  constructor(readonly attempts: readonly FailedAttempt[]) {
    const lines = attempts.map((attempt) => `${attempt.model} (${attempt.provider}): ${errorText(attempt.error)}`);
    super(`The call failed on each of the ${attempts.length} models tried:\n${lines.join('\n')}`, {
      code: 'fallback_failed',
      cause: attempts.at(-1)?.error,
    });
  }
}

/** An error's message; a stream's in-band error object (not an Error) as JSON. */
function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return typeof value;
}
