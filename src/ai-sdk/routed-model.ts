import { InvalidOptionsError } from '../errors.js';
import { parseOptions } from '../options.js';
import { assertThreshold } from '../routers/base.js';
import { parseRouterModel } from '../routers/model-string.js';
import { createRouter, requireRouterDefinition } from '../routers/registry.js';
import type { RouteDecision, Router } from '../routers/types.js';
import { routedModelOptionsSchema, type RoutableLanguageModel, type RoutedModelOptions } from './options.js';
import { promptRoutingText } from './prompt-text.js';

const SUBJECT = 'createRoutedModel options';

/** What a routed model decided for one call; reported in `providerMetadata.routellm`. */
export interface RoutingDecision {
  /** The router's name. */
  router: string;
  /** The router's strong win rate for the routed text, in [0, 1]. */
  score: number;
  /** The threshold the score was compared with. */
  threshold: number;
  /** `'strong'` when `score >= threshold`, else `'weak'`. */
  decision: RouteDecision;
  /** `modelId` of the model that was called. */
  model: string;
  /** `provider` of the model that was called, e.g. `openai.chat`. */
  provider: string;
}

/** What a routed model adds to the AI SDK language-model interface. */
export interface RoutedModelControls<Model extends RoutableLanguageModel> {
  /** The router's name (`modelId` is `router-<router>-<threshold>`). */
  readonly router: string;
  readonly threshold: number;
  readonly strong: Model;
  readonly weak: Model;
  /** Scores `text` and decides, without calling a model. */
  route(text: string): Promise<RoutingDecision>;
  /** Builds the router now (otherwise it is built on the first call); rejects if it cannot be built. */
  ready(): Promise<void>;
  /** Disposes a router this model built from a name (a Router instance given to it stays usable). */
  dispose(): Promise<void>;
}

/**
 * An AI SDK language model (of its models' specification version) that routes each call to
 * `strong` or `weak`, plus routing controls.
 */
export type RoutedLanguageModel<Model extends RoutableLanguageModel = RoutableLanguageModel> = Pick<Model, keyof RoutableLanguageModel> &
  RoutedModelControls<Model>;

/** The members of call results and stream parts that routing touches. */
type ProviderMetadata = Record<string, Record<string, unknown>>;
interface CallOptions {
  prompt: unknown;
}
interface GenerateResult {
  providerMetadata?: ProviderMetadata;
}
interface StreamResult {
  stream: ReadableStream<{ type: string; providerMetadata?: ProviderMetadata }>;
}

/**
 * A language model for the Vercel AI SDK (`generateText`, `streamText`, `Output.object`, tools,
 * agents) that scores each call's prompt with a routellm router and hands the call, unchanged,
 * to `strong` when the strong win rate is at least the threshold, else to `weak`. Results and
 * stream parts are the chosen model's own (content, tool calls, usage, finish reason, errors);
 * `providerMetadata.routellm` records the decision. Its `modelId` is `router-<name>-<threshold>`.
 *
 * ```ts
 * const model = createRoutedModel({ router: 'ridge', threshold: 0.55, strong: openai('gpt-4o'), weak: anthropic('claude-haiku-4-5') });
 * const { text, providerMetadata } = await generateText({ model, prompt: 'Prove that sqrt(2) is irrational.' });
 * providerMetadata?.routellm; // { router: 'ridge', score, threshold: 0.55, decision, model, provider }
 * ```
 *
 * Bad options throw at once: `InvalidOptionsError`, `UnknownRouterError`, `InvalidThresholdError`,
 * `InvalidModelStringError`. A router given by name is built on the first call (or by `ready()`).
 */
export function createRoutedModel<Model extends RoutableLanguageModel>(options: RoutedModelOptions<Model>): RoutedLanguageModel<Model> {
  if (typeof options === 'object' && options !== null && 'models' in options) {
    throw new InvalidOptionsError(SUBJECT, '✖ models: the N-model form (models, prices, knob) is not available yet; pass `strong` and `weak`');
  }
  const parsed = parseOptions(routedModelOptionsSchema, options, SUBJECT);
  if (parsed.strong.specificationVersion !== parsed.weak.specificationVersion) {
    throw new InvalidOptionsError(
      SUBJECT,
      `✖ strong (${modelLabel(parsed.strong)}) implements the AI SDK language-model specification ${parsed.strong.specificationVersion}, ` +
        `weak (${modelLabel(parsed.weak)}) ${parsed.weak.specificationVersion}: use providers of one AI SDK major version`,
    );
  }
  const { source, threshold } = resolveRouting(parsed.router, parsed.threshold);
  if (typeof source !== 'string' && parsed.routerOptions !== undefined) {
    throw new InvalidOptionsError(SUBJECT, '✖ routerOptions: only for a router given by name (a Router instance is used as given)');
  }
  const model = new RoutingModel(source, threshold, parsed.strong as Model, parsed.weak as Model, parsed.routerOptions ?? {}, parsed.routeTurns);
  return model as unknown as RoutedLanguageModel<Model>;
}

class RoutingModel<Model extends RoutableLanguageModel> implements RoutedModelControls<Model> {
  readonly specificationVersion: Model['specificationVersion'];
  readonly provider = 'routellm';
  readonly modelId: string;
  readonly router: string;
  private routerPromise?: Promise<Router>;

  constructor(
    private readonly source: string | Router,
    readonly threshold: number,
    readonly strong: Model,
    readonly weak: Model,
    private readonly routerOptions: Record<string, unknown>,
    private readonly routeTurns: number,
  ) {
    this.specificationVersion = strong.specificationVersion;
    this.router = typeof source === 'string' ? source : source.name;
    this.modelId = `router-${this.router}-${threshold}`;
  }

  // The SDK reads this before the call (to download file URLs the model cannot fetch), when the
  // choice is not made yet: only URL patterns both models support are safe to leave as URLs.
  get supportedUrls(): Promise<Record<string, RegExp[]>> {
    return commonSupportedUrls(this.strong.supportedUrls, this.weak.supportedUrls);
  }

  async doGenerate(options: CallOptions): Promise<GenerateResult> {
    const { model, decision } = await this.choose(options);
    const result = (await model.doGenerate(options)) as GenerateResult;
    return { ...result, providerMetadata: withDecision(result.providerMetadata, decision) };
  }

  async doStream(options: CallOptions): Promise<StreamResult> {
    const { model, decision } = await this.choose(options);
    const result = (await model.doStream(options)) as StreamResult;
    const stream = result.stream.pipeThrough(
      new TransformStream({
        transform(part, controller) {
          controller.enqueue(part.type === 'finish' ? { ...part, providerMetadata: withDecision(part.providerMetadata, decision) } : part);
        },
      }),
    );
    return { ...result, stream };
  }

  async route(text: string): Promise<RoutingDecision> {
    const score = await (await this.routerInstance()).strongWinRate(text);
    const decision: RouteDecision = score >= this.threshold ? 'strong' : 'weak';
    const model = decision === 'strong' ? this.strong : this.weak;
    return { router: this.router, score, threshold: this.threshold, decision, model: model.modelId, provider: model.provider };
  }

  async ready(): Promise<void> {
    await this.routerInstance();
  }

  async dispose(): Promise<void> {
    const pending = this.routerPromise;
    this.routerPromise = undefined;
    if (pending && typeof this.source === 'string') await (await pending.catch(() => undefined))?.dispose();
  }

  private async choose(options: CallOptions): Promise<{ model: Model; decision: RoutingDecision }> {
    const decision = await this.route(promptRoutingText(options?.prompt, this.routeTurns));
    return { model: decision.decision === 'strong' ? this.strong : this.weak, decision };
  }

  private routerInstance(): Promise<Router> {
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

/** The router (a canonical name or an instance) and threshold that the options name. */
function resolveRouting(router: string | Router, threshold: number | { threshold: number } | undefined): { source: string | Router; threshold: number } {
  if (typeof router === 'string' && router.startsWith('router-')) {
    const parsed = parseRouterModel(router);
    if (threshold !== undefined) {
      throw new InvalidOptionsError(SUBJECT, `✖ threshold: given twice, in router "${router}" and in threshold; give one`);
    }
    return { source: parsed.router, threshold: parsed.threshold };
  }
  if (threshold === undefined) {
    throw new InvalidOptionsError(
      SUBJECT,
      '✖ threshold: required (a number in [0, 1] or a calibrateThreshold() result) unless router is a "router-<name>-<threshold>" string',
    );
  }
  const value = typeof threshold === 'number' ? threshold : threshold.threshold;
  assertThreshold(value);
  if (typeof router !== 'string') return { source: router, threshold: value };
  return { source: requireRouterDefinition(router).name, threshold: value };
}

function withDecision(metadata: ProviderMetadata | undefined, decision: RoutingDecision): ProviderMetadata {
  return { ...metadata, routellm: { ...decision } };
}

function modelLabel(model: RoutableLanguageModel): string {
  return `${model.provider} ${model.modelId}`;
}

/** URL patterns, by media type, that both models list (the same pattern and flags). */
async function commonSupportedUrls(
  first: RoutableLanguageModel['supportedUrls'],
  second: RoutableLanguageModel['supportedUrls'],
): Promise<Record<string, RegExp[]>> {
  const [ours, theirs] = await Promise.all([first, second]);
  const key = (pattern: RegExp) => `${pattern.source}/${pattern.flags}`;
  const common: Record<string, RegExp[]> = {};
  for (const [mediaType, patterns] of Object.entries(ours)) {
    const other = new Set((theirs[mediaType] ?? []).map(key));
    const shared = patterns.filter((pattern) => other.has(key(pattern)));
    if (shared.length > 0) common[mediaType] = shared;
  }
  return common;
}
