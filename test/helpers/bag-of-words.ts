import type { Embedder } from '../../src/embedders/types.js';

/** Test fixture: a deterministic hashed bag-of-words embedder (FNV-1a buckets, unit-normalised rows). */
export function bagOfWords(id = 'test-bow', dimension = 64): Embedder {
  return {
    id,
    dimension,
    async embed(texts) {
      const out = new Float32Array(texts.length * dimension);
      texts.forEach((text, row) => {
        const words = text.toLowerCase().split(/\W+/).filter(Boolean);
        for (const word of words) {
          let hash = 2166136261;
          for (const char of word) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
          out[row * dimension + ((hash >>> 0) % dimension)] += 1;
        }
        let norm = 0;
        for (let i = 0; i < dimension; i++) norm += out[row * dimension + i] ** 2;
        for (let i = 0; i < dimension && norm > 0; i++) out[row * dimension + i] /= Math.sqrt(norm);
      });
      return out;
    },
    dispose() {},
  };
}
