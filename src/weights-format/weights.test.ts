import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WeightsError } from '../errors.js';
import { asFloat32, quantizeInt8, readWeights, writeWeights } from './weights.js';

async function sample(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-weights-'));
  await writeWeights(dir, {
    router: 'mf',
    embedder: { id: 'e', dimension: 3 },
    models: ['a', 'b'],
    hyperparameters: { dim: 2 },
    data: { sources: [{ name: 's', rows: 5, examples: 4 }] },
    metrics: { validationAccuracy: 0.7 },
    tensors: {
      w: { data: Float32Array.from([1.5, -2, 3e-8, 4, 5, 6]), shape: [3, 2] },
      q: quantizeInt8(Float32Array.from([0.5, -1]), [2]),
    },
  });
  return dir;
}

describe('weights format', () => {
  it('round-trips tensors and manifest', async () => {
    const dir = await sample();
    const loaded = await readWeights(dir, { router: 'mf', embedder: { id: 'e', dimension: 3 }, tensors: { w: [3, 2], q: [-1] } });
    expect([...loaded.tensors.w.data]).toEqual([...Float32Array.from([1.5, -2, 3e-8, 4, 5, 6])]);
    expect(loaded.manifest.models).toEqual(['a', 'b']);
    expect(loaded.manifest.metrics.validationAccuracy).toBe(0.7);
    expect(loaded.manifest.tensors[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    const q = asFloat32(loaded.tensors.q);
    expect(q[1]).toBeCloseTo(-1, 5);
    expect(q[0]).toBeCloseTo(0.5, 2);
  });

  it('rejects a missing folder, a flipped byte, a truncated file, another embedder or router', async () => {
    await expect(readWeights('/nonexistent/routellm')).rejects.toMatchObject({ problem: 'missing' });
    const dir = await sample();
    const file = path.join(dir, 'w.bin');
    const bytes = readFileSync(file);
    await expect(readWeights(dir, { embedder: { id: 'other', dimension: 3 } })).rejects.toMatchObject({ problem: 'mismatch' });
    await expect(readWeights(dir, { embedder: { id: 'e', dimension: 4 } })).rejects.toThrow(/3-d/);
    await expect(readWeights(dir, { router: 'bert' })).rejects.toMatchObject({ problem: 'mismatch' });
    await expect(readWeights(dir, { tensors: { w: [2, 3] } })).rejects.toMatchObject({ problem: 'mismatch' });
    const flipped = Buffer.from(bytes);
    flipped[3] ^= 1;
    writeFileSync(file, flipped);
    const error = await readWeights(dir).catch((e) => e);
    expect(error).toBeInstanceOf(WeightsError);
    expect(error.problem).toBe('corrupt');
    expect(error.message).toMatch(/SHA-256/);
    writeFileSync(file, bytes.subarray(0, 8));
    await expect(readWeights(dir)).rejects.toThrow(/bytes, expected 24/);
    writeFileSync(path.join(dir, 'manifest.json'), '{not json');
    await expect(readWeights(dir)).rejects.toMatchObject({ problem: 'corrupt' });
  });

  it('rejects non-finite weights whose checksum matches (NaN or Infinity written by a diverged training run)', async () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-weights-'));
      await writeWeights(dir, {
        router: 'mf',
        embedder: { id: 'e', dimension: 3 },
        models: ['a', 'b'],
        hyperparameters: {},
        data: { sources: [] },
        metrics: {},
        tensors: { w: { data: Float32Array.from([1, bad, 3]), shape: [3] } },
      });
      const error = await readWeights(dir).catch((e) => e);
      expect(error).toBeInstanceOf(WeightsError);
      expect(error.problem).toBe('corrupt');
      expect(error.message).toMatch(/element 1 of "w" is (NaN|Infinity); weights must be finite/);
    }
  });
});
