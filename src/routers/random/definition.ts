import { defineRouter } from '../definition.js';
import { createRandomRouter, randomRouterOptionsSchema } from './index.js';

/** The `random` router: the baseline with uniform scores. */
export const randomRouter = defineRouter({
  name: 'random',
  summary: 'baseline: a uniform score per prompt (seeded)',
  optionsSchema: randomRouterOptionsSchema,
  create: async (options) => createRandomRouter(options as object),
  scoresModelPair: false,
  scoresModels: true,
  weights: false,
  calibration: 'uniform',
  evaluation: 'seeds',
  untrainable: 'the random router has nothing to train',
});
