import { InvalidOptionsError } from '../errors.js';
import { createRouter } from '../routers/registry.js';
import type { Router } from '../routers/types.js';
import { walkChain, type Answered, type Target } from './fallback.js';
import { untilFirstPart, type StreamPart } from './first-part.js';
import type { RoutableLanguageModel } from './options.js';

/** The members of call results and stream parts that routing touches. */
type ProviderMetadata = Record<string, Record<string, unknown>>;
export interface CallOptions {
  prompt: unknown;
  /** The call's provider options; routellm reads its own namespace, `routellm`. */
  providerOptions?: Record<string, Record<string, unknown> | undefined>;
  abortSignal?: AbortSignal;
}
interface GenerateResult {
  providerMetadata?: ProviderMetadata;
  usage?: unknown;
}
interface StreamResult {
  stream: ReadableStream<StreamPart & { providerMetadata?: ProviderMetadata; usage?: unknown }>;
}

/** What a call is routed to: the chosen model first, then the models it falls back to (none with fallback off). */
export interface Routed<Model extends RoutableLanguageModel, Decision> {
  targets: readonly Target<Model>[];
  decision: Decision;
}

/**
 * What the strong/weak and the N-model routed models share: an AI SDK language model (of its
 * models' specification version) that builds its router on first use, chooses one of its models
 * for each call (`choose`), hands the call to it unchanged (then, on a failure another model may
 * not have, to the next of `targets`: `walkChain`) and adds the decision to
 * `providerMetadata.routellm` (on the `finish` part when streaming).
 */
export abstract class DelegatingModel<Model extends RoutableLanguageModel, Decision extends { model: string; provider: string }> {
  readonly specificationVersion: Model['specificationVersion'];
  readonly provider = 'routellm';
  /** The router's name. */
  readonly router: string;
  private routerPromise?: Promise<Router>;

  constructor(
    private readonly source: string | Router,
    private readonly routerOptions: Record<string, unknown>,
    protected readonly routeTurns: number,
    private readonly candidates: readonly Model[],
  ) {
    this.specificationVersion = candidates[0].specificationVersion;
    this.router = typeof source === 'string' ? source : source.name;
  }

  // The SDK reads this before the call (to download file URLs the model cannot fetch), when the
  // choice is not made yet: only URL patterns every model supports are safe to leave as URLs.
  get supportedUrls(): Promise<Record<string, RegExp[]>> {
    return commonSupportedUrls(this.candidates.map((model) => model.supportedUrls));
  }

  async doGenerate(options: CallOptions): Promise<GenerateResult> {
    const { targets, decision } = await this.choose(options);
    const answer = await walkChain(
      targets,
      options?.abortSignal,
      async (target) => ({ ok: true, value: (await target.model.doGenerate(options)) as GenerateResult }),
      () => undefined,
    );
    const reported = this.report(decision, answer);
    this.answered(answer.target.name, answer.value.usage);
    return { ...answer.value, providerMetadata: withDecision(answer.value.providerMetadata, reported) };
  }

  async doStream(options: CallOptions): Promise<StreamResult> {
    const { targets, decision } = await this.choose(options);
    // With a model to fall back to, the stream is handed on once its first part of content is
    // there: a failure before it still goes to the next model, nothing having reached the caller.
    const answer = await walkChain(
      targets,
      options?.abortSignal,
      async (target) => {
        const result = (await target.model.doStream(options)) as StreamResult;
        if (targets.length === 1) return { ok: true, value: result };
        const first = await untilFirstPart(result.stream);
        return first.ok ? { ok: true, value: { ...result, stream: first.value } } : { ...first, value: { ...result, stream: first.value! } };
      },
      (result) => void result.stream.cancel().catch(() => undefined),
    );
    const reported = this.report(decision, answer);
    const stream = answer.value.stream.pipeThrough(
      new TransformStream({
        transform: (part, controller) => {
          if (part.type !== 'finish') return controller.enqueue(part);
          this.answered(answer.target.name, part.usage);
          controller.enqueue({ ...part, providerMetadata: withDecision(part.providerMetadata, reported) });
        },
      }),
    );
    return { ...answer.value, stream };
  }

  /** Builds the router now (otherwise it is built on the first call); rejects if it cannot be built. */
  async ready(): Promise<void> {
    await this.routerInstance();
  }

  /** Disposes a router this model built from a name (a Router instance given to it stays usable). */
  async dispose(): Promise<void> {
    const pending = this.routerPromise;
    this.routerPromise = undefined;
    if (pending && typeof this.source === 'string') await (await pending.catch(() => undefined))?.dispose();
  }

  /** Sees the usage of each answer (a result's, or a stream's `finish` part's) and the name of the model that gave it. */
  protected answered(_name: string, _usage: unknown): void {}

  /** The models a call goes to (the chosen one, then its fallbacks), and the decision to report. */
  protected abstract choose(options: CallOptions): Promise<Routed<Model, Decision>>;

  /** The decision as reported: the model that answered, and after a fallback, the record of it. */
  protected report(decision: Decision, answer: Answered<Model, unknown>): Decision {
    const { model } = answer.target;
    const reported = { ...decision, model: model.modelId, provider: model.provider };
    return answer.fallback ? { ...reported, fallback: answer.fallback } : reported;
  }

  protected routerInstance(): Promise<Router> {
    if (!this.routerPromise) {
      const pending = typeof this.source === 'string' ? createRouter(this.source, this.routerOptions) : Promise.resolve(this.source);
      // A router that failed to build (missing weights, a bad option) is tried again on the next call.
      pending.catch(() => {
        if (this.routerPromise === pending) this.routerPromise = undefined;
      });
      this.routerPromise = pending;
    }
    return this.routerPromise;
  }
}

/**
 * Throws `InvalidOptionsError` (for `subject`) unless every model implements one specification
 * version: the routed model stands for one. `models`: each model by the option that gave it.
 */
export function assertOneSpecification(subject: string, models: Readonly<Record<string, RoutableLanguageModel>>): void {
  const entries = Object.entries(models);
  const [firstName, first] = entries[0];
  const other = entries.find(([, model]) => model.specificationVersion !== first.specificationVersion);
  if (other) {
    const [otherName, model] = other;
    throw new InvalidOptionsError(
      subject,
      `✖ ${firstName} (${modelLabel(first)}) implements the AI SDK language-model specification ${first.specificationVersion}, ` +
        `${otherName} (${modelLabel(model)}) ${model.specificationVersion}: use providers of one AI SDK major version`,
    );
  }
}

/** Throws `InvalidOptionsError` when `routerOptions` come with a Router instance (only a router built here takes them). */
export function assertRouterOptions(subject: string, source: string | Router, routerOptions: Record<string, unknown> | undefined): void {
  if (typeof source !== 'string' && routerOptions !== undefined) {
    throw new InvalidOptionsError(subject, '✖ routerOptions: only for a router given by name (a Router instance is used as given)');
  }
}

function withDecision(metadata: ProviderMetadata | undefined, decision: object): ProviderMetadata {
  return { ...metadata, routellm: { ...decision } };
}

function modelLabel(model: RoutableLanguageModel): string {
  return `${model.provider} ${model.modelId}`;
}

/** URL patterns, by media type, that every model lists (the same pattern and flags). */
async function commonSupportedUrls(all: readonly RoutableLanguageModel['supportedUrls'][]): Promise<Record<string, RegExp[]>> {
  const [first, ...others] = await Promise.all(all);
  const key = (pattern: RegExp) => `${pattern.source}/${pattern.flags}`;
  const common: Record<string, RegExp[]> = {};
  for (const [mediaType, patterns] of Object.entries(first)) {
    const shared = patterns.filter((pattern) => others.every((urls) => (urls[mediaType] ?? []).some((other) => key(other) === key(pattern))));
    if (shared.length > 0) common[mediaType] = shared;
  }
  return common;
}
