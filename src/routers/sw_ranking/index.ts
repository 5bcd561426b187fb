/**
 * The `sw_ranking` router (similarity-weighted Elo). For each query: cosine similarity to every
 * battle prompt, battle weights `gamma * gamma^(s / max s)`, an exact weighted Bradley-Terry fit
 * over tiers of models, and the probability that the strong model's tier beats the weak model's.
 */
import { z } from 'zod';
import type { ExpWeightedBins } from '../../core/exp-weighted-bins.js';
import { Int8VectorIndex, int8KernelAvailable } from '../../core/int8-vector-index.js';
import { VectorIndex, type SimilarityIndex } from '../../core/ops.js';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL } from '../../data/models.js';
import { createEmbedder } from '../../embedders/registry.js';
import type { Embedder } from '../../embedders/types.js';
import { InvalidInputError } from '../../errors.js';
import { parseOptions } from '../../options.js';
import { shippedWeightsDir } from '../../weights-format/paths.js';
import { BaseRouter } from '../base.js';
import { embedderOrIdSchema } from '../embedder.js';
import { resolveModel } from '../shared.js';
import type { EmbeddingRouter } from '../types.js';
import { eloRatings, winProbability } from '../bradley-terry.js';
import { computeTiers } from '../tiers.js';
import { loadBattleIndex, type BattleIndex } from './battle-index.js';
import { TierScorer } from './scorer.js';

export { buildBattleIndex, loadBattleIndex, saveBattleIndex, WINNER_VALUES } from './battle-index.js';
export type { BattleIndex, BattleInput } from './battle-index.js';

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

/**
 * The similarity index of a battle index: int8 codes stay int8 (the SIMD kernel of src/core reads a
 * quarter of the bytes of float32 rows and gives the same cosines to ~1e-6); float32 embeddings, or
 * a runtime without WebAssembly SIMD, use the tensor backend's matrix product.
 */
async function similarityIndexFor(index: BattleIndex): Promise<SimilarityIndex> {
  const { promptCount, embedder } = index;
  if (index.promptCodes && int8KernelAvailable()) return Int8VectorIndex.create(index.promptCodes, promptCount, embedder.dimension);
  return VectorIndex.create(index.promptEmbeddings, promptCount, embedder.dimension);
}

/** The similarity-weighted Elo router. Create it with `createRouter('sw_ranking', options)` or `SwRankingRouter.create()`. */
export class SwRankingRouter extends BaseRouter implements EmbeddingRouter {
  readonly name = 'sw_ranking';
  /** The battle set's model names, as stored. */
  readonly models: readonly string[];
  /** Model of the battle set used as the strong model, and its tier. */
  readonly strongModel: string;
  readonly strongTier: number;
  /** Model of the battle set used as the weak model, and its tier. */
  readonly weakModel: string;
  readonly weakTier: number;
  /** Tier of each model (0 = strongest), by model name. */
  readonly tiers: Readonly<Record<string, number>>;
  /** Prompt weights of one query, reused across calls (filled and read synchronously). */
  private weightsScratch: Float32Array | undefined;

  private constructor(
    readonly embedder: Embedder,
    private readonly ownsEmbedder: boolean,
    private readonly vectors: SimilarityIndex,
    /** With an int8 index: the battle entries in its WebAssembly memory (weights and tier counts computed there). */
    private readonly int8: { vectors: Int8VectorIndex; bins: ExpWeightedBins } | undefined,
    private readonly scorer: TierScorer,
    private readonly queryBatchSize: number,
    index: BattleIndex,
    modelTiers: Int32Array,
    strong: number,
    weak: number,
  ) {
    super();
    this.models = index.models;
    this.strongModel = index.models[strong];
    this.weakModel = index.models[weak];
    this.strongTier = modelTiers[strong];
    this.weakTier = modelTiers[weak];
    this.tiers = Object.freeze(Object.fromEntries(index.models.map((model, i) => [model, modelTiers[i]])));
  }

  /** Loads the index, resolves the model pair and builds the similarity index. */
  static async create(options: SwRankingRouterOptions = {}): Promise<SwRankingRouter> {
    const settings = parseOptions(swRankingRouterOptionsSchema, options, 'sw_ranking router options');
    const dir = settings.weightsDir ?? shippedWeightsDir('sw_ranking');
    const owned = typeof settings.embedder === 'string' ? await createEmbedder(settings.embedder) : undefined;
    const given = owned ?? (typeof settings.embedder === 'object' ? settings.embedder : undefined);
    let created: Embedder | undefined;
    let vectors: SimilarityIndex | undefined;
    try {
      const index = await loadBattleIndex(dir, given ? { embedder: { id: given.id, dimension: given.dimension } } : {});
      const strong = resolveModel(index.models, settings.strongModel, settings.modelMapping);
      const weak = resolveModel(index.models, settings.weakModel, settings.modelMapping);
      const modelTiers =
        settings.numTiers === undefined || settings.numTiers === index.numTiers ? index.modelTiers : computeTiers(index, settings.numTiers).tiers;
      const scorer = new TierScorer(index, modelTiers, { gamma: settings.gamma, sameTierBattles: settings.sameTierBattles });
      const embedder = given ?? (created = await createEmbedder(index.embedder.id));
      vectors = await similarityIndexFor(index);
      const int8 = vectors instanceof Int8VectorIndex ? { vectors, bins: scorer.binsFor(vectors) } : undefined;
      return new SwRankingRouter(embedder, (owned ?? created) !== undefined, vectors, int8, scorer, settings.queryBatchSize, index, modelTiers, strong, weak);
    } catch (error) {
      vectors?.dispose();
      await (owned ?? created)?.dispose();
      throw error;
    }
  }

  protected async scoreBatch(prompts: readonly string[]): Promise<Float32Array> {
    const embeddings = await this.embedder.embed(prompts);
    return this.strongWinRatesFromEmbeddings(embeddings, prompts.length);
  }

  async strongWinRatesFromEmbeddings(embeddings: Float32Array, count: number): Promise<Float32Array> {
    this.assertUsable();
    const dimension = this.embedder.dimension;
    if (!Number.isInteger(count) || count < 0) throw new InvalidInputError('count', 'a non-negative integer');
    if (!(embeddings instanceof Float32Array) || embeddings.length !== count * dimension) {
      throw new InvalidInputError(
        'embeddings',
        `a Float32Array of ${count} x ${dimension} = ${count * dimension} values for embedder "${this.embedder.id}", got ${
          embeddings instanceof Float32Array ? embeddings.length : typeof embeddings
        }${embeddings instanceof Float32Array && count > 0 && embeddings.length % count === 0 ? ` (${embeddings.length / count} per row)` : ''}`,
      );
    }
    const scores = new Float32Array(count);
    if (this.int8) {
      // Synchronous from here to the end: the similarities stay in the kernel's result buffer, where
      // the weights and tier counts are computed from them, with nothing copied or allocated per query.
      const { vectors, bins } = this.int8;
      const rows = vectors.size;
      for (let start = 0; start < count; start += Int8VectorIndex.MAX_VIEW_QUERIES) {
        const size = Math.min(Int8VectorIndex.MAX_VIEW_QUERIES, count - start);
        const similarities = vectors.similaritiesView(embeddings.subarray(start * dimension, (start + size) * dimension), size);
        for (let q = 0; q < size; q++) {
          const beta = this.scorer.fitBins(bins, similarities.subarray(q * rows, (q + 1) * rows));
          scores[start + q] = winProbability(beta, this.strongTier, this.weakTier);
        }
      }
      return scores;
    }
    const weights = (this.weightsScratch ??= new Float32Array(this.vectors.size));
    for (let start = 0; start < count; start += this.queryBatchSize) {
      const size = Math.min(this.queryBatchSize, count - start);
      const chunk = embeddings.subarray(start * dimension, (start + size) * dimension);
      const similarities = await this.vectors.similarities(chunk, size);
      for (let q = 0; q < size; q++) {
        const beta = this.scorer.fitSimilarities(similarities, q * this.vectors.size, weights);
        scores[start + q] = winProbability(beta, this.strongTier, this.weakTier);
      }
    }
    return scores;
  }

  /** Elo rating of each tier for one query embedding (for inspection). */
  async tierRatingsFromEmbedding(embedding: Float32Array): Promise<Float64Array> {
    this.assertUsable();
    if (!(embedding instanceof Float32Array) || embedding.length !== this.embedder.dimension) {
      throw new InvalidInputError('embedding', `a Float32Array of ${this.embedder.dimension} values`);
    }
    const similarities = await this.vectors.similarities(embedding, 1);
    return eloRatings(this.scorer.fitSimilarities(similarities));
  }

  protected override async release(): Promise<void> {
    this.int8?.bins.dispose();
    this.vectors.dispose();
    if (this.ownsEmbedder) await this.embedder.dispose();
  }
}
