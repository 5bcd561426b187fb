/**
 * Model tiers, shared by the sw_ranking router (tiers of its battle index) and the bert trainer
 * (strong and weak classes): unweighted Elo ratings (Bradley-Terry over duplicated battles, ties
 * half a win each), then the models sorted by rating and cut into contiguous groups.
 *
 * Objective (as the original `compute_tiers`): the sum over groups of each group's population
 * variance (numpy `np.var`), minimised over all ways to cut the sorted list into exactly
 * `min(numTiers, models)` non-empty contiguous groups, by dynamic programming over split points.
 * Tier 0 holds the highest-rated models. Equal-cost splits are broken towards the earliest cut
 * point, as the original's strict `>` comparison does. (The original's table also admits empty
 * groups when there are fewer models than tiers; here every tier is non-empty.)
 */
import type { Battle } from '../data/types.js';
import { ELO_INITIAL, ELO_SCALE, emptyCounts, fitBradleyTerry } from './bradley-terry.js';

/** Population variance of `values[start..end]` (inclusive), two-pass. */
function segmentVariance(values: ArrayLike<number>, start: number, end: number): number {
  const count = end - start + 1;
  let mean = 0;
  for (let i = start; i <= end; i++) mean += values[i];
  mean /= count;
  let sum = 0;
  for (let i = start; i <= end; i++) sum += (values[i] - mean) * (values[i] - mean);
  return sum / count;
}

/**
 * Splits a list of ratings sorted in descending order into `numTiers` contiguous groups (fewer
 * when the list is shorter) with the least total within-group variance. Returns the tier of each
 * position (0 = first group).
 */
export function splitSortedIntoTiers(sortedRatings: ArrayLike<number>, numTiers: number): Int32Array {
  const n = sortedRatings.length;
  const tiers = new Int32Array(n);
  if (n === 0) return tiers;
  const groups = Math.max(1, Math.min(Math.floor(numTiers), n));
  const variance = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) variance[i * n + j] = segmentVariance(sortedRatings, i, j);
  // best[g][j]: least cost of cutting positions 0..j into g + 1 groups; cut[g][j]: start of the last group.
  const best = Array.from({ length: groups }, () => new Float64Array(n).fill(Infinity));
  const cut = Array.from({ length: groups }, () => new Int32Array(n));
  for (let j = 0; j < n; j++) best[0][j] = variance[j];
  for (let g = 1; g < groups; g++) {
    for (let j = g; j < n; j++) {
      for (let start = g; start <= j; start++) {
        const cost = best[g - 1][start - 1] + variance[start * n + j];
        if (cost < best[g][j]) {
          best[g][j] = cost;
          cut[g][j] = start;
        }
      }
    }
  }
  let end = n - 1;
  for (let g = groups - 1; g >= 0; g--) {
    const start = g === 0 ? 0 : cut[g][end];
    for (let i = start; i <= end; i++) tiers[i] = g;
    end = start - 1;
  }
  return tiers;
}

/** Total within-group variance of a tier assignment over sorted ratings (for tests and reports). */
export function tierCost(sortedRatings: ArrayLike<number>, tiers: ArrayLike<number>): number {
  let cost = 0;
  let start = 0;
  for (let i = 1; i <= tiers.length; i++) {
    if (i === tiers.length || tiers[i] !== tiers[start]) {
      cost += segmentVariance(sortedRatings, start, i - 1);
      start = i;
    }
  }
  return cost;
}

/**
 * Tier of each model from its rating: models sorted by rating (descending, ties by name), then
 * `splitSortedIntoTiers`. Returns one tier per model, in the input order.
 */
export function assignTiers(models: readonly string[], ratings: ArrayLike<number>, numTiers: number): Int32Array {
  const order = models.map((_, i) => i);
  order.sort((x, y) => ratings[y] - ratings[x] || (models[x] < models[y] ? -1 : models[x] > models[y] ? 1 : 0));
  const sortedTiers = splitSortedIntoTiers(
    order.map((i) => ratings[i]),
    numTiers,
  );
  const tiers = new Int32Array(models.length);
  order.forEach((model, position) => (tiers[model] = sortedTiers[position]));
  return tiers;
}

/** The battles `computeTiers` reads: model positions, winner codes and optional per-battle weights. */
export type TierBattles = {
  models: readonly string[];
  battleModelA: ArrayLike<number>;
  battleModelB: ArrayLike<number>;
  /** Winner codes: 0 model A, 1 model B, anything else a tie. */
  battleWinner: ArrayLike<number>;
  battleWeight?: ArrayLike<number>;
};

/**
 * Unweighted (apart from per-battle weights) Elo ratings of every model over all battles, ties as
 * half wins, and the tier of each model split into `numTiers` groups.
 */
export function computeTiers(index: TierBattles, numTiers: number): { ratings: Float64Array; tiers: Int32Array } {
  const players = index.models.length;
  const counts = emptyCounts(players);
  for (let n = 0; n < index.battleWinner.length; n++) {
    const a = index.battleModelA[n];
    const b = index.battleModelB[n];
    if (a === b) continue;
    const weight = index.battleWeight ? index.battleWeight[n] : 1;
    const winner = index.battleWinner[n];
    if (winner === 0) counts.wins[a * players + b] += 2 * weight;
    else if (winner === 1) counts.wins[b * players + a] += 2 * weight;
    else {
      counts.wins[a * players + b] += weight;
      counts.wins[b * players + a] += weight;
    }
  }
  const beta = fitBradleyTerry(counts).beta;
  const ratings = beta.map((value) => ELO_SCALE * value + ELO_INITIAL);
  return { ratings, tiers: assignTiers(index.models, ratings, numTiers) };
}

/** Each model's rating and tier. */
export interface ModelTiers {
  models: string[];
  ratings: number[];
  tiers: number[];
}

/** Fits ratings over `battles` (their `weight` counts) and splits the models into `numTiers` tiers. */
export function tiersFromBattles(battles: readonly Battle[], numTiers: number): ModelTiers {
  const models = [...new Set(battles.flatMap((battle) => [battle.modelA, battle.modelB]))].sort();
  const index = new Map(models.map((model, i) => [model, i]));
  const count = battles.length;
  const input = {
    models,
    battleModelA: new Uint32Array(count),
    battleModelB: new Uint32Array(count),
    battleWinner: new Uint8Array(count),
    battleWeight: new Float64Array(count),
  };
  battles.forEach((battle, n) => {
    input.battleModelA[n] = index.get(battle.modelA)!;
    input.battleModelB[n] = index.get(battle.modelB)!;
    // Winner codes of WINNER_VALUES: 0 model_a, 1 model_b, 2 a tie (anything else counts as a tie).
    input.battleWinner[n] = battle.winner === 'model_a' ? 0 : battle.winner === 'model_b' ? 1 : 2;
    input.battleWeight[n] = battle.weight ?? 1;
  });
  const { ratings, tiers } = computeTiers(input, numTiers);
  return { models, ratings: Array.from(ratings), tiers: Array.from(tiers) };
}
