/** Option fields and the embedder set-up shared by the trainers that embed prompts with a frozen encoder (bert head, ridge). */
import { z } from 'zod';
import { withDiskCache } from '../embedders/disk-cache.js';
import { createEmbedder } from '../embedders/registry.js';
import type { Embedder } from '../embedders/types.js';
import { embedderOrIdSchema } from './embedder.js';

export const frozenEncoderTrainingShape = {
  /** Add the MMLU gold split (1,500 questions graded for the benchmark pair). Default false. */
  mmluGold: z.boolean().default(false),
  /** Data folder holding `evals/` (for decontamination and the gold split). Default: `ROUTELLM_DATA_DIR` or ../shared/data. */
  dataDir: z.string().optional(),
  /** The frozen encoder: an id (`use-lite`, `transformers:<folder>`) or an Embedder. Default `use-lite`. */
  embedder: embedderOrIdSchema.default('use-lite'),
  /** Embedding disk cache folder, or false for none. Default: the shared cache (`<cacheDir>/embeddings`). */
  embeddingCache: z.union([z.string(), z.literal(false)]).optional(),
  /** Drop training prompts equal to or within cosine `decontaminationThreshold` of an evaluation prompt. Default true. */
  decontaminate: z.boolean().default(true),
  /** Default 0.95 (the paper). */
  decontaminationThreshold: z.number().min(0).max(1).default(0.95),
};

/**
 * A trainer's embedder from its `embedder` / `embeddingCache` options: `base` is built from an id
 * (and then closed by `close()`) or is the object given (left open); `embedder` is `base` behind
 * the disk cache unless the cache is `false`.
 */
export async function openTrainingEmbedder(option: string | Embedder, cache: string | false | undefined): Promise<{ base: Embedder; embedder: Embedder; close(): Promise<void> }> {
  const owned = typeof option === 'string';
  const base = owned ? await createEmbedder(option) : option;
  const embedder = cache === false ? base : withDiskCache(base, cache);
  return { base, embedder, close: async () => (owned ? embedder.dispose() : undefined) };
}
