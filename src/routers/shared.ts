/** Pieces shared by the routers that score a model pair (mf, sw_ranking): the pair options and finding the pair in the weights' models. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL, findModel } from '../data/models.js';
import { InvalidInputError, UnknownModelError } from '../errors.js';

import { CALIBRATION_FILE } from '../weights-format/paths.js';

/** The options of a router that scores one pair of the models its weights know. */
export const modelPairOptionsShape = {
  /**
   * The strong model: a model the weights know, an alias of one, or a key of `modelMapping`. Default: the pair
   * the weights folder's `calibration.json` was scored for (what `routellm train` chose), else gpt-4-1106-preview.
   */
  strongModel: z.string().min(1).optional(),
  /** The weak model, likewise. Default: from `calibration.json`, else mistralai/Mixtral-8x7B-Instruct-v0.1. */
  weakModel: z.string().min(1).optional(),
  /** Your deployed model names -> names the weights know, e.g. `{ "my-gpt4": "gpt-4-1106-preview" }`. */
  modelMapping: z.record(z.string(), z.string()).default({}),
};

/** The pair a weights folder was calibrated for (`calibration.json`), else the benchmarks' pair. */
export function recordedPair(weightsDir: string): { strongModel: string; weakModel: string } {
  const fallback = { strongModel: DEFAULT_STRONG_MODEL, weakModel: DEFAULT_WEAK_MODEL };
  const file = path.join(weightsDir, CALIBRATION_FILE);
  if (!existsSync(file)) return fallback;
  try {
    const { strong_model: strongModel, weak_model: weakModel } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return typeof strongModel === 'string' && typeof weakModel === 'string' ? { strongModel, weakModel } : fallback;
  } catch {
    // A corrupt sample is reported where it is read for a threshold; the pair falls back.
    return fallback;
  }
}

/** Position of `name` (a model name, an alias, or a key of `mapping`) in `models`; throws `UnknownModelError`. */
export function modelPosition(models: readonly string[], name: string, mapping: Readonly<Record<string, string>> = {}): number {
  const index = findModel(models, name, mapping);
  if (index < 0) throw new UnknownModelError(name, models);
  return index;
}

/** Positions of the strong and the weak model of `options` in `models`; a side not given comes from `recordedPair(weightsDir)`. */
export function pairPositions(
  models: readonly string[],
  options: { strongModel?: string; weakModel?: string; modelMapping: Readonly<Record<string, string>> },
  weightsDir: string,
): { strong: number; weak: number } {
  const recorded = options.strongModel !== undefined && options.weakModel !== undefined ? undefined : recordedPair(weightsDir);
  return {
    strong: modelPosition(models, options.strongModel ?? recorded!.strongModel, options.modelMapping),
    weak: modelPosition(models, options.weakModel ?? recorded!.weakModel, options.modelMapping),
  };
}

/**
 * Positions of the models a caller asks `modelScores` for: a non-empty list of names, each found
 * as `modelPosition` finds it (exact, alias, or `mapping`). Throws `InvalidInputError` for a list
 * that is not one, `UnknownModelError` for a name the weights do not know.
 */
export function requestedModelPositions(known: readonly string[], requested: unknown, mapping: Readonly<Record<string, string>> = {}): number[] {
  if (!Array.isArray(requested) || requested.length === 0) throw new InvalidInputError('models', 'a non-empty array of model names');
  return requested.map((name, i) => {
    if (typeof name !== 'string' || name.trim() === '') throw new InvalidInputError(`models[${i}]`, `a model name, got ${JSON.stringify(name)}`);
    return modelPosition(known, name, mapping);
  });
}
