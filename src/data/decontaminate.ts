import { VectorIndex } from '../core/ops.js';
import type { Embedder } from '../embedders/types.js';

/** Lower-cased, whitespace-collapsed, trimmed text: the key of the exact-match check. */
export function normalizePrompt(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Options of `decontaminate`. */
export interface DecontaminateOptions<T> {
  /** The evaluation prompts to keep away from. */
  evalPrompts: readonly string[];
  /** The prompt of a training row. Default: `row.prompt`. */
  getPrompt?: (row: T) => string;
  /** Embedder for the similarity check; without one only exact (normalised) matches are dropped. */
  embedder?: Embedder;
  /** Cosine similarity at or above which a training prompt counts as contaminated. Default 0.95. */
  threshold?: number;
  /** Prompts embedded and compared per batch. Default 256. */
  batchSize?: number;
  /** Called after each batch of the similarity check with (done, total) unique prompts. */
  onProgress?: (done: number, total: number) => void;
}

/** What `decontaminate` kept and dropped. */
export interface DecontaminateResult<T> {
  kept: T[];
  /** Rows dropped in all. */
  dropped: number;
  /** Rows dropped because their normalised prompt equals an evaluation prompt. */
  droppedExact: number;
  /** Rows dropped because their embedding is within the cosine threshold of an evaluation prompt. */
  droppedSimilar: number;
  /** The distinct training prompts that were dropped. */
  droppedPrompts: string[];
}

/**
 * Drops training rows whose prompt equals an evaluation prompt (after `normalizePrompt`) or, with
 * an embedder, whose embedding has cosine similarity >= `threshold` (0.95) with any evaluation
 * prompt's embedding, as the paper did. Each distinct prompt is embedded once.
 */
export async function decontaminate<T>(rows: readonly T[], options: DecontaminateOptions<T>): Promise<DecontaminateResult<T>> {
  const getPrompt = options.getPrompt ?? ((row: T) => (row as { prompt: string }).prompt);
  const threshold = options.threshold ?? 0.95;
  const batchSize = options.batchSize ?? 256;
  const evalKeys = new Set(options.evalPrompts.map(normalizePrompt));
  const contaminated = new Map<string, 'exact' | 'similar'>();
  const distinct = [...new Set(rows.map(getPrompt))];
  const toCheck: string[] = [];
  for (const prompt of distinct) {
    if (evalKeys.has(normalizePrompt(prompt))) contaminated.set(prompt, 'exact');
    else toCheck.push(prompt);
  }
  if (options.embedder && toCheck.length > 0 && options.evalPrompts.length > 0) {
    const embedder = options.embedder;
    const uniqueEval = [...new Set(options.evalPrompts)];
    const evalVectors = await embedInBatches(embedder, uniqueEval, batchSize);
    const index = await VectorIndex.create(evalVectors, uniqueEval.length, embedder.dimension);
    try {
      for (let start = 0; start < toCheck.length; start += batchSize) {
        const batch = toCheck.slice(start, start + batchSize);
        const similarities = await index.similarities(await embedder.embed(batch), batch.length);
        for (let i = 0; i < batch.length; i++) {
          let best = -Infinity;
          const offset = i * index.size;
          for (let j = 0; j < index.size; j++) if (similarities[offset + j] > best) best = similarities[offset + j];
          if (best >= threshold) contaminated.set(batch[i], 'similar');
        }
        options.onProgress?.(Math.min(start + batchSize, toCheck.length), toCheck.length);
      }
    } finally {
      index.dispose();
    }
  }
  const kept: T[] = [];
  let droppedExact = 0;
  let droppedSimilar = 0;
  for (const row of rows) {
    const reason = contaminated.get(getPrompt(row));
    if (reason === 'exact') droppedExact++;
    else if (reason === 'similar') droppedSimilar++;
    else kept.push(row);
  }
  return { kept, dropped: droppedExact + droppedSimilar, droppedExact, droppedSimilar, droppedPrompts: [...contaminated.keys()] };
}

async function embedInBatches(embedder: Embedder, texts: readonly string[], batchSize: number): Promise<Float32Array> {
  const out = new Float32Array(texts.length * embedder.dimension);
  for (let start = 0; start < texts.length; start += batchSize) {
    const vectors = await embedder.embed(texts.slice(start, start + batchSize));
    out.set(vectors, start * embedder.dimension);
  }
  return out;
}
