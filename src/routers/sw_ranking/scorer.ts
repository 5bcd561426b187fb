/**
 * The per-query part of sw_ranking, after the similarities are known: battle weights
 * `gamma * gamma^(s / max s)`, one pass that adds each battle's weight into a tiers x tiers table of
 * wins (duplicated battles: a win counts 2w, a tie w each way), then the exact Newton fit of
 * `bradley-terry.ts` on that table.
 *
 * A battle between two models of the same tier says nothing about tier differences and is left
 * out (`sameTierBattles: 'drop'`, the default). The original code keeps it as a design row in which
 * numpy's second assignment overwrote the first, leaving `-ln 10` in that tier's column alone: the
 * tier plays against a fixed opponent rated 1000. `sameTierBattles: 'anchor'` reproduces that.
 *
 * When every similarity is <= 0 (so `s / max s` is undefined or flips sign) all weights are
 * `gamma`, i.e. the unweighted fit.
 *
 * Two ways to the same counts: `promptWeights` + `countsFor` in JavaScript (any similarity array),
 * or `fitBins` on an `ExpWeightedBins` of the int8 index (WebAssembly, on the similarities where the
 * kernel left them); both give the same float32 weights and the same float64 sums in the same order.
 */
import { ExpWeightedBins } from '../../core/exp-weighted-bins.js';
import { expAffine } from '../../core/fast-math.js';
import type { Int8VectorIndex } from '../../core/int8-vector-index.js';
import { emptyCounts, fitBradleyTerry, type PairwiseCounts } from '../bradley-terry.js';
import type { BattleIndex } from './battle-index.js';

/** How battles between two models of the same tier count. */
export type SameTierBattles = 'drop' | 'anchor';

/** Options of `TierScorer`. */
export interface TierScorerOptions {
  /** Base of the similarity weights. Default 10. */
  gamma?: number;
  /** Default `drop` (see the module note). */
  sameTierBattles?: SameTierBattles;
}

/** Weighted tier fits for one battle index and one tier assignment. */
export class TierScorer {
  readonly tierCount: number;
  readonly gamma: number;
  readonly sameTierBattles: SameTierBattles;
  private readonly promptCount: number;
  private readonly entryPrompt: Uint32Array;
  private readonly entryCell: Uint32Array;
  /** float32 (battle weights are float32, times 1 or 2): exact, and a third less to read per query. */
  private readonly entryAmount: Float32Array;
  private readonly referenced: Uint8Array | undefined;
  private readonly warmStart: Float64Array;
  /** The table `fitBins` fills, reused (read synchronously by the fit). */
  private readonly tableScratch: Float64Array;

  /** Prepares the battle entries; `modelTiers` gives the tier of each model of `index`. */
  constructor(index: BattleIndex, modelTiers: Int32Array, options: TierScorerOptions = {}) {
    this.gamma = options.gamma ?? 10;
    this.sameTierBattles = options.sameTierBattles ?? 'drop';
    this.promptCount = index.promptCount;
    const tiers = modelTiers.length ? Math.max(...modelTiers) + 1 : 0;
    this.tierCount = tiers;
    const anchorBase = tiers * tiers;
    const prompts: number[] = [];
    const cells: number[] = [];
    const amounts: number[] = [];
    const seen = new Uint8Array(index.promptCount);
    const add = (prompt: number, cell: number, amount: number) => {
      prompts.push(prompt);
      cells.push(cell);
      amounts.push(amount);
    };
    for (let n = 0; n < index.battleWinner.length; n++) {
      const prompt = index.battlePrompt[n];
      seen[prompt] = 1;
      const weight = index.battleWeight ? index.battleWeight[n] : 1;
      if (weight === 0) continue;
      const a = modelTiers[index.battleModelA[n]];
      const b = modelTiers[index.battleModelB[n]];
      const winner = index.battleWinner[n];
      if (a === b) {
        if (this.sameTierBattles === 'drop') continue;
        const anchorWin = anchorBase + a;
        const anchorLoss = anchorBase + tiers + a;
        if (winner === 0) add(prompt, anchorLoss, 2 * weight);
        else if (winner === 1) add(prompt, anchorWin, 2 * weight);
        else {
          add(prompt, anchorLoss, weight);
          add(prompt, anchorWin, weight);
        }
        continue;
      }
      if (winner === 0) add(prompt, a * tiers + b, 2 * weight);
      else if (winner === 1) add(prompt, b * tiers + a, 2 * weight);
      else {
        add(prompt, a * tiers + b, weight);
        add(prompt, b * tiers + a, weight);
      }
    }
    this.entryPrompt = Uint32Array.from(prompts);
    this.entryCell = Uint32Array.from(cells);
    this.entryAmount = Float32Array.from(amounts);
    this.referenced = seen.every((flag) => flag === 1) ? undefined : seen;
    this.tableScratch = new Float64Array(this.tableSize);
    this.warmStart = fitBradleyTerry(this.countsFor(new Float32Array(index.promptCount).fill(1))).beta;
  }

  /**
   * Battle weight of each prompt for one query's similarities (`similarities[offset + p]`), in
   * float32: `exp(ln gamma + (ln gamma / max s) s)` by the SIMD kernel of src/core (relative error
   * ~2e-7, below that of the float32 similarities it is computed from).
   */
  promptWeights(similarities: Float32Array, offset = 0, out: Float32Array = new Float32Array(this.promptCount)): Float32Array {
    let max = -Infinity;
    const referenced = this.referenced;
    if (referenced) {
      for (let p = 0; p < this.promptCount; p++) if (referenced[p] && similarities[offset + p] > max) max = similarities[offset + p];
    } else {
      for (let p = offset, end = offset + this.promptCount; p < end; p++) if (similarities[p] > max) max = similarities[p];
    }
    if (!(max > 0) || !Number.isFinite(max)) return out.fill(this.gamma);
    const logGamma = Math.log(this.gamma);
    return expAffine(similarities.subarray(offset, offset + this.promptCount), logGamma, logGamma / max, out);
  }

  /** Cells of the count table: tiers x tiers wins, then the anchor wins and losses of each tier. */
  private get tableSize(): number {
    return this.tierCount * this.tierCount + 2 * this.tierCount;
  }

  /** Weighted tier-by-tier win counts (duplicated battles) for prompt weights. */
  countsFor(promptWeights: Float32Array | Float64Array): PairwiseCounts {
    const table = new Float64Array(this.tableSize);
    const { entryPrompt, entryCell, entryAmount } = this;
    for (let e = 0; e < entryCell.length; e++) table[entryCell[e]] += entryAmount[e] * promptWeights[entryPrompt[e]];
    return this.countsFromTable(table);
  }

  private countsFromTable(table: Float64Array): PairwiseCounts {
    const tiers = this.tierCount;
    const counts = emptyCounts(tiers);
    counts.wins = table.subarray(0, tiers * tiers);
    if (this.sameTierBattles === 'anchor') {
      counts.anchorWins = table.subarray(tiers * tiers, tiers * tiers + tiers);
      counts.anchorLosses = table.subarray(tiers * tiers + tiers);
    }
    return counts;
  }

  /**
   * The battle entries in `index`'s WebAssembly memory, for `fitBins` on the similarities of
   * `index.similaritiesView` (`index` must hold this scorer's battle prompts, in order).
   */
  binsFor(index: Int8VectorIndex): ExpWeightedBins {
    if (index.size !== this.promptCount) throw new RangeError(`TierScorer.binsFor: the index has ${index.size} rows for ${this.promptCount} prompts`);
    return ExpWeightedBins.create(
      index,
      { source: this.entryPrompt, bin: this.entryCell, amount: this.entryAmount, binCount: this.tableSize },
      this.referenced ? { maxOver: this.referenced } : {},
    );
  }

  /**
   * Tier ratings for one query's similarities (a view from `similaritiesView` of the index `bins` was
   * made for): `fitSimilarities` with the weights and counts computed in WebAssembly.
   */
  fitBins(bins: ExpWeightedBins, similarities: Float32Array): Float64Array {
    const max = bins.max(similarities);
    const table = this.tableScratch;
    if (!(max > 0) || !Number.isFinite(max)) bins.constantSums(this.gamma, table);
    else {
      const logGamma = Math.log(this.gamma);
      bins.sums(similarities, logGamma, logGamma / max, table);
    }
    return fitBradleyTerry(this.countsFromTable(table), { initial: this.warmStart }).beta;
  }

  /** Tier ratings (base-10 log-odds) for one query's similarities. */
  fitSimilarities(similarities: Float32Array, offset = 0, weights?: Float32Array): Float64Array {
    const counts = this.countsFor(this.promptWeights(similarities, offset, weights));
    return fitBradleyTerry(counts, { initial: this.warmStart }).beta;
  }
}
