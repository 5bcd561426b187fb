/** Embedders as router and trainer options: the shape check, the option schemas, and the embedder an embedding router scores with. */
import { z } from 'zod';
import { createEmbedder } from '../embedders/registry.js';
import type { Embedder } from '../embedders/types.js';
import { InvalidOptionsError, WeightsError } from '../errors.js';
import { checkEmbedder, type EmbedderInfo } from '../weights-format/weights.js';

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
 * The embedder an embedding router scores with, and what it builds around it. `option` is the
 * router's `embedder` option: an Embedder (checked against the weights, left open by the router),
 * an id, or undefined for the id the weights record (`recorded`); an id is built here and owned
 * by the router. `build` receives the checked embedder and whether the router owns it; when the
 * check or `build` fails, an embedder built here is disposed before the error propagates.
 */
export async function openRouterEmbedder<T>(
  option: string | Embedder | undefined,
  recorded: EmbedderInfo | undefined,
  weightsDir: string,
  build: (embedder: Embedder, owned: boolean) => Promise<T> | T,
): Promise<T> {
  if (!recorded) throw new WeightsError('corrupt', weightsDir, 'the manifest records no embedder');
  const given = typeof option === 'object' ? option : undefined;
  const embedder = given ?? (await buildNamedEmbedder(typeof option === 'string' ? option : undefined, recorded.id));
  try {
    checkEmbedder({ embedder: recorded }, embedder, weightsDir);
    return await build(embedder, !given);
  } catch (error) {
    if (!given) await embedder.dispose();
    throw error;
  }
}

/** An id the caller chose is theirs to fix; an id from the weights that the registry cannot build asks for the `embedder` option. */
async function buildNamedEmbedder(chosen: string | undefined, recordedId: string): Promise<Embedder> {
  if (chosen !== undefined) return createEmbedder(chosen);
  try {
    return await createEmbedder(recordedId);
  } catch (error) {
    if (!InvalidOptionsError.isInstance(error)) throw error;
    throw new WeightsError('mismatch', recordedId, `the weights were made with embedder "${recordedId}", which the registry cannot build; pass it as the \`embedder\` option`, {
      cause: error,
    });
  }
}
