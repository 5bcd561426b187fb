import { z } from 'zod';
import { embedderOrIdSchema } from '../embedder.js';

/** Options of the `ridge` router. */
export const ridgeRouterOptionsSchema = z
  .object({
    /** Folder with `manifest.json` and the tensors. Default: the shipped `weights/ridge`. */
    weightsDir: z.string().min(1).optional(),
    /**
     * The embedder: an Embedder object (not disposed by the router), or an id for `createEmbedder`
     * (owned by the router). Its id and dimension must be those in the weights. Default: the
     * manifest's embedder (`use-lite` for the shipped weights).
     */
    embedder: embedderOrIdSchema.optional(),
  })
  .strict();

export type RidgeRouterOptions = z.input<typeof ridgeRouterOptionsSchema>;
