/** Pieces shared by the routers that score a model pair (mf, sw_ranking): the pair options and finding the pair in the weights' models. */
import { z } from 'zod';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL, findModel } from '../data/models.js';
import { InvalidInputError, UnknownModelError } from '../errors.js';

/** The options of a router that scores one pair of the models its weights know. */
export const modelPairOptionsShape = {
  /** The strong model: a model the weights know, an alias of one, or a key of `modelMapping`. Default gpt-4-1106-preview. */
  strongModel: z.string().min(1).default(DEFAULT_STRONG_MODEL),
  /** The weak model, likewise. Default mistralai/Mixtral-8x7B-Instruct-v0.1. */
  weakModel: z.string().min(1).default(DEFAULT_WEAK_MODEL),
  /** Your deployed model names -> names the weights know, e.g. `{ "my-gpt4": "gpt-4-1106-preview" }`. */
  modelMapping: z.record(z.string(), z.string()).default({}),
};

/** Position of `name` (a model name, an alias, or a key of `mapping`) in `models`; throws `UnknownModelError`. */
export function modelPosition(models: readonly string[], name: string, mapping: Readonly<Record<string, string>> = {}): number {
  const index = findModel(models, name, mapping);
  if (index < 0) throw new UnknownModelError(name, models);
  return index;
}

/** Positions of the strong and the weak model of `options` in `models` (see `modelPosition`). */
export function pairPositions(models: readonly string[], options: { strongModel: string; weakModel: string; modelMapping: Readonly<Record<string, string>> }): { strong: number; weak: number } {
  return { strong: modelPosition(models, options.strongModel, options.modelMapping), weak: modelPosition(models, options.weakModel, options.modelMapping) };
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
