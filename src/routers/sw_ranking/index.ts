/**
 * The `sw_ranking` router (similarity-weighted Elo). For each query: cosine similarity to every
 * battle prompt, battle weights `gamma * gamma^(s / max s)`, an exact weighted Bradley-Terry fit
 * over tiers of models, and the probability that the strong model's tier beats the weak model's.
 */
import { Int8VectorIndex } from '../../core/int8-vector-index.js';
import type { Embedder } from '../../embedders/types.js';
import { InvalidInputError } from '../../errors.js';
import { parseOptions } from '../../options.js';
import { shippedWeightsDir } from '../../weights-format/paths.js';
import { openRouterEmbedder } from '../embedder.js';
import { EmbeddingRouterBase } from '../embedding-router.js';
import { assertPrompts } from '../base.js';
import { pairPositions, requestedModelPositions } from '../shared.js';
import type { EmbeddingModelScoringRouter, PairRouter } from '../types.js';
import { swRankingRouterOptionsSchema, type SwRankingRouterOptions } from './options.js';
import { eloRatings, winProbability } from '../bradley-terry.js';
import { computeTiers } from '../tiers.js';
import { loadBattleIndex, type BattleIndex, type BattleInput } from './battle-index.js';
import { OnlineBattles, scoringState, type ScoringState } from './online-state.js';
import { TierScorer } from './scorer.js';

export { buildBattleIndex, loadBattleIndex, saveBattleIndex, WINNER_VALUES } from './battle-index.js';
export type { BattleIndex, BattleInput } from './battle-index.js';
export { swRankingRouterOptionsSchema } from './options.js';
export type { SwRankingRouterOptions } from './options.js';


/** The similarity-weighted Elo router. Create it with `createRouter('sw_ranking', options)` or `SwRankingRouter.create()`. */
export class SwRankingRouter extends EmbeddingRouterBase implements PairRouter, EmbeddingModelScoringRouter {
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
  /** What a query is scored against (replaced whole by `addBattles`), and the added battles. */
  private readonly online: OnlineBattles;

  private constructor(
    embedder: Embedder,
    ownsEmbedder: boolean,
    state: ScoringState,
    private readonly queryBatchSize: number,
    index: BattleIndex,
    modelTiers: Int32Array,
    strong: number,
    weak: number,
    maxAddedBattles: number,
    private readonly modelMapping: Readonly<Record<string, string>>,
  ) {
    super(embedder, ownsEmbedder);
    this.online = new OnlineBattles(index, modelTiers, state.scorer, maxAddedBattles, state);
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
    const index = await loadBattleIndex(dir);
    const { strong, weak } = pairPositions(index.models, settings, dir);
    const modelTiers = settings.numTiers === undefined || settings.numTiers === index.numTiers ? index.modelTiers : computeTiers(index, settings.numTiers).tiers;
    const scorer = new TierScorer(index, modelTiers, { gamma: settings.gamma, sameTierBattles: settings.sameTierBattles });
    return openRouterEmbedder(settings.embedder, index.embedder, dir, async (embedder, owned) => {
      const state = await scoringState(index, scorer);
      try {
        return new SwRankingRouter(embedder, owned, state, settings.queryBatchSize, index, modelTiers, strong, weak, settings.maxAddedBattles, settings.modelMapping);
      } catch (error) {
        state.dispose();
        throw error;
      }
    });
  }

  /**
   * Absorbs new battles while serving, without retraining: each battle's prompt is embedded and
   * joined to the index as a row of its own, under the loaded tiers; the next query is scored with
   * them. At most `maxAddedBattles` are kept (the oldest go first). Models must be the index's (see
   * `models`). Resolves with the number of added battles kept. Throws `InvalidInputError` for a bad battle.
   */
  async addBattles(battles: readonly BattleInput[]): Promise<number> {
    this.assertUsable();
    return this.online.add(battles, (prompts) => this.embedder.embed(prompts));
  }

  /** Battles added by `addBattles` and kept now. */
  get addedBattles(): number {
    return this.online.size;
  }

  protected async scoreEmbeddings(embeddings: Float32Array, count: number): Promise<Float32Array> {
    const scores = new Float32Array(count);
    await this.fitEach(embeddings, count, (query, beta) => (scores[query] = winProbability(beta, this.strongTier, this.weakTier)));
    return scores;
  }

  /**
   * Each of `models`' win rate against the weak model (the reference) from the query's tier
   * ratings, row-major (prompts x models): comparable across models, equal within a tier, 0.5 for
   * the weak model's tier, and the strong model's column is `strongWinRates`. Names go through the
   * alias table and `modelMapping`; an unknown one throws `UnknownModelError`.
   */
  async modelScores(prompts: readonly string[], models: readonly string[]): Promise<Float32Array> {
    this.assertUsable();
    assertPrompts(prompts);
    const tiers = this.tiersOf(models);
    if (prompts.length === 0) return new Float32Array(0);
    return this.scoreTiers(await this.embedder.embed(prompts), prompts.length, tiers);
  }

  /** `modelScores` for precomputed embeddings. */
  async modelScoresFromEmbeddings(embeddings: Float32Array, count: number, models: readonly string[]): Promise<Float32Array> {
    this.assertUsable();
    const tiers = this.tiersOf(models);
    this.checkEmbeddings(embeddings, count);
    return this.scoreTiers(embeddings, count, tiers);
  }

  private tiersOf(models: readonly string[]): number[] {
    return requestedModelPositions(this.models, models, this.modelMapping).map((position) => this.tiers[this.models[position]]);
  }

  private async scoreTiers(embeddings: Float32Array, count: number, tiers: readonly number[]): Promise<Float32Array> {
    const out = new Float32Array(count * tiers.length);
    await this.fitEach(embeddings, count, (query, beta) => {
      tiers.forEach((tier, column) => (out[query * tiers.length + column] = winProbability(beta, tier, this.weakTier)));
    });
    return out;
  }

  /**
   * Fits the tier ratings of each query embedding and hands them to `visit` (which must not keep
   * `beta`), against the scoring state current when the call starts (held until it ends).
   */
  private async fitEach(embeddings: Float32Array, count: number, visit: (query: number, beta: Float64Array) => void): Promise<void> {
    const state = this.online.acquire();
    try {
      await this.fitEachWith(state, embeddings, count, visit);
    } finally {
      this.online.release(state);
    }
  }

  private async fitEachWith(state: ScoringState, embeddings: Float32Array, count: number, visit: (query: number, beta: Float64Array) => void): Promise<void> {
    const dimension = this.embedder.dimension;
    const { int8, scorer, vectors } = state;
    if (int8) {
      // Synchronous from here to the end: the similarities stay in the kernel's result buffer, where
      // the weights and tier counts are computed from them, with nothing copied or allocated per query.
      const { vectors: codes, bins } = int8;
      const rows = codes.size;
      for (let start = 0; start < count; start += Int8VectorIndex.MAX_VIEW_QUERIES) {
        const size = Math.min(Int8VectorIndex.MAX_VIEW_QUERIES, count - start);
        const similarities = codes.similaritiesView(embeddings.subarray(start * dimension, (start + size) * dimension), size);
        for (let q = 0; q < size; q++) visit(start + q, scorer.fitBins(bins, similarities.subarray(q * rows, (q + 1) * rows)));
      }
      return;
    }
    // A scratch of another size belongs to an index since replaced: take a fresh one for this call.
    const scratch = this.weightsScratch?.length === vectors.size ? this.weightsScratch : new Float32Array(vectors.size);
    if (state === this.online.current) this.weightsScratch = scratch;
    for (let start = 0; start < count; start += this.queryBatchSize) {
      const size = Math.min(this.queryBatchSize, count - start);
      const chunk = embeddings.subarray(start * dimension, (start + size) * dimension);
      const similarities = await vectors.similarities(chunk, size);
      for (let q = 0; q < size; q++) visit(start + q, scorer.fitSimilarities(similarities, q * vectors.size, scratch));
    }
  }

  /** Elo rating of each tier for one query embedding (for inspection). */
  async tierRatingsFromEmbedding(embedding: Float32Array): Promise<Float64Array> {
    this.assertUsable();
    if (!(embedding instanceof Float32Array) || embedding.length !== this.embedder.dimension) {
      throw new InvalidInputError('embedding', `a Float32Array of ${this.embedder.dimension} values`);
    }
    const state = this.online.acquire();
    try {
      const similarities = await state.vectors.similarities(embedding, 1);
      return eloRatings(state.scorer.fitSimilarities(similarities));
    } finally {
      this.online.release(state);
    }
  }

  protected override async releaseModel(): Promise<void> {
    await this.online.close();
    this.online.current.dispose();
  }
}

/** Builds the `sw_ranking` router (registry entry). */
export function createSwRankingRouter(options: SwRankingRouterOptions = {}): Promise<SwRankingRouter> {
  return SwRankingRouter.create(options);
}
