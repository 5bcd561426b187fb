import { z } from 'zod';
import { DEFAULT_OUTPUT_TOKENS } from '../policy/index.js';

/** Price of one model in US dollars per 1M tokens. */
export const modelPriceSchema = z
  .object({
    /** Dollars per 1M input (prompt) tokens. */
    input: z.number().nonnegative(),
    /** Dollars per 1M output (completion) tokens. */
    output: z.number().nonnegative(),
  })
  .strict();

/** How a failed model's request walks on to the others when `fallback` is on. */
export const FALLBACK_ORDERS = ['policy', 'listed'] as const;
/** One of `FALLBACK_ORDERS`. */
export type FallbackOrder = (typeof FALLBACK_ORDERS)[number];

/**
 * The controller options of routing among N models, spread into the controller's schema (and so
 * into the server config). Without `models` the controller routes between `strongModel` and
 * `weakModel` as before and these fields are unused.
 */
export const modelChoiceOptionsShape = {
  /**
   * Route among these models instead of a strong/weak pair. Each is bound to its provider as
   * `strongModel`/`weakModel` are: `endpoints[model]` first, then `anthropic/<model>` and
   * `claude-*` to Anthropic, any other id to OpenAI. Needs at least two distinct models, a price
   * for each in `prices`, and routers that score N models (`scoresModels` in their definition,
   * e.g. `random`; or Router instances with `modelScores`). A request's `router-<name>-<k>` then
   * names the cost-quality knob k (see the README's grammar). Default: unset (two-model routing).
   */
  models: z
    .array(z.string().min(1))
    .min(2, 'routing among models needs at least two models (for one strong/weak pair use strongModel and weakModel)')
    .refine((models) => new Set(models).size === models.length, 'each model may be listed once')
    .optional(),
  /**
   * Expected output (completion) tokens per answer, by model id, used for the expected cost of a
   * model whose running mean is not yet known (see `outputTokensMinRequests`). Default: none.
   */
  outputTokens: z.record(z.string(), z.number().positive()).optional(),
  /** Expected output tokens of a model with neither a running mean nor an `outputTokens` entry. Default 300. */
  defaultOutputTokens: z.number().positive().default(DEFAULT_OUTPUT_TOKENS),
  /**
   * Answers a model must have given (counted as in `stats()`, since creation or `resetStats()`)
   * before its running mean of completion tokens replaces `outputTokens` / `defaultOutputTokens`
   * in its expected cost. Default 20.
   */
  outputTokensMinRequests: z.number().int().min(1).default(20),
  /**
   * With `fallback` on, which models a request goes to after the chosen one fails, each once,
   * until one answers: `policy` (default) takes the model the policy would have chosen had the
   * failed ones not been there (the next choice at the same knob), `listed` the order of `models`
   * starting after the chosen one and wrapping around.
   */
  fallbackOrder: z.enum(FALLBACK_ORDERS).default('policy'),
};
