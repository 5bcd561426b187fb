import { defineRouter } from '../definition.js';
import { qualityRouterOptionsSchema } from './options.js';

/** The `quality` router: each model's expected quality from the prompt embedding, for routing among N models. */
export const qualityRouter = defineRouter({
  name: 'quality',
  summary: 'per-model quality regression over the prompt embedding, for routing among N models',
  optionsSchema: qualityRouterOptionsSchema,
  create: async (options) => (await import('./index.js')).createQualityRouter(options as object),
  scoresModelPair: true,
  scoresModels: true,
  weights: true,
  untrainable: 'its heads are built from per-model score tables by scripts/build-quality-weights.ts (weights/quality*/manifest.json says how)',
});
