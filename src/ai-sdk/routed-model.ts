import { InvalidInputError, InvalidOptionsError } from '../errors.js';
import { parseOptions } from '../options.js';
import { assertThreshold } from '../routers/base.js';
import { parseRouterModel } from '../routers/model-string.js';
import { requireRouterDefinition } from '../routers/registry.js';
import type { RouteDecision, Router } from '../routers/types.js';
import { routedModelOptionsSchema, type NModelRoutedModelOptions, type ResolvedRoutedModelOptions, type RoutableLanguageModel, type RoutedModelOptions } from './options.js';
import { assertOneSpecification, assertRouterOptions, DelegatingModel, type CallOptions, type Routed } from './delegating-model.js';
import type { FallbackRecord } from './fallback.js';
import { createModelChoiceModel, type NModelRoutedLanguageModel } from './model-choice.js';
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
  /**
   * Present when the chosen model failed and the other one answered (`decision` stays the
   * router's choice, `model` and `provider` are the other model's): the failed model's `modelId`
   * (`from`), the one that answered (`to`), the failure's message, kind and HTTP status.
   */
  fallback?: FallbackRecord;
}

/** What a routed model adds to the AI SDK language-model interface. */
export interface RoutedModelControls<Model extends RoutableLanguageModel> {
  /** The router's name (`modelId` is `router-<router>-<threshold>`). */
  readonly router: string;
  readonly threshold: number;
  readonly strong: Model;
  readonly weak: Model;
  /** Whether a call whose chosen model fails (no answer, 408, 409, 429, 5xx) goes to the other model. */
  readonly fallback: boolean;
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

/**
 * A language model for the Vercel AI SDK (`generateText`, `streamText`, `Output.object`, tools,
 * agents) that scores each call's prompt with a routellm router and hands the call, unchanged,
 * to the model it chooses. Results and stream parts are the chosen model's own (content, tool
 * calls, usage, finish reason, errors); `providerMetadata.routellm` records the decision.
 *
 * Strong/weak form: `strong` when the router's strong win rate is at least `threshold`, else
 * `weak`; `modelId` is `router-<name>-<threshold>`.
 *
 * ```ts
 * const model = createRoutedModel({ router: 'ridge', threshold: 0.55, strong: openai('gpt-4o'), weak: anthropic('claude-haiku-4-5') });
 * const { text, providerMetadata } = await generateText({ model, prompt: 'Prove that sqrt(2) is irrational.' });
 * providerMetadata?.routellm; // { router: 'ridge', score, threshold: 0.55, decision, model, provider, fallback? }
 * ```
 *
 * N-model form (`models`, `prices`, and `knob` or `withinBest`): a router that scores N models
 * scores each one, and the Controller's policy (`chooseModel`) weighs the scores against each
 * model's expected cost; `modelId` is `router-<name>-<knob>` or `router-<name>-within-<margin>`.
 *
 * ```ts
 * const model = createRoutedModel({ router: 'quality', knob: 0.7, models: { 'gpt-4-1106-preview': openai('gpt-4o'), 'mistral-7b-chat': mistral('open-mistral-7b') }, prices });
 * providerMetadata?.routellm; // { router: 'quality', knob: 0.7, chosen, scores, expected_cost_usd, model, provider }
 * ```
 *
 * Fallback (on unless `fallback: false`): when the chosen model fails with no answer, a timeout
 * of its own, a reply that does not parse, or HTTP 408, 409, 429 or 5xx, the call goes to the
 * other model (among N, along `fallbackOrder`), each model once; a stream only while none of its
 * content has reached the caller. `providerMetadata.routellm.fallback` records it; when the
 * fallbacks fail too the call throws `FallbackFailedError` with every model's error. A 400 and
 * other failures of the request itself are thrown as they were.
 *
 * Bad options throw at once: `InvalidOptionsError` (a pair-only router with `models`, a missing
 * price, a knob outside [0, 1]), `UnknownRouterError`, `InvalidThresholdError`,
 * `InvalidModelStringError`. A router given by name is built on the first call (or by `ready()`).
 */
export function createRoutedModel<Model extends RoutableLanguageModel>(options: RoutedModelOptions<Model>): RoutedLanguageModel<Model>;
export function createRoutedModel<Model extends RoutableLanguageModel>(options: NModelRoutedModelOptions<Model>): NModelRoutedLanguageModel<Model>;
export function createRoutedModel<Model extends RoutableLanguageModel>(
  options: RoutedModelOptions<Model> | NModelRoutedModelOptions<Model>,
): RoutedLanguageModel<Model> | NModelRoutedLanguageModel<Model> {
  if (typeof options === 'object' && options !== null && 'models' in options) return createModelChoiceModel(options as NModelRoutedModelOptions<Model>);
  const parsed = parseOptions(routedModelOptionsSchema, options, SUBJECT);
  assertOneSpecification(SUBJECT, { strong: parsed.strong, weak: parsed.weak });
  const { source, threshold } = resolveRouting(parsed.router, parsed.threshold);
  assertRouterOptions(SUBJECT, source, parsed.routerOptions);
  const model = new PairRoutingModel(source, threshold, parsed.strong as Model, parsed.weak as Model, parsed);
  return model as unknown as RoutedLanguageModel<Model>;
}

class PairRoutingModel<Model extends RoutableLanguageModel> extends DelegatingModel<Model, RoutingDecision> implements RoutedModelControls<Model> {
  readonly modelId: string;
  readonly fallback: boolean;

  constructor(
    source: string | Router,
    readonly threshold: number,
    readonly strong: Model,
    readonly weak: Model,
    options: Pick<ResolvedRoutedModelOptions, 'routerOptions' | 'routeTurns' | 'fallback'>,
  ) {
    super(source, options.routerOptions ?? {}, options.routeTurns, [strong, weak]);
    this.modelId = `router-${this.router}-${threshold}`;
    this.fallback = options.fallback;
  }

  async route(text: string): Promise<RoutingDecision> {
    const score = await (await this.routerInstance()).strongWinRate(text);
    const decision: RouteDecision = score >= this.threshold ? 'strong' : 'weak';
    const model = decision === 'strong' ? this.strong : this.weak;
    return { router: this.router, score, threshold: this.threshold, decision, model: model.modelId, provider: model.provider };
  }

  protected async choose(options: CallOptions): Promise<Routed<Model, RoutingDecision>> {
    if (options?.providerOptions?.routellm?.models !== undefined) {
      throw new InvalidInputError('providerOptions.routellm.models', 'no `models`: this model routes between strong and weak (a subset of models needs the N-model form, createRoutedModel({ models, ... }))');
    }
    const decision = await this.route(promptRoutingText(options?.prompt, this.routeTurns));
    const [chosen, other] = decision.decision === 'strong' ? [this.strong, this.weak] : [this.weak, this.strong];
    const targets = [chosen, ...(this.fallback && other !== chosen ? [other] : [])];
    return { targets: targets.map((model) => ({ name: model.modelId, model })), decision };
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
