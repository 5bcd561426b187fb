import { InvalidOptionsError } from '../../errors.js';
import { withDiskCache } from '../../embedders/disk-cache.js';
import type { Embedder } from '../../embedders/types.js';
import { createUseLiteEmbedder } from '../../embedders/use-lite/index.js';

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
 * Builds the embedder named by `id` (the id recorded in a weights manifest). Known here:
 * `use-lite`. With `cacheDir` the vectors are also kept in the content-addressed disk cache.
 */
export function embedderFromId(id: string, cacheDir?: string | false): Embedder {
  let embedder: Embedder;
  if (id === 'use-lite') embedder = createUseLiteEmbedder();
  else {
    throw new InvalidOptionsError(
      'embedder',
      `no built-in embedder "${id}". Known: use-lite. Pass an Embedder object with id "${id}" (the one the weights were made with) as the \`embedder\` option.`,
    );
  }
  return cacheDir === false || cacheDir === undefined ? embedder : withDiskCache(embedder, cacheDir);
}
