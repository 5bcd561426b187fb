import type { Battle } from '../data/types.js';

/** A model pair by name. */
export interface ModelPair {
  strongModel: string;
  weakModel: string;
}

/**
 * The pair a trained router serves by default when the caller names none and the benchmarks' pair
 * is not in its data: among the models with at least a tenth of the battles of the most frequent
 * one (rarely seen models have noisy win rates), the highest and the lowest win rate (a tie counts
 * half). Undefined with fewer than two models.
 */
export function pairFromBattles(battles: readonly Battle[]): ModelPair | undefined {
  const counts = new Map<string, { battles: number; wins: number }>();
  const add = (model: string, win: number) => {
    const entry = counts.get(model) ?? { battles: 0, wins: 0 };
    entry.battles++;
    entry.wins += win;
    counts.set(model, entry);
  };
  for (const battle of battles) {
    const tie = battle.winner !== 'model_a' && battle.winner !== 'model_b';
    add(battle.modelA, tie ? 0.5 : battle.winner === 'model_a' ? 1 : 0);
    add(battle.modelB, tie ? 0.5 : battle.winner === 'model_b' ? 1 : 0);
  }
  const most = Math.max(0, ...[...counts.values()].map((entry) => entry.battles));
  const ranked = [...counts.entries()]
    .filter(([, entry]) => entry.battles >= most / 10)
    .map(([model, entry]) => ({ model, rate: entry.wins / entry.battles }))
    // Sorted by win rate, then by name, so the choice does not depend on the file order.
    .sort((a, b) => b.rate - a.rate || a.model.localeCompare(b.model));
  if (ranked.length < 2) return undefined;
  return { strongModel: ranked[0].model, weakModel: ranked[ranked.length - 1].model };
}
