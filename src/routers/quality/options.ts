import { z } from 'zod';
import { embedderOrIdSchema } from '../embedder.js';
import { modelPairOptionsShape } from '../shared.js';

/** Options of the `quality` router. */
export const qualityRouterOptionsSchema = z
  .object({
    /**
     * Folder with `manifest.json` and the head. Default: the shipped `weights/quality` (the 11
     * RouterBench models); `weights/quality/nvidia9` and `weights/quality/arenabench` ship too.
     */
    weightsDir: z.string().min(1).optional(),
    /**
     * The pair `strongWinRates` compares (a model the weights know, an alias, or a key of
     * `modelMapping`). Default: gpt-4-1106-preview when the weights know it, else the model with
     * the best mean result in the training data.
     */
    strongModel: z.string().min(1).optional(),
    /** Likewise; default mistralai/Mixtral-8x7B-Instruct-v0.1 when known, else the worst model on average. */
    weakModel: z.string().min(1).optional(),
    modelMapping: modelPairOptionsShape.modelMapping,
    /**
     * The embedder: an Embedder object (kept open by the router's `dispose()`), or an id for
     * `createEmbedder` (owned by the router). Default: the manifest's (`use-lite` for the shipped weights).
     */
    embedder: embedderOrIdSchema.optional(),
  })
  .strict();

export type QualityRouterOptions = z.input<typeof qualityRouterOptionsSchema>;
