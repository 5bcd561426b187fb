import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyBertModel } from '../../../test/helpers/onnx-bert.js';
import { InvalidOptionsError, WeightsError } from '../../errors.js';
import { runRouterContract } from '../contract.case.js';
import { createRouter } from '../registry.js';
import { BertOnnxRouter, strongWinRatesFromProbabilities } from './index.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'routellm-bert-onnx-'));
const modelDir = writeTinyBertModel(path.join(root, 'classifier'), { variant: 'sequence-classification', seed: 11 });
afterAll(() => rmSync(root, { recursive: true, force: true }));

runRouterContract({ name: 'bert (onnx, tiny random model)', create: () => createRouter('bert', { mode: 'onnx', model: modelDir }) });

const PROMPTS = [
  'write python code for a prime number function',
  'hi',
  'what is the capital city of france?',
  'explain the difference between a list and a tuple, please',
  'prove the equation 2 + 2 = 4',
];

describe('bert router, onnx mode', () => {
  let router: BertOnnxRouter;
  beforeAll(async () => {
    router = (await createRouter('bert', { mode: 'onnx', model: modelDir })) as BertOnnxRouter;
  });
  afterAll(async () => router?.dispose());

  it('gives probabilities that sum to 1 and scores equal to 1 - P(tie) - P(weak wins)', async () => {
    const probabilities = await router.probabilities(PROMPTS);
    const scores = await router.strongWinRates(PROMPTS);
    for (let i = 0; i < PROMPTS.length; i++) {
      const row = probabilities.subarray(i * 3, i * 3 + 3);
      expect(row[0] + row[1] + row[2]).toBeCloseTo(1, 5);
      expect(scores[i]).toBeCloseTo(1 - row[1] - row[2], 5);
    }
    // A random model still separates prompts: scores are not all equal.
    expect(new Set([...scores].map((score) => score.toFixed(4))).size).toBeGreaterThan(1);
  });

  it('respects the label order option', async () => {
    const reordered = await createRouter('bert', { mode: 'onnx', model: modelDir, labelOrder: ['weak_wins', 'strong_wins', 'tie'] });
    try {
      const probabilities = await router.probabilities(PROMPTS);
      const scores = await reordered.strongWinRates(PROMPTS);
      for (let i = 0; i < PROMPTS.length; i++) {
        // index 1 now means strong wins: 1 - P(tie = index 2) - P(weak = index 0) = P(index 1).
        expect(scores[i]).toBeCloseTo(probabilities[i * 3 + 1], 5);
      }
      const original = await router.strongWinRates(PROMPTS);
      expect([...scores].some((score, i) => Math.abs(score - original[i]) > 1e-3)).toBe(true);
    } finally {
      await reordered.dispose();
    }
  });

  it('scores a batch the same as single prompts, across padding lengths', async () => {
    const batch = await router.strongWinRates(PROMPTS);
    for (let i = 0; i < PROMPTS.length; i++) expect(await router.strongWinRate(PROMPTS[i])).toBeCloseTo(batch[i], 5);
  });

  it('truncates a 10,000-word prompt to maxLength and scores it', async () => {
    const long = Array.from({ length: 10_000 }, (_, i) => ['the', 'data', 'model', 'question'][i % 4]).join(' ');
    const [score] = await router.strongWinRates([long]);
    expect(Number.isFinite(score)).toBe(true);
    // Truncation keeps the first 510 words: appending more text changes nothing.
    const [longer] = await router.strongWinRates([`${long} prove prime numbers`]);
    expect(longer).toBeCloseTo(score, 6);
    const short = await createRouter('bert', { mode: 'onnx', model: modelDir, maxLength: 16 });
    try {
      const [a] = await short.strongWinRates([long]);
      const [b] = await short.strongWinRates(['the data model question the data model question the data model question the data']);
      expect(a).toBeCloseTo(b, 5);
    } finally {
      await short.dispose();
    }
  });

  it('rejects a folder without tokenizer, without model file, or with a label count other than 3', async () => {
    const noTokenizer = writeTinyBertModel(path.join(root, 'no-tokenizer'), { variant: 'sequence-classification', withTokenizer: false });
    await expect(createRouter('bert', { mode: 'onnx', model: noTokenizer })).rejects.toThrow(WeightsError);
    await expect(createRouter('bert', { mode: 'onnx', model: noTokenizer })).rejects.toThrow(/tokenizer\.json/);
    const noModel = writeTinyBertModel(path.join(root, 'no-model'), { variant: 'sequence-classification', withModel: false });
    await expect(createRouter('bert', { mode: 'onnx', model: noModel })).rejects.toThrow(/onnx\/model\.onnx/);
    const twoLabels = writeTinyBertModel(path.join(root, 'two-labels'), { variant: 'sequence-classification', numLabels: 2 });
    const error = await createRouter('bert', { mode: 'onnx', model: twoLabels }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WeightsError);
    expect((error as WeightsError).problem).toBe('mismatch');
    expect((error as Error).message).toMatch(/3-label.*2 labels/);
    const corrupt = writeTinyBertModel(path.join(root, 'corrupt'), { variant: 'sequence-classification' });
    writeFileSync(path.join(corrupt, 'onnx', 'model.onnx'), readFileSync(path.join(corrupt, 'onnx', 'model.onnx')).subarray(0, 100));
    await expect(createRouter('bert', { mode: 'onnx', model: corrupt })).rejects.toThrow(WeightsError);
    await expect(createRouter('bert', { mode: 'onnx', model: path.join(root, 'does-not-exist') })).rejects.toThrow(WeightsError);
  });

  it('does not go to the hub when remote loading is off', async () => {
    await expect(createRouter('bert', { mode: 'onnx', model: 'routellm/bert-gpt4-augmented', allowRemote: false })).rejects.toThrow(/remote loading is off/);
  });

  it('rejects bad options', async () => {
    await expect(createRouter('bert', { mode: 'onnx' })).rejects.toThrow(InvalidOptionsError);
    await expect(createRouter('bert', { mode: 'onnx', model: modelDir, labelOrder: ['tie', 'tie', 'weak_wins'] })).rejects.toThrow(/labelOrder/);
    await expect(createRouter('bert', { mode: 'onnx', model: modelDir, maxLength: 0 })).rejects.toThrow(/maxLength/);
    // @ts-expect-error a bad option is a compile error too; checked here at run time
    await expect(createRouter('bert', { mode: 'bogus' })).rejects.toThrow(InvalidOptionsError);
  });
});

describe('strongWinRatesFromProbabilities', () => {
  it('is 1 - P(tie) - P(weak wins) in the given order', () => {
    const probabilities = Float32Array.from([0.7, 0.2, 0.1, 0.1, 0.3, 0.6]);
    const original = strongWinRatesFromProbabilities(probabilities, 2, ['strong_wins', 'tie', 'weak_wins']);
    expect(original[0]).toBeCloseTo(0.7, 6);
    expect(original[1]).toBeCloseTo(0.1, 6);
    const swapped = strongWinRatesFromProbabilities(probabilities, 2, ['weak_wins', 'tie', 'strong_wins']);
    expect(swapped[0]).toBeCloseTo(0.1, 6);
    expect(swapped[1]).toBeCloseTo(0.6, 6);
  });
});
