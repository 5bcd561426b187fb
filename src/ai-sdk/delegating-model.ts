import { InvalidOptionsError } from '../errors.js';
import { createRouter } from '../routers/registry.js';
import type { Router } from '../routers/types.js';
import type { RoutableLanguageModel } from './options.js';

/** The members of call results and stream parts that routing touches. */
type ProviderMetadata = Record<string, Record<string, unknown>>;
export interface CallOptions {
  prompt: unknown;
  /** The call's provider options; routellm reads its own namespace, `routellm`. */
  providerOptions?: Record<string, Record<string, unknown> | undefined>;
}
interface GenerateResult {
  providerMetadata?: ProviderMetadata;
  usage?: unknown;
}
interface StreamResult {
  stream: ReadableStream<{ type: string; providerMetadata?: ProviderMetadata; usage?: unknown }>;
}

/**
 * What the strong/weak and the N-model routed models share: an AI SDK language model (of its
 * models' specification version) that builds its router on first use, chooses one of its models
 * for each call (`choose`), hands the call to it unchanged and adds the decision to
 * `providerMetadata.routellm` (on the `finish` part when streaming).
 */
export abstract class DelegatingModel<Model extends RoutableLanguageModel, Decision extends object> {
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
    const { model, decision } = await this.choose(options);
    const result = (await model.doGenerate(options)) as GenerateResult;
    this.answered(decision, result.usage);
    return { ...result, providerMetadata: withDecision(result.providerMetadata, decision) };
  }

  async doStream(options: CallOptions): Promise<StreamResult> {
    const { model, decision } = await this.choose(options);
    const result = (await model.doStream(options)) as StreamResult;
    const stream = result.stream.pipeThrough(
      new TransformStream({
        transform: (part, controller) => {
          if (part.type !== 'finish') return controller.enqueue(part);
          this.answered(decision, part.usage);
          controller.enqueue({ ...part, providerMetadata: withDecision(part.providerMetadata, decision) });
        },
      }),
    );
    return { ...result, stream };
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

  /** Sees the usage of each answer (a result's, or a stream's `finish` part's). */
  protected answered(_decision: Decision, _usage: unknown): void {}

  /** The model a call goes to, and the decision to report. */
  protected abstract choose(options: CallOptions): Promise<{ model: Model; decision: Decision }>;

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
