import { defineRouter } from '../definition.js';
import { bertRouterOptionsSchema } from './options.js';
import type { TrainBertDetails } from './train.js';

/** The `bert` router: a three-way classifier over the prompt. */
export const bertRouter = defineRouter({
  name: 'bert',
  summary: 'classifier (strong wins / tie / weak wins): a head over a frozen encoder, or an ONNX sequence classifier',
  optionsSchema: bertRouterOptionsSchema,
  create: async (options) => (await import('./index.js')).createBertRouter(options as object),
  scoresModelPair: false,
  weights: true,
  trainer: {
    describe: 'classification head over a frozen encoder (trainBert)',
    refuses: {},
    train: async (options) => (await import('./train.js')).trainBert(options as never),
    summary: (details) => {
      const bert = details as TrainBertDetails;
      return { architecture: bert.chosen, label_counts: bert.labelCounts, candidates: bert.candidates };
    },
  },
});
