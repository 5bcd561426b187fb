import { z } from 'zod';
import { controllerOptionsSchema } from '../controller/options.js';

/** Options of `labelPrompts` (and `routellm label`). Provider fields are the Controller's. */
export const labelOptionsSchema = z
  .object({
    /** JSON Lines file of prompts: each row has a `prompt` string or a `messages` array (OpenAI chat format). */
    input: z.string().min(1),
    /**
     * Labels file, appended to: battles (`prompt`, `model_a` = strong, `model_b` = weak, `winner`,
     * `rating`, `key`) that `routellm train` reads, with `scores` (strong 1, weak `(rating - 1) / 4`)
     * that `routellm eval --benchmark` reads.
     */
    output: z.string().min(1),
    /** Answers file, appended to. Default: `<output>` with `.answers.jsonl` in place of `.jsonl`. */
    answers: z.string().min(1).optional(),
    /** Failures of the last run (rewritten by each run). Default: `<output>` with `.failed.jsonl`. */
    failures: z.string().min(1).optional(),
    /** The strong (expensive) model id; its answer is the judge's reference. */
    strongModel: z.string().min(1),
    /** The weak (cheap) model id; its answer is graded. */
    weakModel: z.string().min(1),
    /** The judge model id. */
    judgeModel: z.string().min(1),
    /** Judge prompt with `{question}`, `{reference}`, `{answer}`. Default `DEFAULT_JUDGE_TEMPLATE`. */
    template: z.string().min(1).optional(),
    /** Lowest rating at which the weak model wins (`ratingOutcome`). Default 4. */
    weakWinsFrom: z.number().int().min(2).max(5).default(4),
    /** Prompts labelled at once. Default 8. */
    concurrency: z.number().int().min(1).max(256).default(8),
    /** Label at most the first n distinct prompts of the input. Default: all. */
    limit: z.number().int().positive().optional(),
    /** Start no new prompt once this many dollars are spent (needs `prices` for all three models). */
    maxCost: z.number().positive().optional(),
    /** `max_tokens` of the answers. Default: none (the provider's; 4096 for Anthropic). */
    maxTokens: z.number().int().positive().optional(),
    /** Temperature of every call. Default 0, so a re-run of the judge gives the same rating. */
    temperature: z.number().min(0).max(2).default(0),
    /** Retries of each call by the SDK, with exponential backoff honouring `retry-after` (429, 5xx, connection). Default 5. */
    maxRetries: z.number().int().min(0).default(5),
    /** Progress bar on stderr with rate, ETA and spend. Default false. */
    progress: z.boolean().default(false),
    ...controllerOptionsSchema.pick({ providers: true, endpoints: true, prices: true, timeoutMs: true, anthropicMaxTokens: true }).shape,
  })
  .strict();

/** Options of `labelPrompts` as the caller writes them. */
export type LabelOptions = z.input<typeof labelOptionsSchema>;
/** Options after validation and defaults. */
export type ResolvedLabelOptions = z.output<typeof labelOptionsSchema>;
