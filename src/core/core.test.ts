import { afterAll, describe, expect, it } from 'vitest';
import { BackendError } from '../errors.js';
import type * as TF from '@tensorflow/tfjs-core';
import { backendInfo, getTf, initBackend, liveTensorCount } from './backend.js';
import { AdamTrainer, VectorIndex, dense, normalizeRows, sigmoid, softmax } from './ops.js';
import { mulberry32 } from '../train/random.js';

function seeded(seed: number): () => number {
  const next = mulberry32(seed >>> 0);
  return () => next() - 0.5;
}

function randomArray(length: number, seed: number): Float32Array {
  const next = seeded(seed);
  return Float32Array.from({ length }, next);
}

async function runAll() {
  const index = await VectorIndex.create(randomArray(300 * 64, 1), 300, 64);
  const similarities = await index.similarities(randomArray(5 * 64, 2), 5);
  index.dispose();
  const projected = await dense({ data: randomArray(4 * 16, 3), rows: 4, cols: 16 }, [
    { weights: randomArray(16 * 8, 4), inputs: 16, outputs: 8, bias: randomArray(8, 5), activation: 'relu' },
    { weights: randomArray(8 * 3, 6), inputs: 8, outputs: 3 },
  ]);
  const probabilities = await softmax(projected);
  const logistic = await sigmoid(randomArray(10, 7));
  return { similarities, projected: projected.data, probabilities: probabilities.data, logistic };
}

describe('scoring core backends', () => {
  afterAll(async () => {
    await initBackend('wasm');
  });

  it('runs on cpu and wasm and the two agree to 1e-4', async () => {
    expect((await initBackend('cpu')).name).toBe('cpu');
    const onCpu = await runAll();
    expect((await initBackend('wasm')).name).toBe('wasm');
    expect(backendInfo()?.tfjsBackend).toBe('wasm');
    const onWasm = await runAll();
    for (const key of Object.keys(onCpu) as (keyof typeof onCpu)[]) {
      expect(onWasm[key].length).toBe(onCpu[key].length);
      for (let i = 0; i < onCpu[key].length; i++) expect(Math.abs(onWasm[key][i] - onCpu[key][i])).toBeLessThan(1e-4);
    }
  });

  it('computes cosine similarity like plain arithmetic', async () => {
    const rows = randomArray(20 * 8, 11);
    const query = randomArray(8, 12);
    const index = await VectorIndex.create(rows, 20, 8);
    const got = await index.similarities(query, 1);
    index.dispose();
    const unitRows = normalizeRows(rows, 8);
    const unitQuery = normalizeRows(query, 8);
    for (let r = 0; r < 20; r++) {
      let dot = 0;
      for (let j = 0; j < 8; j++) dot += unitRows[r * 8 + j] * unitQuery[j];
      expect(got[r]).toBeCloseTo(dot, 5);
    }
  });

  it('leaks no tensors in any operation', async () => {
    await runAll();
    const before = liveTensorCount();
    await runAll();
    expect(liveTensorCount()).toBe(before);
  });

  it('fails clearly when a native backend is forced but not installed', async () => {
    const error = await initBackend('node').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toContain('npm install @tensorflow/tfjs-node');
    const gpuError = await initBackend('node-gpu').catch((e: unknown) => e);
    expect((gpuError as Error).message).toContain('@tensorflow/tfjs-node-gpu');
  });

  it('reads ROUTELLM_BACKEND and rejects an unknown value', async () => {
    const saved = process.env.ROUTELLM_BACKEND;
    try {
      process.env.ROUTELLM_BACKEND = 'cpu';
      expect((await initBackend('auto')).name).toBe('cpu');
      process.env.ROUTELLM_BACKEND = 'quantum';
      await expect(initBackend('auto')).rejects.toThrow(/quantum/);
    } finally {
      if (saved === undefined) delete process.env.ROUTELLM_BACKEND;
      else process.env.ROUTELLM_BACKEND = saved;
    }
  });

  it('auto picks wasm here and says why', async () => {
    const info = await initBackend('auto');
    expect(['wasm', 'node', 'node-gpu']).toContain(info.name);
    expect(info.reason).toMatch(/auto/);
  });

  it('trains with Adam: a linear fit converges and frees its tensors', async () => {
    await initBackend('wasm');
    const before = liveTensorCount();
    const trainer = await AdamTrainer.create({ w: { data: new Float32Array([0, 0]), shape: [2, 1] } }, { learningRate: 0.1 });
    const tf = await getTf();
    const x = tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2]);
    const y = tf.tensor2d([2, -1, 1], [3, 1]);
    let loss = Infinity;
    for (let i = 0; i < 300; i++) loss = trainer.step((v) => tf.div(tf.sum(tf.square(tf.sub(y, tf.matMul(x, v.w)))), 3) as TF.Scalar);
    expect(loss).toBeLessThan(1e-3);
    const weights = trainer.snapshot().w.data;
    expect(weights[0]).toBeCloseTo(2, 1);
    expect(weights[1]).toBeCloseTo(-1, 1);
    trainer.dispose();
    x.dispose();
    y.dispose();
    expect(liveTensorCount()).toBe(before);
  });
});
