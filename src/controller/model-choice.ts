import { InvalidOptionsError, RouteLLMError } from '../errors.js';
import { assertPolicy, chooseModel, estimateTokens, expectedCosts, type Candidate, type ChoicePolicy, type TokenPrice } from '../policy/index.js';
import { requireRouterDefinition, ROUTER_DEFINITIONS } from '../routers/registry.js';
import { isModelScoringRouter, type ModelScoringRouter, type Router } from '../routers/types.js';
import type { Accounting, RequestCost } from './accounting.js';
import type { FallbackOrder } from './model-options.js';
import { resolveModelRouting, resolveModelSubset, type ModelRouting, type ModelRoutingFields } from './model-routing.js';
import type { ResolvedControllerOptions } from './options.js';
import type { RouterPool } from './router-pool.js';
import type { RoutingRecord } from './types.js';

/** The choice among N models for one prompt, without a model call (`controller.chooseBatch()`, `POST /v1/route`). */
export interface ModelRouteResult {
  /** The router that scored the prompt. */
  router: string;
  /** The cost-quality knob, when the request named one. */
  knob?: number;
  /** The margin of the within-best rule, when the request named it. */
  within_best?: number;
  /** The model the policy chose. */
  model: string;
  /** The models it chose among: every configured one, or the subset the request named (`models`), in the configured order. */
  models: string[];
  /** Each candidate's predicted quality (the router's score, higher is better); empty when one model was named (the router is not asked). */
  scores: Record<string, number>;
  /** Each candidate's expected cost of this request in US dollars, as the policy weighed it. */
  expected_cost_usd: Record<string, number>;
}

/**
 * The routing record (`routellm`) of a response when the controller routes among N models.
 * `model` is the model that answered; `chosen` the one the policy chose (they differ after a fallback).
 */
export interface ModelRoutingRecord extends ModelRouteResult {
  /** The completion's id (the response `id`), as in the two-model record. */
  id: string;
  /** The id the upstream gave its answer, when it gave one. */
  upstream_id?: string;
  /** The model the policy chose. */
  chosen: string;
  /** Present when the chosen model failed and another one answered: `tried` lists every model that failed, in order. */
  fallback?: NonNullable<RoutingRecord['fallback']> & { tried: string[] };
  /** With prices: the request's cost, and savings against the dearest configured model (`Controller.strongModel`). */
  cost?: RequestCost;
  /** Where the time went, in ms, as in the two-model record. */
  latency_ms: { routing: number; upstream: number };
}

/** True for the routing record of N-model routing (false for the strong/weak record). */
export function isModelRoutingRecord(record: object): record is ModelRoutingRecord {
  return 'scores' in record && 'chosen' in record;
}

/** The prompt scored at start to check that the router knows every model. */
export const MODEL_CHECK_PROMPT = 'routellm model check';

/** Why router `name` cannot route among N models, naming the routers that can. */
export function pairOnlyRouterMessage(name: string): string {
  const able = ROUTER_DEFINITIONS.filter((definition) => definition.scoresModels).map((definition) => definition.name);
  return `the ${name} router scores a strong/weak pair only; routing among models needs a router that scores N models: ${able.join(', ')} (or a Router instance with modelScores)`;
}

/**
 * Routing among the controller's `models`: checks the setup (at least two models, a price each,
 * routers that score N models), reads a request's router and policy, scores every model with the
 * router and chooses through `chooseModel`, with each model's expected cost from its price and
 * expected output length (the running mean of its answers once it has enough, else the configured
 * or default length). Also orders the fallback chain.
 */
export class ModelChooser {
  /** The configured models, in order. */
  readonly models: readonly string[];
  /** The dearest model (by output price, then input price): the reference of `cost.strong_usd` and the savings. */
  readonly referenceModel: string;
  /** The cheapest model (by output price, then input price). */
  readonly cheapestModel: string;
  private readonly prices: Readonly<Record<string, TokenPrice>>;

  constructor(
    private readonly options: ResolvedControllerOptions,
    private readonly routers: RouterPool,
    private readonly accounting: Accounting,
  ) {
    this.models = options.models ?? [];
    this.prices = requireModelPrices(this.models, options.prices, 'Controller options');
    // Dearer: a higher output price, then a higher input price; ties keep the earlier model.
    const dearer = (a: string, b: string) => this.prices[a].output - this.prices[b].output || this.prices[a].input - this.prices[b].input;
    this.referenceModel = this.models.reduce((best, model) => (dearer(model, best) > 0 ? model : best));
    this.cheapestModel = this.models.reduce((best, model) => (dearer(model, best) < 0 ? model : best));
    for (const entry of options.routers) requireModelScoring(entry, 'Controller options', 'routers');
  }

  /** The router, policy and candidate subset a request names (see `model-routing.ts` for the grammar). */
  resolve(params: { [K in keyof ModelRoutingFields | 'threshold']?: unknown }): ModelRouting {
    const routing = resolveModelRouting(params, this.routers.names, (router) => this.routers.resolveName(router));
    const models = resolveModelSubset(params.models, this.models);
    return models ? { ...routing, models } : routing;
  }

  /** The models a routing chooses among: its subset (checked again: `chooseBatch` takes routings from callers), else all. */
  candidates(routing: ModelRouting): readonly string[] {
    return resolveModelSubset(routing.models, this.models) ?? this.models;
  }

  /** Scores every model on the router of every served name, so unknown models fail at start (`UnknownModelError`). */
  async check(): Promise<void> {
    await Promise.all(this.routers.names.map((name) => this.scores(name, [MODEL_CHECK_PROMPT])));
  }

  /** `scoreModels` with the router served as `router`. */
  async scores(router: string, prompts: readonly string[], models: readonly string[] = this.models): Promise<Float32Array> {
    return scoreModels(() => this.routers.get(router), prompts, models);
  }

  /**
   * The choice among `models` (the routing's candidates) for prompt `row` of `scores` (from
   * `scores` with the same models). `inputText`: the text sent upstream (its length estimates the
   * input tokens).
   */
  choose(routing: ModelRouting, scores: Float32Array, row: number, inputText: string, models: readonly string[] = this.models): ModelRouteResult {
    const count = models.length;
    return choosePricedModel({
      router: routing.router,
      policy: routing.policy,
      models,
      prices: this.prices,
      qualities: scores.subarray(row * count, (row + 1) * count),
      inputText,
      outputTokens: this.outputTokens(),
      defaultOutputTokens: this.options.defaultOutputTokens,
    });
  }

  /** The models a failed request goes to after `result.model`, in order (`fallbackChain` with this controller's `fallbackOrder`). */
  fallbackChain(result: ModelRouteResult, policy: ChoicePolicy): string[] {
    return fallbackChain(result, policy, this.options.fallbackOrder);
  }

  /** Expected output tokens by model: the running mean of its answers once there are enough, else the configured length. */
  private outputTokens(): Record<string, number> {
    return this.accounting.answerLengths.expected(this.models, this.options.outputTokensMinRequests, this.options.outputTokens);
  }
}

/**
 * The models a failed request goes to after `result.model`, in order, all of them among the
 * candidates `result.models`: with order `policy`, the policy's choice among the models not yet
 * tried, again and again; with `listed`, the order of `result.models` after the chosen model,
 * wrapping around.
 */
export function fallbackChain(result: Pick<ModelRouteResult, 'model' | 'models' | 'scores' | 'expected_cost_usd'>, policy: ChoicePolicy, order: FallbackOrder): string[] {
  const models = result.models;
  if (order === 'listed') {
    const start = models.indexOf(result.model);
    return [...models.slice(start + 1), ...models.slice(0, start)];
  }
  let remaining = models
    .filter((model) => model !== result.model)
    .map((model) => ({ model, quality: result.scores[model], cost: result.expected_cost_usd[model] }));
  const chain: string[] = [];
  while (remaining.length > 1) {
    const next = chooseModel(remaining, policy).model;
    chain.push(next);
    remaining = remaining.filter((candidate) => candidate.model !== next);
  }
  return [...chain, ...remaining.map((candidate) => candidate.model)];
}

/**
 * The prices of `models`, or `InvalidOptionsError` (for `subject`) naming every model without one:
 * routing among models weighs each model's expected cost.
 */
export function requireModelPrices(
  models: readonly string[],
  prices: Readonly<Record<string, TokenPrice>> | undefined,
  subject: string,
): Readonly<Record<string, TokenPrice>> {
  const missing = models.filter((model) => !prices?.[model]);
  if (missing.length > 0) {
    throw new InvalidOptionsError(
      subject,
      `✖ prices: no price for ${missing.map((model) => `"${model}"`).join(', ')}; routing among models weighs each model's expected cost, so every model in \`models\` needs { input, output } (dollars per 1M tokens)`,
    );
  }
  return prices!;
}

/**
 * Throws `InvalidOptionsError` (for `subject`, at `field`) unless `router`, a registry name or a
 * Router instance, scores N models; the message names the routers that can.
 */
export function requireModelScoring(router: string | Router, subject: string, field: string): void {
  const scoresModels = typeof router === 'string' ? requireRouterDefinition(router).scoresModels : isModelScoringRouter(router);
  if (!scoresModels) {
    const name = typeof router === 'string' ? requireRouterDefinition(router).name : router.name;
    throw new InvalidOptionsError(subject, `✖ ${field}: ${pairOnlyRouterMessage(name)}`);
  }
}

/**
 * Each of `models`' score for each prompt, row-major (prompt `i`, model `j` at `i * models.length + j`),
 * checked for size; empty for a single model, which is the choice without a score (the router is
 * neither asked nor fetched).
 */
export async function scoreModels(routerOf: () => Promise<Router>, prompts: readonly string[], models: readonly string[]): Promise<Float32Array> {
  if (models.length === 1) return new Float32Array(0);
  const router = (await routerOf()) as ModelScoringRouter;
  const scores = await router.modelScores(prompts, models);
  if (scores.length !== prompts.length * models.length) {
    throw new RouteLLMError(`The ${router.name} router returned ${scores.length} model scores for ${prompts.length} prompt(s) and ${models.length} models.`, {
      code: 'router_output',
    });
  }
  return scores;
}

/** What `choosePricedModel` weighs for one prompt. */
export interface PricedChoiceInput {
  /** The router that scored the prompt (reported). */
  router: string;
  policy: ChoicePolicy;
  models: readonly string[];
  prices: Readonly<Record<string, TokenPrice>>;
  /** Each model's score for this prompt, in the order of `models`. */
  qualities: ArrayLike<number>;
  /** The text sent upstream: its length estimates the input tokens. */
  inputText: string;
  /** Expected output tokens by model; others get `defaultOutputTokens`. */
  outputTokens?: Readonly<Record<string, number>>;
  defaultOutputTokens?: number;
}

/**
 * The choice among `models` for one prompt: each model's expected cost from its price, then
 * `chooseModel`. A single model is the choice without scores (`qualities` unread).
 */
export function choosePricedModel(input: PricedChoiceInput): ModelRouteResult {
  const costs = expectedCosts(input.models, input.prices, estimateTokens(input.inputText), {
    outputTokens: input.outputTokens,
    defaultOutputTokens: input.defaultOutputTokens,
  });
  const candidates: Candidate[] = input.models.map((model, index) => ({ model, quality: input.qualities[index], cost: costs[index] }));
  const single = candidates.length === 1;
  if (single) assertPolicy(input.policy);
  const { model } = single ? candidates[0] : chooseModel(candidates, input.policy);
  return {
    router: input.router,
    ...policyFields(input.policy),
    model,
    models: [...input.models],
    scores: single ? {} : Object.fromEntries(candidates.map((candidate) => [candidate.model, candidate.quality])),
    expected_cost_usd: Object.fromEntries(candidates.map((candidate) => [candidate.model, candidate.cost])),
  };
}

/** A policy as record and response fields (`knob` or `within_best`). */
export function policyFields(policy: ChoicePolicy): { knob: number } | { within_best: number } {
  return 'knob' in policy ? { knob: policy.knob } : { within_best: policy.withinBest };
}
