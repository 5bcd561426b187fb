import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyBertModel } from '../../../test/helpers/onnx-bert.js';
import { InvalidOptionsError, WeightsError } from '../../errors.js';
import { createRouter } from '../../routers/registry.js';
import { trainBert } from '../../routers/bert/train.js';
import { createTransformersEmbedder, poolTokenStates, type TransformersEmbedder } from './index.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'routellm-transformers-'));
const encoderDir = writeTinyBertModel(path.join(root, 'encoder'), { variant: 'feature-extraction', seed: 4 });
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TEXTS = ['write python code', 'hi', 'what is the capital city of france?', 'prove that the number is prime, please'];

describe('transformers embedder', () => {
  let mean: TransformersEmbedder;
  beforeAll(async () => {
    mean = await createTransformersEmbedder({ model: encoderDir });
  });
  afterAll(async () => mean?.dispose());

  it('gives unit vectors of the model width, batch equal to singles', async () => {
    expect(mean.dimension).toBe(16);
    expect(mean.id).toBe(`transformers:${encoderDir}`);
    const batch = await mean.embed(TEXTS);
    expect(batch.length).toBe(TEXTS.length * 16);
    for (let i = 0; i < TEXTS.length; i++) {
      const row = batch.subarray(i * 16, (i + 1) * 16);
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
      const single = await mean.embed([TEXTS[i]]);
      for (let j = 0; j < 16; j++) expect(single[j]).toBeCloseTo(row[j], 5);
    }
    expect(Math.abs(batch[0] - batch[16])).toBeGreaterThan(1e-4);
  });

  it('pools the [CLS] row with pooling "cls", differently from the mean', async () => {
    const cls = await createTransformersEmbedder({ model: encoderDir, pooling: 'cls' });
    try {
      expect(cls.id).toBe(`transformers:${encoderDir}#cls`);
      const a = await cls.embed(TEXTS.slice(0, 1));
      const b = await mean.embed(TEXTS.slice(0, 1));
      expect(Math.hypot(...a)).toBeCloseTo(1, 5);
      expect(a.some((value, j) => Math.abs(value - b[j]) > 1e-3)).toBe(true);
    } finally {
      await cls.dispose();
    }
  });

  it('pools over the attention mask only', () => {
    // batch 1, sequence 3, width 2; the third token is padding.
    const hidden = Float32Array.from([1, 0, 3, 4, 100, 100]);
    const pooled = poolTokenStates(hidden, [1n, 1n, 0n], 1, 3, 2, 'mean', false);
    expect([...pooled]).toEqual([2, 2]);
    const normalised = poolTokenStates(hidden, [1n, 1n, 0n], 1, 3, 2, 'mean', true);
    expect(normalised[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect([...poolTokenStates(hidden, [1n, 1n, 0n], 1, 3, 2, 'cls', false)]).toEqual([1, 0]);
  });

  it('gives clear errors for a missing folder, missing files and bad options', async () => {
    await expect(createTransformersEmbedder({ model: path.join(root, 'nope'), allowRemote: false })).rejects.toThrow(WeightsError);
    const noTokenizer = writeTinyBertModel(path.join(root, 'no-tokenizer'), { variant: 'feature-extraction', withTokenizer: false });
    await expect(createTransformersEmbedder({ model: noTokenizer })).rejects.toThrow(/tokenizer\.json/);
    await expect(createTransformersEmbedder({ model: encoderDir, pooling: 'max' as 'mean' })).rejects.toThrow(InvalidOptionsError);
  });

  it('serves as the frozen encoder of a bert head, rebuilt from the manifest id', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({
      prompt: i % 2 ? `prove the theorem number ${i}` : `hello there friend ${i}`,
      model_a: 'strong-s',
      model_b: 'weak-w',
      winner: i % 2 ? 'model_a' : i % 4 ? 'tie' : 'model_b',
    }));
    const dataFile = path.join(root, 'battles.jsonl');
    writeFileSync(dataFile, rows.map((row) => JSON.stringify(row)).join('\n'));
    const weightsDir = path.join(root, 'head');
    const result = await trainBert({
      data: [dataFile],
      output: weightsDir,
      strongModel: 'strong-s',
      weakModel: 'weak-w',
      embedder: mean,
      embeddingCache: false,
      decontaminate: false,
      progress: false,
      epochs: 5,
      architecture: 'linear',
    });
    expect(result.manifest.embedder).toEqual({ id: `transformers:${encoderDir}`, dimension: 16 });
    const router = await createRouter('bert', { weightsDir });
    try {
      const scores = await router.strongWinRates(['prove it', 'hello']);
      expect(scores.length).toBe(2);
      for (const score of scores) expect(score).toBeGreaterThanOrEqual(0);
    } finally {
      await router.dispose();
    }
  });
});
