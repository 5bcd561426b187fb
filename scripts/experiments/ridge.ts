/**
 * Ridge regression on use-lite embeddings (+ optional text features) for the routing-quality
 * experiments: the closed-form fit, prediction, feature vectors and rank normalisation.
 */
import { fitRidge } from '../../src/core/models/ridge.js';
import { textFeatures } from './features.js';

export const DIM = 512;

/** Ridge fit over rows of features (src/core/models/ridge.ts). */
export function ridge(features: Float64Array[], targets: number[], weights: number[], lambda: number): Float64Array {
  const width = features[0].length;
  const flat = new Float64Array(features.length * width);
  features.forEach((row, n) => flat.set(row, n * width));
  return fitRidge({ features: flat, width, targets, weights, lambda });
}

export function predict(beta: Float64Array, features: Float64Array[]): Float64Array {
  return Float64Array.from(features, (x) => x.reduce((sum, v, i) => sum + v * beta[i], 0));
}

export function featureVector(embedding: Float32Array, offset: number, prompt: string, useText: boolean): Float64Array {
  const extra = useText ? textFeatures(prompt) : [];
  const out = new Float64Array(DIM + extra.length + 1);
  for (let j = 0; j < DIM; j++) out[j] = embedding[offset + j];
  extra.forEach((v, i) => (out[DIM + i] = v));
  out[out.length - 1] = 1;
  return out;
}

export function rankNormalize(values: ArrayLike<number>): Float64Array {
  const order = Array.from(values, (v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Float64Array(values.length);
  order.forEach(([, i], rank) => (out[i] = rank / Math.max(1, values.length - 1)));
  return out;
}
