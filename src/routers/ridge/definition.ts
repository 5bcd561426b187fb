import { defineRouter } from '../definition.js';
import { ridgeRouterOptionsSchema } from './options.js';
import type { TrainRidgeResult } from './train.js';

/** The `ridge` router: three closed-form ridge heads (by kind of prompt) over the prompt embedding and text features. */
export const ridgeRouter = defineRouter({
  name: 'ridge',
  summary: 'three ridge-regression heads (multiple-choice, maths and open prompts) over the embedding and text features',
  optionsSchema: ridgeRouterOptionsSchema,
  create: async (options) => (await import('./index.js')).createRidgeRouter(options as object),
  scoresModelPair: false,
  weights: true,
  trainer: {
    describe: 'three ridge-regression heads over a frozen encoder, for multiple-choice, maths and open prompts (trainRidge)',
    refuses: { seed: 'has no randomness (closed-form fit)', epochs: 'has no epochs (closed-form fit)', numTiers: 'does not use tiers' },
    train: async (options) => (await import('./train.js')).trainRidge(options as never),
    summary: (details) => ({ train_rows: (details as TrainRidgeResult['details']).trainRows }),
  },
});
