/**
 * A threshold copied from elsewhere (the Python RouteLLM's README, another router, other weights)
 * can send nearly everything to one model: thresholds are per router and per weights. This checks
 * a threshold against the router's calibration sample and says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { routerDefinition } from '../routers/registry.js';
import { CALIBRATION_FILE, shippedWeightsDir } from '../weights-format/paths.js';
import { calibrationFileSchema } from './index.js';

/** Below this share of the sample (or above 1 minus it) sent to the strong model, a threshold is reported. */
export const EXTREME_STRONG_SHARE = 0.05;

/**
 * The share of the router's calibration sample (`calibration.json` in `weightsDir`, default the
 * shipped weights) that `threshold` sends to the strong model; undefined when there is no usable
 * sample. A router with uniform scores (random) and no sample sends `1 - threshold`.
 */
export function strongShareOnSample(router: string, threshold: number, weightsDir?: string): number | undefined {
  const definition = routerDefinition(router);
  const file = path.join(weightsDir ?? shippedWeightsDir(definition?.name ?? router), CALIBRATION_FILE);
  if (!existsSync(file)) return definition?.calibration === 'uniform' ? 1 - threshold : undefined;
  try {
    const parsed = calibrationFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success || parsed.data.scores.length === 0) return undefined;
    return parsed.data.scores.filter((score) => score >= threshold).length / parsed.data.scores.length;
  } catch {
    // An unreadable sample is reported where a threshold is calibrated from it; no warning here.
    return undefined;
  }
}

/** A warning when `threshold` sends over 95% or under 5% of the router's calibration sample to the strong model. */
export function extremeThresholdWarning(router: string, threshold: number, weightsDir?: string): string | undefined {
  const share = strongShareOnSample(router, threshold, weightsDir);
  if (share === undefined || (share >= EXTREME_STRONG_SHARE && share <= 1 - EXTREME_STRONG_SHARE)) return undefined;
  return (
    `routellm: threshold ${threshold} sends ${(share * 100).toFixed(1)}% of the ${router} router's calibration sample to the strong model. ` +
    `Thresholds are per router and per weights (one from the Python RouteLLM's README means something else here): ` +
    `choose one with \`routellm calibrate --router ${router} --strong-model-pct 0.5\` or calibrateThreshold(); see docs/from-python.md.`
  );
}
