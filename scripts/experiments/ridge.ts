/**
 * Ridge regression on use-lite embeddings (+ optional text features) for the routing-quality
 * experiments: the closed-form fit, prediction, feature vectors and rank normalisation.
 */
import { textFeatures } from './features.js';

export const DIM = 512;

export function ridge(features: Float64Array[], targets: number[], weights: number[], lambda: number): Float64Array {
  const p = features[0].length;
  const a = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let n = 0; n < features.length; n++) {
    const x = features[n];
    const w = weights[n];
    for (let i = 0; i < p; i++) {
      const xi = x[i] * w;
      if (xi === 0) continue;
      b[i] += xi * targets[n];
      for (let j = i; j < p; j++) a[i * p + j] += xi * x[j];
    }
  }
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < i; j++) a[i * p + j] = a[j * p + i];
    a[i * p + i] += lambda;
  }
  // Cholesky solve.
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * p + j];
      for (let k = 0; k < j; k++) sum -= l[i * p + k] * l[j * p + k];
      l[i * p + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j * p + j];
    }
  }
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * p + k] * y[k];
    y[i] = sum / l[i * p + i];
  }
  const beta = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < p; k++) sum -= l[k * p + i] * beta[k];
    beta[i] = sum / l[i * p + i];
  }
  return beta;
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
