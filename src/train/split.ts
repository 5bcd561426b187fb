import { createRng, shuffleInPlace } from './random.js';

/** Options of `splitTrainValidation`. */
export interface SplitOptions<T> {
  /** Share of items (or groups) held out for validation, in [0, 1). Default 0.05. */
  validationFraction?: number;
  /** Seed of the split. Default 0. */
  seed?: number;
  /**
   * Key that keeps related items together (e.g. the prompt: all battles of a prompt land on the
   * same side, so validation measures generalisation to new prompts). Default: each item alone.
   */
  groupBy?: (item: T, index: number) => string;
}

/** A train/validation split; `trainIndices`/`validationIndices` point into the input. */
export interface Split<T> {
  train: T[];
  validation: T[];
  trainIndices: number[];
  validationIndices: number[];
}

/**
 * Splits items at random into train and validation sets, reproducibly for a seed. With `groupBy`,
 * whole groups go to one side; the validation share then counts groups.
 */
export function splitTrainValidation<T>(items: readonly T[], options: SplitOptions<T> = {}): Split<T> {
  const fraction = options.validationFraction ?? 0.05;
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`validationFraction must be in [0, 1), got ${fraction}`);
  const groups = new Map<string, number[]>();
  items.forEach((item, index) => {
    const key = options.groupBy ? options.groupBy(item, index) : String(index);
    const members = groups.get(key);
    if (members) members.push(index);
    else groups.set(key, [index]);
  });
  const keys = shuffleInPlace([...groups.keys()], createRng(options.seed ?? 0));
  const validationGroups = Math.round(keys.length * fraction);
  const validationIndices: number[] = [];
  const trainIndices: number[] = [];
  keys.forEach((key, position) => {
    (position < validationGroups ? validationIndices : trainIndices).push(...groups.get(key)!);
  });
  validationIndices.sort((a, b) => a - b);
  trainIndices.sort((a, b) => a - b);
  return {
    train: trainIndices.map((i) => items[i]),
    validation: validationIndices.map((i) => items[i]),
    trainIndices,
    validationIndices,
  };
}

/**
 * Index batches over `count` items for one epoch: shuffled when an `rng` is given, in order
 * otherwise. The last batch may be smaller.
 */
export function batchIndices(count: number, batchSize: number, rng?: () => number): Int32Array[] {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const order = Array.from({ length: count }, (_, i) => i);
  if (rng) shuffleInPlace(order, rng);
  const out: Int32Array[] = [];
  for (let start = 0; start < count; start += batchSize) out.push(Int32Array.from(order.slice(start, start + batchSize)));
  return out;
}
