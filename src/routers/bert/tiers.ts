/**
 * Tiers of the models in a set of battles, with the sw_ranking router's tier computation:
 * unweighted Elo ratings (Bradley-Terry over duplicated battles, ties half a win each) and the
 * minimum-variance split of the sorted ratings into `numTiers` groups (tier 0 = highest rated).
 */
import type { Battle } from '../../data/types.js';
import { computeTiers } from '../sw-ranking/battle-index.js';

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
