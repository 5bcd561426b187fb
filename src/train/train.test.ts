import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EarlyStopping } from './early-stopping.js';
import { ProgressBar } from './progress.js';
import { createRng, gaussian, sampleIndices, shuffled } from './random.js';
import { batchIndices, splitTrainValidation } from './split.js';

describe('training utilities', () => {
  it('seeded PRNG: same seed same sequence, uniform-ish, normal samples', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.slice(0, 5)).not.toEqual(Array.from({ length: 5 }, () => c()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
    const rng = createRng(1);
    const normals = Array.from({ length: 4000 }, () => gaussian(rng));
    const variance = normals.reduce((s, x) => s + x * x, 0) / normals.length;
    expect(Math.abs(variance - 1)).toBeLessThan(0.1);
    expect(shuffled([1, 2, 3, 4, 5], createRng(9)).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(sampleIndices(10, 4, createRng(2))).size).toBe(4);
  });

  it('splits reproducibly, keeping groups together', () => {
    const items = Array.from({ length: 200 }, (_, i) => ({ prompt: `p${i % 50}`, i }));
    const one = splitTrainValidation(items, { validationFraction: 0.2, seed: 5, groupBy: (x) => x.prompt });
    const two = splitTrainValidation(items, { validationFraction: 0.2, seed: 5, groupBy: (x) => x.prompt });
    expect(one.validationIndices).toEqual(two.validationIndices);
    expect(one.validation).toHaveLength(40);
    const trainPrompts = new Set(one.train.map((x) => x.prompt));
    expect(one.validation.some((x) => trainPrompts.has(x.prompt))).toBe(false);
  });

  it('batches cover every index once', () => {
    const batches = batchIndices(10, 4, createRng(1));
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(batches.flatMap((b) => [...b]).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('early stopping stops after `patience` epochs without improvement', () => {
    const stopper = new EarlyStopping({ patience: 2 });
    expect(stopper.update(1, 0)).toEqual({ improved: true, stop: false });
    expect(stopper.update(0.5, 1).improved).toBe(true);
    expect(stopper.update(0.6, 2)).toEqual({ improved: false, stop: false });
    expect(stopper.update(0.5, 3)).toEqual({ improved: false, stop: true });
    expect(stopper.bestEpoch).toBe(1);
  });

  it('progress bar writes plain lines when not a TTY', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let text = '';
    (stream as unknown as PassThrough).on('data', (chunk) => (text += chunk));
    const bar = new ProgressBar(100, { stream, label: 'epoch 1' });
    for (let i = 1; i <= 100; i++) bar.update(i, 'loss 0.5');
    bar.finish();
    const lines = text.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(text).not.toContain('\r');
  });

  it('progress bar shows the rate and the time left once work was done', async () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let text = '';
    (stream as unknown as PassThrough).on('data', (chunk) => (text += chunk));
    const bar = new ProgressBar(100, { stream, label: 'embed', interactive: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    bar.update(50);
    expect(text).toMatch(/^\rembed \[#{12}-{12}\] 50\/100 [\d.]+s, [\d.]+\/s, ETA \d+s/);
  });
});
