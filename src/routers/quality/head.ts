/**
 * The `quality` router's model: each model's expected quality on a prompt, predicted from the
 * prompt embedding, on the training table's scale mapped to [0, 1] (its lowest result 0, its
 * highest 1). Two kinds:
 * - `ridge`: one ridge regression per model on [embedding, 1], one penalty for all models (the
 *   Gram matrix is shared, `fitRidgeTargets`);
 * - `knn`: the k most similar training prompts (cosine), each model's mean result over them,
 *   shrunk toward the model's mean over all training prompts by `prior` pseudo-prompts.
 * Plain float arithmetic (no tensors): a ridge prediction is models x (dimension + 1) multiply-adds;
 * a kNN one a pass over the training embeddings, in JavaScript or through a `SimilarityScan` (the
 * router passes the int8 WebAssembly kernel's, src/core/int8-vector-index.ts).
 */
import { fitRidgeTargets } from '../../core/models/ridge.js';
import { normalizeRows } from '../../core/ops.js';

/** How a head is fitted. */
export type QualityHeadSettings = { kind: 'ridge'; lambda: number } | { kind: 'knn'; k: number; prior: number };

/** What a head is fitted on: prompts x models results, row-major. */
export interface QualityTable {
  models: readonly string[];
  count: number;
  quality: ArrayLike<number>;
}

/** A fitted head. */
export interface QualityHead {
  models: readonly string[];
  settings: QualityHeadSettings;
  dimension: number;
  /** The training table's lowest and highest result (mapped to 0 and 1). */
  low: number;
  high: number;
  /** ridge: models x (dimension + 1) coefficients, bias last. */
  coefficients?: Float32Array;
  /** knn: unit-length training embeddings (count x dimension). */
  embeddings?: Float32Array;
  /** knn: scaled training results (count x models). */
  results?: Float32Array;
}

/** Fits a head on `table` and the embeddings of its prompts (count x dimension). */
export function fitQualityHead(table: QualityTable, embeddings: Float32Array, settings: QualityHeadSettings): QualityHead {
  const { count, models } = table;
  if (count === 0 || embeddings.length % count !== 0) throw new RangeError(`fitQualityHead: ${embeddings.length} embedding values for ${count} prompts`);
  const dimension = embeddings.length / count;
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < table.quality.length; i++) {
    low = Math.min(low, table.quality[i]);
    high = Math.max(high, table.quality[i]);
  }
  if (!(high > low)) high = low + 1;
  const width = models.length;
  const scaled = Float32Array.from(table.quality, (value) => (value - low) / (high - low));
  const base = { models: [...models], settings, dimension, low, high };
  if (settings.kind === 'knn') return { ...base, embeddings: normalizeRows(embeddings, dimension), results: scaled };
  const features = new Float64Array(count * (dimension + 1));
  for (let row = 0; row < count; row++) {
    for (let j = 0; j < dimension; j++) features[row * (dimension + 1) + j] = embeddings[row * dimension + j];
    features[row * (dimension + 1) + dimension] = 1;
  }
  const targets = models.map((_, m) => Float64Array.from({ length: count }, (_, row) => scaled[row * width + m]));
  const fitted = fitRidgeTargets({ features, width: dimension + 1, targets, lambda: settings.lambda });
  const coefficients = new Float32Array(width * (dimension + 1));
  fitted.forEach((beta, m) => coefficients.set(beta, m * (dimension + 1)));
  return { ...base, coefficients };
}

/** Cosine similarities of `count` queries (count x dimension) to every training prompt of a kNN head: count x prompts, row-major. */
export type SimilarityScan = (queries: Float32Array, count: number) => Float32Array;

/**
 * Predicted quality in [0, 1]-scale for `count` embeddings: count x models, row-major. A kNN head
 * finds its neighbours with `scan` when given, else by dot products in JavaScript.
 */
export function predictQuality(head: QualityHead, embeddings: Float32Array, count: number, scan?: SimilarityScan): Float32Array {
  const { dimension } = head;
  const width = head.models.length;
  if (embeddings.length !== count * dimension) throw new RangeError(`predictQuality: expected ${count} x ${dimension} embedding values, got ${embeddings.length}`);
  const out = new Float32Array(count * width);
  if (head.settings.kind === 'ridge') {
    const coefficients = head.coefficients!;
    for (let row = 0; row < count; row++) {
      for (let m = 0; m < width; m++) {
        const offset = m * (dimension + 1);
        let sum = coefficients[offset + dimension];
        for (let j = 0; j < dimension; j++) sum += coefficients[offset + j] * embeddings[row * dimension + j];
        out[row * width + m] = sum;
      }
    }
    return out;
  }
  return predictNeighbours(head, head.settings, normalizeRows(embeddings, dimension), count, out, scan);
}

function predictNeighbours(head: QualityHead, settings: { k: number; prior: number }, queries: Float32Array, count: number, out: Float32Array, scan?: SimilarityScan): Float32Array {
  const { dimension } = head;
  const width = head.models.length;
  const stored = head.embeddings!;
  const results = head.results!;
  const size = stored.length / dimension;
  const means = new Float64Array(width);
  for (let row = 0; row < size; row++) for (let m = 0; m < width; m++) means[m] += results[row * width + m] / size;
  const k = Math.min(settings.k, size);
  const topRow = new Int32Array(k);
  const topSimilarity = new Float32Array(k);
  const scanned = scan?.(queries, count);
  for (let query = 0; query < count; query++) {
    // The k most similar rows, kept sorted (most similar first; on equal similarity the earlier row).
    let filled = 0;
    for (let row = 0; row < size; row++) {
      let dot = 0;
      if (scanned) dot = scanned[query * size + row];
      else for (let j = 0; j < dimension; j++) dot += stored[row * dimension + j] * queries[query * dimension + j];
      if (filled === k && dot <= topSimilarity[k - 1]) continue;
      let at = filled === k ? k - 1 : filled++;
      while (at > 0 && topSimilarity[at - 1] < dot) {
        topSimilarity[at] = topSimilarity[at - 1];
        topRow[at] = topRow[at - 1];
        at--;
      }
      topSimilarity[at] = dot;
      topRow[at] = row;
    }
    for (let m = 0; m < width; m++) {
      let sum = settings.prior * means[m];
      for (let i = 0; i < k; i++) sum += results[topRow[i] * width + m];
      out[query * width + m] = sum / (k + settings.prior);
    }
  }
  return out;
}
