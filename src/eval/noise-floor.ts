/**
 * The noise floor of a benchmark: how far a router with no signal strays from APGR 0.5 by chance.
 * A router's APGR is one draw; on a benchmark of a few hundred prompts a random router's APGR
 * spreads by several hundredths, so a difference smaller than about two of its standard
 * deviations says nothing.
 */
import { createRng } from '../train/random.js';
import { curveMetrics, meanScore, thresholdSweep } from './metrics.js';

/** Mean and standard deviation of single random routers' APGR. */
export interface NoiseFloor {
  /** Random routers drawn (each one seed, scored once: the spread of one router's APGR). */
  draws: number;
  /** Their mean APGR (about 0.5). */
  apgrMean: number;
  /** Their standard deviation. */
  apgrSd: number;
}

/**
 * APGR of `draws` random routers (uniform scores from seeded generators, seeds 0..draws-1, so the
 * result is reproducible) on the benchmark's per-prompt scores, with the same sweep as
 * `evaluateRouters`. Null when both models score the same (APGR undefined) or `draws` < 2.
 */
export function randomNoiseFloor(strongScores: ArrayLike<number>, weakScores: ArrayLike<number>, options: { draws?: number; bins?: number } = {}): NoiseFloor | null {
  const draws = options.draws ?? 200;
  if (draws < 2) return null;
  const strongScore = meanScore(strongScores);
  const weakScore = meanScore(weakScores);
  const values: number[] = [];
  for (let seed = 0; seed < draws; seed++) {
    const rng = createRng(seed);
    const routerScores = Float64Array.from({ length: strongScores.length }, () => rng());
    const apgr = curveMetrics(thresholdSweep({ routerScores, strongScores, weakScores, bins: options.bins }), strongScore, weakScore).apgr;
    if (apgr === null) return null;
    values.push(apgr);
  }
  const apgrMean = values.reduce((a, b) => a + b, 0) / draws;
  const apgrSd = Math.sqrt(values.reduce((sum, value) => sum + (value - apgrMean) ** 2, 0) / (draws - 1));
  return { draws, apgrMean, apgrSd };
}
