import { z } from 'zod';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL } from '../../data/models.js';
import { embedderOrIdSchema } from '../embedder.js';

/** Options of the `sw_ranking` router. */
export const swRankingRouterOptionsSchema = z
  .object({
    /** Folder of the battle index (`manifest.json` + binaries). Default: the shipped `weights/sw_ranking`. */
    weightsDir: z.string().min(1).optional(),
    /** The strong model: a model of the battle set, an alias of one, or a key of `modelMapping`. Default `gpt-4-1106-preview`. */
    strongModel: z.string().min(1).default(DEFAULT_STRONG_MODEL),
    /** The weak model, likewise. Default `mistralai/Mixtral-8x7B-Instruct-v0.1`. */
    weakModel: z.string().min(1).default(DEFAULT_WEAK_MODEL),
    /** Your deployed model names -> model names of the battle set, e.g. `{ "my-gpt4": "gpt-4-1106-preview" }`. */
    modelMapping: z.record(z.string(), z.string()).default({}),
    /** Number of tiers. Default: the tiers stored with the index (10 unless built otherwise); another value recomputes them. */
    numTiers: z.number().int().min(1).max(1000).optional(),
    /** Base of the similarity weights `gamma * gamma^(s / max s)`. Default 10 (the original). */
    gamma: z.number().gt(1).max(1e6).default(10),
    /**
     * Battles between two models of the same tier: `drop` (default; they carry no information about
     * tier differences) or `anchor` (the original code's effect: the tier plays a fixed opponent at 1000).
     */
    sameTierBattles: z.enum(['drop', 'anchor']).default('drop'),
    /**
     * The embedder for queries, or an embedder id for `createEmbedder` (e.g. `use-lite`); it must be the
     * one the index was built with. Default: `createEmbedder(<the index's embedder id>)` (`use-lite` for the shipped index).
     */
    embedder: embedderOrIdSchema.optional(),
    /** Queries whose similarities are computed in one matrix product (float32 indexes; the int8 kernel takes 16 at a time). Default 64. */
    queryBatchSize: z.number().int().min(1).max(4096).default(64),
  })
  .strict();

export type SwRankingRouterOptions = z.input<typeof swRankingRouterOptionsSchema>;
