import { z } from 'zod';
import { modelChoiceOptionsShape, modelPriceSchema } from '../controller/model-options.js';
import type { Router } from '../routers/types.js';

/** Versions of the AI SDK language-model specification a routed model can stand for. */
export const SPECIFICATION_VERSIONS = ['v3', 'v4'] as const;

/**
 * What routing needs of an AI SDK language model: specification `v3` (`ai` 6) or `v4` (`ai` 7).
 * Providers' models (`openai('gpt-4o')`, `anthropic('claude-haiku-4-5')`, ...) are these; the
 * routed model is one too, of its models' version.
 */
export interface RoutableLanguageModel {
  readonly specificationVersion: (typeof SPECIFICATION_VERSIONS)[number];
  readonly provider: string;
  readonly modelId: string;
  readonly supportedUrls: PromiseLike<Record<string, RegExp[]>> | Record<string, RegExp[]>;
  // Method syntax on purpose: each specification's call options are accepted (parameter bivariance).
  doGenerate(options: any): PromiseLike<unknown>;
  doStream(options: any): PromiseLike<unknown>;
}

const languageModelSchema = z.custom<RoutableLanguageModel>(
  (value) => {
    const model = value as Partial<RoutableLanguageModel> | null;
    return (
      typeof model === 'object' &&
      model !== null &&
      typeof model.provider === 'string' &&
      typeof model.modelId === 'string' &&
      typeof model.doGenerate === 'function' &&
      typeof model.doStream === 'function' &&
      (SPECIFICATION_VERSIONS as readonly unknown[]).includes(model.specificationVersion)
    );
  },
  {
    message:
      'expected an AI SDK language model of specification v3 (ai 6) or v4 (ai 7), e.g. openai("gpt-4o") from @ai-sdk/openai',
  },
);

const routerSchema = z.union([
  z.string().min(1),
  z.custom<Router>((value) => typeof (value as Router | null)?.strongWinRate === 'function' && typeof (value as Router).name === 'string', {
    message: 'expected a router name, a "router-<name>-<threshold>" string, or a Router instance',
  }),
]);

/** Options of both forms. */
const sharedShape = {
  /** Options for `createRouter` when `router` names a router, e.g. `{ seed: 1 }` for `random`. Default none. */
  routerOptions: z.record(z.string(), z.unknown()).optional(),
  /**
   * How many of the last conversation messages (user and assistant text) are routed on, joined
   * by a blank line; the same rule as the Controller's `routeTurns`. Default 1: the last user
   * message only, as the original RouteLLM.
   */
  routeTurns: z.number().int().min(1).default(1),
  /**
   * When the chosen model's call fails in a way another model may not (no answer or a connection
   * cut, a timeout of the model's own, a reply that does not parse, HTTP 408, 409, 429 or 5xx),
   * send the call to the next model, each model once: the other one of a strong/weak pair, the
   * `fallbackOrder` chain among N models. A stream falls back only while none of its content has
   * reached the caller. Not from a 400 or other 4xx (the request itself is refused), an abort, an
   * invalid prompt or a missing key. `providerMetadata.routellm.fallback` records it; when the
   * fallbacks fail too, the call throws `FallbackFailedError` with every model's error. Default
   * true (the Controller's `fallback` defaults to false); false sends the chosen model's error to
   * the SDK as it was, whose own retries then apply.
   */
  fallback: z.boolean().default(true),
};

/** A result of `calibrateThreshold()`; only its `threshold` is read. */
const calibrationSchema = z.object({
  /** The calibrated threshold. */
  threshold: z.number(),
});

/**
 * Options of `createRoutedModel()` in its strong/weak form. The N-model form (`models`, `prices`,
 * `knob` or `withinBest`) is `nModelOptionsSchema`; `createRoutedModel` reads that one when
 * `models` is given.
 */
export const routedModelOptionsSchema = z
  .object({
    /**
     * The router: a registry name (`ridge`, `mf`, `sw_ranking`, `bert`, `causal_llm`, `random`;
     * built with `createRouter(name, routerOptions)` on first use and disposed by `dispose()`), a
     * model string `router-<name>-<threshold>` that also gives the threshold (e.g.
     * `router-mf-0.116`), or a `Router` instance, used as given and never disposed here.
     */
    router: routerSchema,
    /**
     * Route to `strong` when the router's strong win rate is >= this, else to `weak`: a number in
     * [0, 1] or the result of `calibrateThreshold()`. Required unless `router` is a model string.
     */
    threshold: z
      .union([z.number(), calibrationSchema], { error: 'expected a number in [0, 1] or a calibrateThreshold() result' })
      .optional(),
    /** The strong (expensive) model, an AI SDK language model. */
    strong: languageModelSchema,
    /** The weak (cheap) model, an AI SDK language model of the same specification version as `strong`. */
    weak: languageModelSchema,
    ...sharedShape,
  })
  .strict();

/** Options of `createRoutedModel()` after validation and defaults. */
export type ResolvedRoutedModelOptions = z.output<typeof routedModelOptionsSchema>;

/** Options of `createRoutedModel()` as the caller writes them; `strong` and `weak` keep their own types. */
export type RoutedModelOptions<Model extends RoutableLanguageModel = RoutableLanguageModel> = Omit<
  z.input<typeof routedModelOptionsSchema>,
  'strong' | 'weak'
> & {
  strong: Model;
  weak: Model;
};

/**
 * Options of `createRoutedModel()` in its N-model form: choose among `models` for each call by
 * each model's predicted quality (a router that scores N models) and expected cost (`prices`),
 * with the cost-quality knob or the within-best rule, as the Controller's N-model routing does.
 */
export const nModelOptionsSchema = z
  .object({
    /**
     * A router that scores N models: a registry name whose definition says `scoresModels`
     * (`quality`, `mf`, `sw_ranking`, `random`; built with `createRouter(name, routerOptions)` on
     * first use and disposed by `dispose()`), a model string `router-<name>-<knob>` or
     * `router-<name>-within-<margin>` that also gives the policy (e.g. `router-quality-0.7`), or a
     * `Router` instance with `modelScores`, used as given and never disposed here.
     */
    router: routerSchema,
    /**
     * The models to choose among, by the name the router's weights know them by (e.g.
     * `'gpt-4-1106-preview'` for `mf`, RouterBench names for `quality`): AI SDK language models of
     * one specification version. At least two.
     */
    models: z
      .record(z.string().min(1), languageModelSchema)
      .refine((models) => Object.keys(models).length >= 2, 'routing among models needs at least two models (for one strong/weak pair pass strong and weak)'),
    /** Dollars per 1M input and output tokens, by the names in `models`; every model needs one. */
    prices: z.record(z.string(), modelPriceSchema),
    /**
     * The cost-quality knob in [0, 1]: the model maximising `knob * score - (1 - knob) * cost`
     * (cost log-scaled over the models), so 0 is always the cheapest model and 1 the best scored.
     * Give it or `withinBest`, unless `router` is a model string.
     */
    knob: z.number().min(0).max(1).optional(),
    /** Choose the cheapest model whose score is at most this (in [0, 1]) below the best one's. Instead of `knob`. */
    withinBest: z.number().min(0).max(1).optional(),
    /**
     * Expected output (completion) tokens per answer, by model name, in the expected cost of a
     * model whose running mean is not yet known (see `outputTokensMinRequests`). Default: none.
     */
    outputTokens: modelChoiceOptionsShape.outputTokens,
    /** Expected output tokens of a model with neither a running mean nor an `outputTokens` entry. Default 300. */
    defaultOutputTokens: modelChoiceOptionsShape.defaultOutputTokens,
    /**
     * Answers with usage a model must have given through this routed model before the running
     * mean of their output tokens replaces `outputTokens` / `defaultOutputTokens` in its expected
     * cost, as in the Controller. Default 20.
     */
    outputTokensMinRequests: modelChoiceOptionsShape.outputTokensMinRequests,
    /**
     * With `fallback` on, which models a failed call goes to after the chosen one, each once, as
     * in the Controller: `policy` (default) the model the policy would have chosen without the
     * failed ones (the next choice at the same knob or margin), `listed` the order of `models`
     * after the chosen one, wrapping around. A call's `providerOptions.routellm.models` subset
     * keeps the chain inside it.
     */
    fallbackOrder: modelChoiceOptionsShape.fallbackOrder,
    ...sharedShape,
  })
  .strict();

/** N-model options of `createRoutedModel()` after validation and defaults. */
export type ResolvedNModelOptions = z.output<typeof nModelOptionsSchema>;

/** N-model options of `createRoutedModel()` as the caller writes them; `models` keep their own type. */
export type NModelRoutedModelOptions<Model extends RoutableLanguageModel = RoutableLanguageModel> = Omit<z.input<typeof nModelOptionsSchema>, 'models'> & {
  models: Readonly<Record<string, Model>>;
};
