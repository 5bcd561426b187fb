import { z } from 'zod';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL } from '../../data/models.js';
import { embedderOrIdSchema } from '../embedder.js';

/** Options of the `mf` router. */
export const mfRouterOptionsSchema = z
  .object({
    /** Folder with `manifest.json` and the tensors. Default: the shipped `weights/mf`. */
    weightsDir: z.string().min(1).optional(),
    /** The strong model: a name from the weights' model list, an alias of one, or a key of `modelMapping`. Default gpt-4-1106-preview. */
    strongModel: z.string().min(1).default(DEFAULT_STRONG_MODEL),
    /** The weak model, likewise. Default mistralai/Mixtral-8x7B-Instruct-v0.1. */
    weakModel: z.string().min(1).default(DEFAULT_WEAK_MODEL),
    /** Deployed model name -> trained model name, for models the weights know by another name. */
    modelMapping: z.record(z.string(), z.string()).default({}),
    /**
     * The embedder: an Embedder object (kept open by the router's `dispose()`), or an id for
     * `createEmbedder` (owned by the router). Its id and dimension must be those recorded in the
     * weights. Default: the manifest's embedder id (`use-lite` for the shipped weights).
     */
    embedder: embedderOrIdSchema.optional(),
  })
  .strict();

export type MfRouterOptions = z.input<typeof mfRouterOptionsSchema>;
