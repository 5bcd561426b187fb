import { InvalidInputError } from '../errors.js';

/**
 * An embedder turns prompts into fixed-size vectors. Routers built on embeddings record the
 * embedder's `id` and `dimension` in their weights and refuse weights made with another one.
 */
export interface Embedder {
  /** Stable identifier, recorded in weights manifests (e.g. `use-lite`, `openai:text-embedding-3-small`). */
  readonly id: string;
  /** Length of every vector `embed()` returns. */
  readonly dimension: number;
  /**
   * Embeds a batch of texts. Returns `texts.length * dimension` floats, row-major, one row per
   * text in input order.
   */
  embed(texts: readonly string[]): Promise<Float32Array>;
  /** Frees models and caches. */
  dispose(): Promise<void> | void;
}

/**
 * Checks the argument of `Embedder.embed()`: an array whose every entry is a string, else
 * `InvalidInputError` naming `texts` or the first bad `texts[i]`.
 */
export function assertTextArray(texts: unknown): asserts texts is readonly string[] {
  if (!Array.isArray(texts)) throw new InvalidInputError('texts', 'an array of strings');
  texts.forEach((text, index) => {
    if (typeof text !== 'string') {
      throw new InvalidInputError(`texts[${index}]`, `a string (got ${text === null ? 'null' : typeof text})`);
    }
  });
}
