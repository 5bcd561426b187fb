import { z } from 'zod';
import { embedderOrIdSchema } from '../embedder.js';
import { modelPairOptionsShape } from '../shared.js';

/** Options of the `mf` router. */
export const mfRouterOptionsSchema = z
  .object({
    /** Folder with `manifest.json` and the tensors. Default: the shipped `weights/mf`. */
    weightsDir: z.string().min(1).optional(),
    ...modelPairOptionsShape,
    /**
     * The embedder: an Embedder object (kept open by the router's `dispose()`), or an id for
     * `createEmbedder` (owned by the router). Its id and dimension must be those recorded in the
     * weights. Default: the manifest's embedder id (`use-lite` for the shipped weights).
     */
    embedder: embedderOrIdSchema.optional(),
  })
  .strict();

export type MfRouterOptions = z.input<typeof mfRouterOptionsSchema>;
