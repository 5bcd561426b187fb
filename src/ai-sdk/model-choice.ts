import { routingText } from '../controller/messages.js';
import {
  choosePricedModel,
  fallbackChain,
  MODEL_CHECK_PROMPT,
  requireModelPrices,
  requireModelScoring,
  scoreModels,
  type ModelRouteResult,
  type ModelRoutingRecord,
} from '../controller/model-choice.js';
import { parseModelRoutingString, resolveModelSubset } from '../controller/model-routing.js';
import { InvalidInputError, InvalidOptionsError } from '../errors.js';
import { parseOptions } from '../options.js';
import { AnswerLengths, type ChoicePolicy, type TokenPrice } from '../policy/index.js';
import { requireRouterDefinition } from '../routers/registry.js';
import type { Router } from '../routers/types.js';
import { assertOneSpecification, assertRouterOptions, DelegatingModel, type CallOptions, type Routed } from './delegating-model.js';
import type { Answered } from './fallback.js';
import { nModelOptionsSchema, type NModelRoutedModelOptions, type ResolvedNModelOptions, type RoutableLanguageModel } from './options.js';
import { promptMessages } from './prompt-text.js';

/**
 * What an N-model routed model decided for one call; reported in `providerMetadata.routellm`.
 * The Controller's choice (`router`, `knob` or `within_best`, every model's `scores` and
 * `expected_cost_usd`, by name), with the chosen name and the model called.
 */
export interface ModelChoiceDecision extends Omit<ModelRouteResult, 'model'> {
  /** The name (a key of `models`) of the model the policy chose. */
  chosen: string;
  /** `modelId` of the model that was called. */
  model: string;
  /** `provider` of the model that was called, e.g. `openai.chat`. */
  provider: string;
  /**
   * Present when the chosen model failed and another one answered (`chosen` stays the policy's
   * choice, `model` and `provider` are the answering model's): the names of the failed chosen
   * model (`from`) and of the one that answered (`to`), the chosen model's failure (message,
   * kind, HTTP status), and every model that failed, in order (`tried`).
   */
  fallback?: ModelRoutingRecord['fallback'];
}

/** What an N-model routed model adds to the AI SDK language-model interface. */
export interface ModelChoiceControls<Model extends RoutableLanguageModel> {
  /** The router's name (`modelId` is `router-<router>-<knob>` or `router-<router>-within-<margin>`). */
  readonly router: string;
  /** The policy: `{ knob }` or `{ withinBest }`. */
  readonly policy: ChoicePolicy;
  /** The models it chooses among, by name. */
  readonly models: Readonly<Record<string, Model>>;
  /** Whether a call whose chosen model fails (no answer, 408, 409, 429, 5xx) goes on along the `fallbackOrder` chain. */
  readonly fallback: boolean;
  /**
   * Scores every model (or the names in `options.models`, as a call's `providerOptions.routellm.models`)
   * on `text` and chooses, without calling a model (input tokens estimated from `text`).
   */
  route(text: string, options?: { models?: readonly string[] }): Promise<ModelChoiceDecision>;
  /** Builds the router and scores every model once, so a model the router does not know fails now (`UnknownModelError`). */
  ready(): Promise<void>;
  /** Disposes a router this model built from a name (a Router instance given to it stays usable). */
  dispose(): Promise<void>;
}

/** An AI SDK language model (of its models' specification version) that chooses one of N models for each call, plus routing controls. */
export type NModelRoutedLanguageModel<Model extends RoutableLanguageModel = RoutableLanguageModel> = Pick<Model, keyof RoutableLanguageModel> &
  ModelChoiceControls<Model>;

const SUBJECT = 'createRoutedModel options';

/** `createRoutedModel()` with `models`: see its documentation. */
export function createModelChoiceModel<Model extends RoutableLanguageModel>(options: NModelRoutedModelOptions<Model>): NModelRoutedLanguageModel<Model> {
  const parsed = parseOptions(nModelOptionsSchema, options, SUBJECT);
  assertOneSpecification(
    SUBJECT,
    Object.fromEntries(Object.entries(parsed.models).map(([name, model]) => [`models["${name}"]`, model])),
  );
  const { source, policy } = resolvePolicy(parsed);
  assertRouterOptions(SUBJECT, source, parsed.routerOptions);
  const prices = requireModelPrices(Object.keys(parsed.models), parsed.prices, SUBJECT);
  const model = new ModelChoiceModel(source, policy, parsed.models as Record<string, Model>, prices, parsed);
  return model as unknown as NModelRoutedLanguageModel<Model>;
}

class ModelChoiceModel<Model extends RoutableLanguageModel> extends DelegatingModel<Model, ModelChoiceDecision> implements ModelChoiceControls<Model> {
  readonly modelId: string;
  readonly fallback: boolean;
  private readonly names: readonly string[];
  private readonly lengths = new AnswerLengths();

  constructor(
    source: string | Router,
    readonly policy: ChoicePolicy,
    readonly models: Readonly<Record<string, Model>>,
    private readonly prices: Readonly<Record<string, TokenPrice>>,
    private readonly options: Pick<
      ResolvedNModelOptions,
      'outputTokens' | 'defaultOutputTokens' | 'outputTokensMinRequests' | 'routerOptions' | 'routeTurns' | 'fallback' | 'fallbackOrder'
    >,
  ) {
    super(source, options.routerOptions ?? {}, options.routeTurns, Object.values(models));
    this.fallback = options.fallback;
    this.names = Object.keys(models);
    this.modelId = 'knob' in policy ? `router-${this.router}-${policy.knob}` : `router-${this.router}-within-${policy.withinBest}`;
  }

  async route(text: string, options: { models?: readonly string[] } = {}): Promise<ModelChoiceDecision> {
    if (typeof text !== 'string') throw new InvalidInputError('text', `a string, got ${typeof text}`);
    return this.decide(text, text, resolveModelSubset(options.models, this.names) ?? this.names);
  }

  override async ready(): Promise<void> {
    await this.scores(MODEL_CHECK_PROMPT);
  }

  protected async choose(options: CallOptions): Promise<Routed<Model, ModelChoiceDecision>> {
    const subset = resolveModelSubset(options?.providerOptions?.routellm?.models, this.names, 'providerOptions.routellm.models');
    const messages = promptMessages(options?.prompt);
    // As the Controller: the routed turns are scored, all messages' text estimates the input tokens.
    const decision = await this.decide(routingText(messages, this.routeTurns), messages.map((message) => message.text).join('\n'), subset ?? this.names);
    const chain = this.fallback ? fallbackChain({ ...decision, model: decision.chosen }, this.policy, this.options.fallbackOrder) : [];
    return { targets: [decision.chosen, ...chain].map((name) => ({ name, model: this.models[name] })), decision };
  }

  protected override answered(name: string, usage: unknown): void {
    const tokens = (usage as { outputTokens?: { total?: unknown } } | undefined)?.outputTokens?.total;
    if (typeof tokens === 'number') this.lengths.record(name, tokens);
  }

  protected override report(decision: ModelChoiceDecision, answer: Answered<Model, unknown>): ModelChoiceDecision {
    const reported = super.report(decision, answer);
    return reported.fallback ? { ...reported, fallback: { ...reported.fallback, tried: answer.tried ?? [] } } : reported;
  }

  /** The choice among `names` (all models, or a call's subset). */
  private async decide(text: string, inputText: string, names: readonly string[]): Promise<ModelChoiceDecision> {
    const { model: chosen, ...result } = choosePricedModel({
      router: this.router,
      policy: this.policy,
      models: names,
      prices: this.prices,
      qualities: await this.scores(text, names),
      inputText,
      outputTokens: this.lengths.expected(names, this.options.outputTokensMinRequests, this.options.outputTokens),
      defaultOutputTokens: this.options.defaultOutputTokens,
    });
    const model = this.models[chosen];
    return { ...result, chosen, model: model.modelId, provider: model.provider };
  }

  private async scores(text: string, names: readonly string[] = this.names): Promise<Float32Array> {
    return scoreModels(() => this.routerInstance(), [text], names);
  }
}

/** The router (a canonical name or an instance) and the policy the options name; the router must score N models. */
function resolvePolicy(parsed: ResolvedNModelOptions): { source: string | Router; policy: ChoicePolicy } {
  const { router, knob, withinBest } = parsed;
  if (typeof router === 'string' && router.startsWith('router-')) {
    if (knob !== undefined || withinBest !== undefined) {
      throw new InvalidOptionsError(SUBJECT, `✖ ${knob !== undefined ? 'knob' : 'withinBest'}: given twice, in router "${router}" and as a field; give one`);
    }
    const { router: name, policy } = parseModelRoutingString(router, []);
    requireModelScoring(name, SUBJECT, 'router');
    return { source: requireRouterDefinition(name).name, policy };
  }
  if ((knob === undefined) === (withinBest === undefined)) {
    throw new InvalidOptionsError(
      SUBJECT,
      '✖ knob: give either knob (the cost-quality knob in [0, 1]) or withinBest (a margin in [0, 1]), or a "router-<name>-<knob>" string as router',
    );
  }
  requireModelScoring(router, SUBJECT, 'router');
  const policy: ChoicePolicy = knob !== undefined ? { knob } : { withinBest: withinBest! };
  return { source: typeof router === 'string' ? requireRouterDefinition(router).name : router, policy };
}
