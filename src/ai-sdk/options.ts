import { z } from 'zod';
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

/** A result of `calibrateThreshold()`; only its `threshold` is read. */
const calibrationSchema = z.object({
  /** The calibrated threshold. */
  threshold: z.number(),
});

/**
 * Options of `createRoutedModel()`. This is the two-model form; an N-model form (`models`,
 * `prices`, `knob`) will be a second member of a union keyed by `models`.
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
    /** Options for `createRouter` when `router` names a router, e.g. `{ seed: 1 }` for `random`. Default none. */
    routerOptions: z.record(z.string(), z.unknown()).optional(),
    /**
     * How many of the last conversation messages (user and assistant text) are routed on, joined
     * by a blank line; the same rule as the Controller's `routeTurns`. Default 1: the last user
     * message only, as the original RouteLLM.
     */
    routeTurns: z.number().int().min(1).default(1),
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
