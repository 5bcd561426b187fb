import { z } from 'zod';
import { embedderOrIdSchema } from '../embedder.js';
import { modelPairOptionsShape } from '../shared.js';

/** Default most battles kept from `addBattles` (the oldest go first). */
export const DEFAULT_MAX_ADDED_BATTLES = 10_000;

/** Options of the `sw_ranking` router. */
export const swRankingRouterOptionsSchema = z
  .object({
    /** Folder of the battle index (`manifest.json` + binaries). Default: the shipped `weights/sw_ranking`. */
    weightsDir: z.string().min(1).optional(),
    ...modelPairOptionsShape,
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
    /** Most battles kept from `addBattles` (each one prompt row; the oldest go first). Default 10,000. */
    maxAddedBattles: z.number().int().min(0).default(DEFAULT_MAX_ADDED_BATTLES),
    /** Queries whose similarities are computed in one matrix product (float32 indexes; the int8 kernel takes 16 at a time). Default 64. */
    queryBatchSize: z.number().int().min(1).max(4096).default(64),
  })
  .strict();

export type SwRankingRouterOptions = z.input<typeof swRankingRouterOptionsSchema>;
