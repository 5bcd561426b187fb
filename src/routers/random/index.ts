import { createHash, randomInt } from 'node:crypto';
import { z } from 'zod';
import { InvalidInputError } from '../../errors.js';
import { parseOptions } from '../../options.js';
import { assertPrompts, BaseRouter } from '../base.js';
import type { ModelScoringRouter } from '../types.js';

/** Options of the `random` router. */
export const randomRouterOptionsSchema = z
  .object({
    /** Seed that makes the scores reproducible. Default: a random seed per router. */
    seed: z.number().int().optional(),
  })
  .strict();

export type RandomRouterOptions = z.input<typeof randomRouterOptionsSchema>;

/**
 * The baseline router: each prompt gets a score uniform in [0, 1). The score is a hash of the
 * seed and the prompt, so a prompt always gets the same score from the same router (batches equal
 * single calls) and different seeds give independent scores.
 */
export class RandomRouter extends BaseRouter implements ModelScoringRouter {
  readonly name = 'random';
  readonly seed: number;
  /** Empty: the random router has no weights and scores any model name. */
  readonly models: readonly string[] = [];

  constructor(options: RandomRouterOptions = {}) {
    super();
    const parsed = parseOptions(randomRouterOptionsSchema, options, 'random router options');
    this.seed = parsed.seed ?? randomInt(0, 2 ** 31);
  }

  protected async scoreBatch(prompts: readonly string[]): Promise<Float32Array> {
    const scores = new Float32Array(prompts.length);
    for (let i = 0; i < prompts.length; i++) scores[i] = uniformHash(this.seed, prompts[i]);
    return scores;
  }

  /**
   * A uniform score in [0, 1) per prompt and model (a hash of seed, prompt and model name), so
   * every model is equally likely to score best and a prompt always gets the same scores.
   */
  async modelScores(prompts: readonly string[], models: readonly string[]): Promise<Float32Array> {
    assertPrompts(prompts);
    if (!Array.isArray(models) || models.some((model) => typeof model !== 'string' || model === '')) {
      throw new InvalidInputError('models', 'an array of model names');
    }
    const scores = new Float32Array(prompts.length * models.length);
    for (let i = 0; i < prompts.length; i++) {
      for (let j = 0; j < models.length; j++) scores[i * models.length + j] = uniformHash(this.seed, `${models[j]}\u0000${prompts[i]}`);
    }
    return scores;
  }
}

function uniformHash(seed: number, text: string): number {
  const digest = createHash('sha256').update(`${seed}\u0000${text}`).digest();
  // 24 random bits: exactly representable in float32, uniform on [0, 1).
  return ((digest[0] << 16) | (digest[1] << 8) | digest[2]) / 2 ** 24;
}

/** Builds the `random` router (registry entry). */
export async function createRandomRouter(options: RandomRouterOptions = {}): Promise<RandomRouter> {
  return new RandomRouter(options);
}
