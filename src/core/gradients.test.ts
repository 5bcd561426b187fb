import { describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs-core';
import { mulberry32 } from '../train/random.js';
import { getTf, initBackend, liveTensorCount } from './backend.js';
import { trainingGradients } from './gradients.js';

type Loss = (tf: typeof TF, x: TF.Tensor, y: TF.Tensor) => TF.Scalar;

/** Each loss goes through the kernels one of our trainers differentiates, with broadcasting. */
const LOSSES: Record<string, { x: number[]; y: number[]; loss: Loss }> = {
  'matMul, add with a broadcast bias, relu, sum': {
    x: [3, 4],
    y: [4],
    loss: (tf, x, y) => tf.sum(tf.relu(tf.add(tf.matMul(x, tf.reshape(y, [4, 1])), tf.reshape(tf.sum(y), [1])))),
  },
  'transposed matMuls': {
    x: [4, 3],
    y: [2, 4],
    loss: (tf, x, y) =>
      tf.add(
        tf.add(tf.sum(tf.sigmoid(tf.matMul(x, y, true, true))), tf.sum(tf.square(tf.matMul(tf.matMul(y, x), x, false, true)))),
        tf.sum(tf.sigmoid(tf.matMul(y, y, true, false))),
      ) as TF.Scalar,
  },
  'row norms: div, sqrt, square, sum with keepDims': {
    x: [3, 5],
    y: [3, 1],
    loss: (tf, x, y) => tf.sum(tf.mul(tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-6))), y)),
  },
  'softplus, neg, sub, sigmoid, div by a broadcast row': {
    x: [2, 3],
    y: [3],
    loss: (tf, x, y) => tf.sum(tf.sub(tf.softplus(tf.neg(tf.mul(x, y))), tf.sigmoid(tf.div(x, tf.add(tf.square(y), 1))))),
  },
};

function randomValues(size: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: size }, () => next() * 2 - 1);
}

describe('training gradients (tfjs-core registers none)', () => {
  it('covers every kernel of the MF and classifier-head losses with a distinct config', async () => {
    const tf = await getTf();
    const names = trainingGradients(tf).map((config) => config.kernelName);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(tf.getGradient(name), name).toBeDefined();
  });

  for (const [name, { x: xShape, y: yShape, loss }] of Object.entries(LOSSES)) {
    it(`matches central differences: ${name}`, async () => {
      await initBackend('cpu');
      const tf = await getTf();
      const before = liveTensorCount();
      const xValues = randomValues(xShape.reduce((a, b) => a * b, 1), 11);
      const yValues = randomValues(yShape.reduce((a, b) => a * b, 1), 12);
      const [gradX, gradY] = tf.tidy(() => {
        const grads = tf.grads((x: TF.Tensor, y: TF.Tensor) => loss(tf, x, y))([tf.tensor(xValues, xShape), tf.tensor(yValues, yShape)]);
        return grads.map((gradient) => gradient.dataSync() as Float32Array);
      });
      const value = (xs: Float32Array, ys: Float32Array) => tf.tidy(() => loss(tf, tf.tensor(xs, xShape), tf.tensor(ys, yShape)).dataSync()[0]);
      const step = 1e-2;
      for (const [values, analytic, isX] of [[xValues, gradX, true], [yValues, gradY, false]] as const) {
        for (let i = 0; i < values.length; i++) {
          const up = Float32Array.from(values);
          const down = Float32Array.from(values);
          up[i] += step;
          down[i] -= step;
          const numeric = isX ? (value(up, yValues) - value(down, yValues)) / (2 * step) : (value(xValues, up) - value(xValues, down)) / (2 * step);
          expect(analytic[i]).toBeCloseTo(numeric, 1);
          expect(Math.abs(analytic[i] - numeric)).toBeLessThan(0.02 + 0.02 * Math.abs(numeric));
        }
      }
      expect(liveTensorCount()).toBe(before);
    });
  }
});
