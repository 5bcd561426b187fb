import { withDiskCache } from '../../embedders/disk-cache.js';
import { createEmbedder } from '../../embedders/registry.js';
import type { Embedder } from '../../embedders/types.js';

/** True for an object that looks like an `Embedder`. */
export function isEmbedder(value: unknown): value is Embedder {
  const candidate = value as Partial<Embedder> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.id === 'string' &&
    typeof candidate.dimension === 'number' &&
    typeof candidate.embed === 'function' &&
    typeof candidate.dispose === 'function'
  );
}

/**
 * Builds the embedder named by `id` (the id recorded in a weights manifest) through the embedder
 * registry (`createEmbedder`). With `cacheDir` the vectors are also kept in the content-addressed
 * disk cache.
 */
export async function embedderFromId(id: string, cacheDir?: string | false): Promise<Embedder> {
  const embedder = await createEmbedder(id);
  return cacheDir === false || cacheDir === undefined ? embedder : withDiskCache(embedder, cacheDir);
}
