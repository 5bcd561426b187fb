import { defineRouter } from '../definition.js';
import { mfRouterOptionsSchema } from './options.js';
import type { TrainMfDetails } from './train.js';

/** The `mf` router: matrix factorisation over prompt embeddings. */
export const mfRouter = defineRouter({
  name: 'mf',
  summary: 'matrix factorisation: a bilinear score per model over the prompt embedding',
  optionsSchema: mfRouterOptionsSchema,
  create: async (options) => (await import('./index.js')).createMfRouter(options as object),
  scoresModelPair: true,
  scoresModels: true,
  weights: true,
  trainer: {
    describe: 'matrix factorisation on prompt embeddings (trainMf)',
    refuses: { numTiers: 'does not use tiers' },
    train: async (options) => (await import('./train.js')).trainMf(options as never),
    summary: (details) => {
      const mf = details as TrainMfDetails;
      return {
        models: mf.models.length,
        train_examples: mf.trainExamples,
        validation_examples: mf.validationExamples,
        validation_accuracy: mf.validationAccuracy,
        epochs: mf.epochsRun,
      };
    },
  },
});
