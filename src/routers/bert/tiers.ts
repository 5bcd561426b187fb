/**
 * Tiers of the models in a set of battles, with the sw_ranking router's tier computation:
 * unweighted Elo ratings (Bradley-Terry over duplicated battles, ties half a win each) and the
 * minimum-variance split of the sorted ratings into `numTiers` groups (tier 0 = highest rated).
 */
import type { Battle } from '../../data/types.js';
import { ELO_INITIAL, ELO_SCALE, emptyCounts, fitBradleyTerry } from '../sw-ranking/bradley-terry.js';
import { assignTiers } from '../sw-ranking/tiers.js';

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
  const players = models.length;
  const counts = emptyCounts(players);
  for (const battle of battles) {
    const a = index.get(battle.modelA)!;
    const b = index.get(battle.modelB)!;
    if (a === b) continue;
    const weight = battle.weight ?? 1;
    if (battle.winner === 'model_a') counts.wins[a * players + b] += 2 * weight;
    else if (battle.winner === 'model_b') counts.wins[b * players + a] += 2 * weight;
    else {
      counts.wins[a * players + b] += weight;
      counts.wins[b * players + a] += weight;
    }
  }
  const beta = fitBradleyTerry(counts).beta;
  const ratings = Array.from(beta, (value) => ELO_SCALE * value + ELO_INITIAL);
  return { models, ratings, tiers: Array.from(assignTiers(models, ratings, numTiers)) };
}
