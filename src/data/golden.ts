import { createRng, sampleIndices } from '../train/random.js';
import { canonicalModelName } from './models.js';
import type { Battle, ScoreRow, Winner } from './types.js';

/** Options of `scoreRowsToBattles` (the golden-label rule). */
export interface GoldenLabelOptions {
  /** A score difference below this is a tie. Default 0.1 (0/1 correctness is unaffected). */
  margin?: number;
  /** `keep` ties (`tie`), or `drop` them before sampling (MF trains on decisive pairs only). Default `keep`. */
  ties?: 'keep' | 'drop';
  /** Most battles per prompt, sampled without replacement; default: all pairs. */
  maxPairsPerPrompt?: number;
  /** Seed of the pair sampling. Default 0. */
  seed?: number;
  /**
   * Weight per source (exact source name, else the part before the first `-`, e.g. `routerbench`),
   * put on each battle. Sources not listed get no weight (1).
   */
  sourceWeights?: Readonly<Record<string, number>>;
  /** Only these model pairs (either order; names go through the alias table). Default: all pairs. */
  pairs?: readonly (readonly [string, string])[];
  /** Only models in this list (names go through the alias table). Default: all. */
  models?: readonly string[];
  /** Pairs always kept when present (either order), on top of the `maxPairsPerPrompt` sample. */
  keepPairs?: readonly (readonly [string, string])[];
}

/** The weight `sourceWeights` gives a source: exact name, else the prefix before the first `-`. */
export function weightForSource(source: string, sourceWeights: Readonly<Record<string, number>> = {}): number | undefined {
  if (sourceWeights[source] !== undefined) return sourceWeights[source];
  const prefix = source.split('-')[0];
  return sourceWeights[prefix];
}

/** The golden-label outcome of model A (score `a`) against model B (score `b`). */
export function goldenWinner(a: number, b: number, margin = 0.1): Winner {
  if (Math.abs(a - b) < margin) return 'tie';
  return a > b ? 'model_a' : 'model_b';
}

/**
 * Turns correctness or score rows into battles by the golden-label rule of the data README: for
 * each pair of models on a prompt, the higher score wins and a difference under `margin` is a
 * tie. A prompt with k models gives k(k-1)/2 candidate battles, optionally filtered by `pairs`,
 * `models` and `ties`, then capped by `maxPairsPerPrompt` (seeded sampling), so no source drowns
 * the others. Model order inside a battle is randomised by the same seed.
 */
export function scoreRowsToBattles(rows: readonly ScoreRow[], options: GoldenLabelOptions = {}): Battle[] {
  const margin = options.margin ?? 0.1;
  const rng = createRng(options.seed ?? 0);
  const allowedPairs = pairKeys(options.pairs);
  const allowedModels = options.models ? new Set(options.models.map(canonicalModelName)) : undefined;
  const keptPairs = pairKeys(options.keepPairs);
  const out: Battle[] = [];
  for (const row of rows) {
    const models = Object.keys(row.scores).filter((model) => !allowedModels || allowedModels.has(model)).sort();
    const candidates: Battle[] = [];
    for (let i = 0; i < models.length; i++) {
      for (let j = i + 1; j < models.length; j++) {
        if (allowedPairs && !allowedPairs.has(`${models[i]}\u0000${models[j]}`)) continue;
        const winner = goldenWinner(row.scores[models[i]], row.scores[models[j]], margin);
        if (winner === 'tie' && options.ties === 'drop') continue;
        candidates.push({ prompt: row.prompt, modelA: models[i], modelB: models[j], winner, source: row.source });
      }
    }
    const kept = keptPairs ? candidates.flatMap((battle, i) => (keptPairs.has(`${battle.modelA}\u0000${battle.modelB}`) ? [i] : [])) : [];
    const rest = candidates.map((_, i) => i).filter((i) => !kept.includes(i));
    const cap = options.maxPairsPerPrompt ?? rest.length;
    const sampled = cap >= rest.length ? rest : sampleIndices(rest.length, cap, rng).map((position) => rest[position]);
    const chosen = [...kept, ...sampled].sort((a, b) => a - b);
    const weight = weightForSource(row.source, options.sourceWeights);
    for (const index of chosen) {
      const battle = candidates[index];
      if (rng() < 0.5) {
        [battle.modelA, battle.modelB] = [battle.modelB, battle.modelA];
        if (battle.winner === 'model_a') battle.winner = 'model_b';
        else if (battle.winner === 'model_b') battle.winner = 'model_a';
      }
      if (weight !== undefined) battle.weight = weight;
      out.push(battle);
    }
  }
  return out;
}

/** Canonical `a\u0000b` keys of `pairs`, both orders; undefined when `pairs` is. */
export function pairKeys(pairs: readonly (readonly [string, string])[] | undefined): Set<string> | undefined {
  if (!pairs) return undefined;
  return new Set(
    pairs.flatMap(([a, b]) => {
      const x = canonicalModelName(a);
      const y = canonicalModelName(b);
      return [`${x}\u0000${y}`, `${y}\u0000${x}`];
    }),
  );
}
