/**
 * What an sw_ranking query is scored against (similarity index, tier scorer, and the int8 bins), and
 * its replacement when battles are added while serving: a new state is built beside the current one,
 * swapped in at once, and the old one is disposed when the last query that holds it has finished.
 */
import type { ExpWeightedBins } from '../../core/exp-weighted-bins.js';
import { Int8VectorIndex, int8KernelAvailable } from '../../core/int8-vector-index.js';
import { VectorIndex, type SimilarityIndex } from '../../core/ops.js';
import type { BattleIndex, BattleInput } from './battle-index.js';
import { checkAddedBattles, joinAddedBattles, type AddedBattle } from './online.js';
import { TierScorer } from './scorer.js';

/** The scoring structures of one battle index. */
export interface ScoringState {
  vectors: SimilarityIndex;
  /** With an int8 index: the battle entries in its WebAssembly memory (weights and tier counts computed there). */
  int8: { vectors: Int8VectorIndex; bins: ExpWeightedBins } | undefined;
  scorer: TierScorer;
  dispose(): void;
}

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

/** Builds the scoring state of `index` with `scorer` (made for the same index). */
export async function scoringState(index: BattleIndex, scorer: TierScorer): Promise<ScoringState> {
  const vectors = await similarityIndexFor(index);
  try {
    const int8 = vectors instanceof Int8VectorIndex ? { vectors, bins: scorer.binsFor(vectors) } : undefined;
    return {
      vectors,
      int8,
      scorer,
      dispose: () => {
        int8?.bins.dispose();
        vectors.dispose();
      },
    };
  } catch (error) {
    vectors.dispose();
    throw error;
  }
}

/** The battles added to a router while serving, and the states built from them. */
export class OnlineBattles {
  private readonly added: AddedBattle[] = [];
  private readonly holders = new Map<ScoringState, number>();
  private readonly retired = new Set<ScoringState>();
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly base: BattleIndex,
    private readonly modelTiers: Int32Array,
    /** The loaded index's scorer: its options are those of every later one. */
    private readonly baseScorer: TierScorer,
    readonly maxAdded: number,
    /** The state queries are scored against now. */
    public current: ScoringState,
  ) {}

  /** Added battles kept now. */
  get size(): number {
    return this.added.length;
  }

  /** Marks a state in use by one query (pair it with `release`). */
  acquire(): ScoringState {
    const state = this.current;
    this.holders.set(state, (this.holders.get(state) ?? 0) + 1);
    return state;
  }

  /** Ends one query's use of a state; a replaced state is disposed with its last user. */
  release(state: ScoringState): void {
    const count = (this.holders.get(state) ?? 1) - 1;
    if (count > 0) this.holders.set(state, count);
    else {
      this.holders.delete(state);
      if (this.retired.delete(state)) state.dispose();
    }
  }

  /** Checks, embeds and adds battles, then swaps in a state that includes them. Calls run one at a time. */
  add(battles: readonly BattleInput[], embed: (prompts: string[]) => Promise<Float32Array>): Promise<number> {
    const checked = checkAddedBattles(this.base, battles);
    const run = this.pending.then(async () => {
      if (checked.length === 0) return this.added.length;
      const dimension = this.base.embedder.dimension;
      const embeddings = await embed(battles.map((battle) => battle.prompt));
      checked.forEach((battle, n) => this.added.push({ ...battle, embedding: embeddings.slice(n * dimension, (n + 1) * dimension) }));
      if (this.added.length > this.maxAdded) this.added.splice(0, this.added.length - this.maxAdded);
      const joined = joinAddedBattles(this.base, this.added);
      const { gamma, sameTierBattles } = this.baseScorer;
      const next = await scoringState(joined, new TierScorer(joined, this.modelTiers, { gamma, sameTierBattles }));
      const previous = this.current;
      this.current = next;
      if (this.holders.has(previous)) this.retired.add(previous);
      else previous.dispose();
      return this.added.length;
    });
    this.pending = run.catch(() => undefined);
    return run;
  }

  /** Waits for additions in progress and disposes every replaced state (the current one stays the caller's). */
  async close(): Promise<void> {
    await this.pending;
    for (const state of this.retired) state.dispose();
    this.retired.clear();
  }
}
