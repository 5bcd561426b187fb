/** Embedders as router and trainer options: the shape check, the option schema, and building one from a manifest's id. */
import { z } from 'zod';
import { withDiskCache } from '../embedders/disk-cache.js';
import { createEmbedder } from '../embedders/registry.js';
import type { Embedder } from '../embedders/types.js';

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

/** An `Embedder` object (id, dimension, embed(), dispose()). */
export const embedderSchema = z.custom<Embedder>(isEmbedder, { message: 'expected an Embedder (an object with id, dimension, embed() and dispose())' });

/**
 * An embedder option: an id for `createEmbedder` (`use-lite`, `transformers:<folder>`, ...) or an
 * `Embedder` object. One check rather than a union, so a bad value gets this message, not zod's
 * generic one for unions.
 */
export const embedderOrIdSchema = z.custom<string | Embedder>((value) => (typeof value === 'string' && value.length > 0) || isEmbedder(value), {
  message: 'expected an embedder id (such as "use-lite") or an Embedder (an object with id, dimension, embed() and dispose())',
});

/**
 * Builds the embedder named by `id` (the id recorded in a weights manifest) through the embedder
 * registry (`createEmbedder`). With `cacheDir` the vectors are also kept in the content-addressed
 * disk cache.
 */
export async function embedderFromId(id: string, cacheDir?: string | false): Promise<Embedder> {
  const embedder = await createEmbedder(id);
  return cacheDir === false || cacheDir === undefined ? embedder : withDiskCache(embedder, cacheDir);
}
