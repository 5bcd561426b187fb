/**
 * Threshold calibration: the threshold that sends a chosen share of traffic to the strong model
 * is the (1 - share) quantile of the router's scores on a sample of that traffic.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { InvalidInputError, WeightsError } from '../errors.js';
import { sameModel } from '../data/models.js';
import { quantileSorted } from '../eval/metrics.js';
import { parseOptions } from '../options.js';
import { assertPrompts } from '../routers/base.js';
import { createRouter, routerDefinition } from '../routers/registry.js';
import type { Router } from '../routers/types.js';
import { CALIBRATION_FILE, shippedWeightsDir } from '../weights-format/paths.js';

export { CALIBRATION_FILE };

/** Options of `calibrateThreshold`. */
export const calibrateOptionsSchema = z
  .object({
    /** The router: a built router, or a registry name (built with `routerOptions`). */
    router: z.union([z.string().min(1), z.custom<Router>((value) => typeof (value as Router)?.strongWinRates === 'function', 'a Router')]),
    /** Share of prompts to send to the strong model, in (0, 1) (0 and 1 are accepted: all weak / all strong). */
    strongModelPct: z.number().min(0).max(1),
    /** Prompts from your own traffic to calibrate on (the router scores them). */
    prompts: z.array(z.string()).optional(),
    /** The router's scores on your traffic, if you already have them (takes precedence over `prompts`). */
    scores: z.custom<ArrayLike<number>>((value) => Array.isArray(value) || ArrayBuffer.isView(value), 'an array of numbers').optional(),
    /** Options for `createRouter` when `router` is a name. */
    routerOptions: z.record(z.string(), z.unknown()).optional(),
    /**
     * Weights folder whose `calibration.json` holds the default sample, used when neither `prompts`
     * nor `scores` is given. Default: the router's shipped weights folder (`weights/<router>`).
     */
    weightsDir: z.string().optional(),
    /**
     * The strong/weak pair the threshold is for. The default sample was scored for one pair (recorded
     * in `calibration.json`); asking for another pair without prompts or scores is an error.
     */
    strongModel: z.string().optional(),
    weakModel: z.string().optional(),
  })
  .strict();

/** Input of `calibrateThreshold`. */
export type CalibrateOptions = z.input<typeof calibrateOptionsSchema>;

/** Where the scores of a calibration came from. */
export type CalibrationSource = 'scores' | 'prompts' | 'default-sample' | 'uniform';

/** Result of `calibrateThreshold`. */
export interface Calibration {
  /** Route to strong when the router's score is >= this threshold. */
  threshold: number;
  /** Share of the calibration prompts that this threshold actually sends to strong (ties can make it differ from the request). */
  strongModelPct: number;
  /** Number of scores the threshold was computed from (0 for the analytic uniform case of `random`). */
  count: number;
  /** What was calibrated on. */
  source: CalibrationSource;
  /** For the default sample: which prompts they are (from `calibration.json`). */
  sample?: string;
}

/** The `calibration.json` a router's weights folder ships: the router's scores on a default sample of general chat prompts. */
export const calibrationFileSchema = z.object({
  /** Format version. */
  format: z.literal(1),
  /** Router name. */
  router: z.string(),
  /** Which prompts were scored (file and rule), in words. */
  prompts: z.string(),
  /** Number of prompts. */
  count: z.number().int().nonnegative(),
  /** The strong/weak pair the scores are for. */
  strong_model: z.string().optional(),
  weak_model: z.string().optional(),
  /** Checksum of the weights the scores were computed with. */
  weights_checksum: z.string().optional(),
  /** When the file was made (ISO date). */
  created: z.string().optional(),
  /** The router's score for each prompt. */
  scores: z.array(z.number().min(0).max(1)),
});

/** Contents of a `calibration.json` file. */
export type CalibrationFile = z.output<typeof calibrationFileSchema>;

/**
 * The threshold that sends `strongModelPct` of the given scores to the strong model: the
 * (1 - strongModelPct) quantile (linear interpolation, as numpy's default), and the share of scores
 * that are >= it.
 */
export function thresholdFromScores(scores: ArrayLike<number>, strongModelPct: number): { threshold: number; strongModelPct: number } {
  if (scores.length === 0) throw new InvalidInputError('calibration scores', 'at least one score');
  if (!(strongModelPct >= 0 && strongModelPct <= 1)) throw new InvalidInputError('strongModelPct', 'a number in [0, 1]');
  const sorted = Float64Array.from(scores).sort();
  for (const value of sorted) {
    if (!Number.isFinite(value)) throw new InvalidInputError('calibration scores', 'finite numbers');
  }
  const threshold = quantileSorted(sorted, 1 - strongModelPct);
  let strong = 0;
  for (const value of sorted) if (value >= threshold) strong++;
  return { threshold, strongModelPct: strong / sorted.length };
}

/** Reads and validates a `calibration.json` file. */
export async function readCalibrationFile(file: string): Promise<CalibrationFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new WeightsError('missing', file, 'no calibration sample; pass prompts (or --input) to calibrate on your own traffic', { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new WeightsError('corrupt', file, `not JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = calibrationFileSchema.safeParse(json);
  if (!parsed.success) throw new WeightsError('corrupt', file, z.prettifyError(parsed.error));
  if (parsed.data.scores.length !== parsed.data.count) {
    throw new WeightsError('corrupt', file, `count is ${parsed.data.count} but there are ${parsed.data.scores.length} scores`);
  }
  return parsed.data;
}

/**
 * Calibrates a router's threshold so that `strongModelPct` of calls go to the strong model.
 *
 * - With `scores`: the (1 - p) quantile of those scores.
 * - With `prompts`: the router scores them first (your own traffic: the best sample).
 * - With neither: the scores shipped in the router's weights folder (`calibration.json`, the
 *   router's scores on a default sample of general chat prompts; its `prompts` field says which).
 *   The `random` router needs no sample: its scores are uniform on [0, 1), so the threshold is 1 - p.
 *
 * Returns the threshold and the share it achieves on the calibration sample.
 */
export async function calibrateThreshold(options: CalibrateOptions): Promise<Calibration> {
  const parsed = parseOptions(calibrateOptionsSchema, options, 'calibrateThreshold options');
  const p = parsed.strongModelPct;
  if (parsed.scores) {
    return { ...thresholdFromScores(parsed.scores, p), count: parsed.scores.length, source: 'scores' };
  }
  if (parsed.prompts) {
    assertPrompts(parsed.prompts);
    if (parsed.prompts.length === 0) throw new InvalidInputError('calibration prompts', 'at least one prompt');
    const owned = typeof parsed.router === 'string';
    const router = typeof parsed.router === 'string' ? await createRouter(parsed.router, parsed.routerOptions ?? {}) : parsed.router;
    try {
      const scores = await router.strongWinRates(parsed.prompts);
      return { ...thresholdFromScores(scores, p), count: scores.length, source: 'prompts' };
    } finally {
      if (owned) await router.dispose();
    }
  }
  const name = typeof parsed.router === 'string' ? parsed.router : parsed.router.name;
  const definition = routerDefinition(name);
  const canonical = definition?.name ?? name;
  const weightsDir = parsed.weightsDir ?? shippedWeightsDir(canonical);
  const file = path.join(weightsDir, CALIBRATION_FILE);
  if (definition?.calibration === 'uniform' && !existsSync(file)) {
    return { threshold: 1 - p, strongModelPct: p, count: 0, source: 'uniform' };
  }
  const sample = await readCalibrationFile(file);
  for (const [side, wanted, recorded] of [
    ['strong', parsed.strongModel, sample.strong_model],
    ['weak', parsed.weakModel, sample.weak_model],
  ] as const) {
    if (wanted !== undefined && recorded !== undefined && !sameModel(wanted, recorded)) {
      throw new InvalidInputError(
        `${side} model "${wanted}" for the default calibration sample`,
        `the pair it was scored for (strong ${sample.strong_model}, weak ${sample.weak_model}); pass your own prompts (--input) to calibrate another pair`,
      );
    }
  }
  return { ...thresholdFromScores(sample.scores, p), count: sample.count, source: 'default-sample', sample: sample.prompts };
}
