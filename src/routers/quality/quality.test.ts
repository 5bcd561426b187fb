import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeRows } from '../../core/ops.js';
import { InvalidInputError, UnknownModelError, WeightsError } from '../../errors.js';
import { chooseModel } from '../../policy/index.js';
import { createRng } from '../../train/random.js';
import { bagOfWords } from '../../../test/helpers/bag-of-words.js';
import { runRouterContract } from '../contract.case.js';
import { createRouter } from '../registry.js';
import { isEmbeddingModelScoringRouter, isModelScoringRouter } from '../types.js';
import { fitQualityHead, predictQuality, type QualityHeadSettings } from './head.js';
import { neighbourIndex, QualityRouter } from './index.js';
import { saveQualityHead } from './weights.js';

const DIMENSION = 64;
const embedder = () => bagOfWords('test-bow', DIMENSION);
const MODELS = ['maths-model', 'chat-model', 'big-model'];
const MATH = ['integral', 'derivative', 'prime', 'equation', 'matrix', 'theorem'];
const CHAT = ['poem', 'hello', 'recipe', 'story', 'holiday', 'song'];

function prompt(rng: () => number, math: boolean): string {
  const words = math ? MATH : CHAT;
  const pick = () => words[Math.floor(rng() * words.length)];
  return `please ${pick()} and ${pick()} ${Math.floor(rng() * 1e6)}`;
}

/** maths-model is right on maths only, chat-model on small talk only, big-model on both (grades 1-10). */
async function plantedTable(count: number, seed: number) {
  const rng = createRng(seed);
  const prompts: string[] = [];
  const quality = new Float64Array(count * 3);
  for (let row = 0; row < count; row++) {
    const math = rng() < 0.5;
    prompts.push(prompt(rng, math));
    quality.set([math ? 9 : 2, math ? 2 : 9, 9], row * 3);
  }
  return { table: { models: MODELS, count, quality }, prompts, embeddings: await embedder().embed(prompts) };
}

const folder = mkdtempSync(path.join(os.tmpdir(), 'routellm-quality-'));
const dirs: Record<'ridge' | 'knn', string> = { ridge: path.join(folder, 'ridge'), knn: path.join(folder, 'knn') };
const SETTINGS: Record<'ridge' | 'knn', QualityHeadSettings> = { ridge: { kind: 'ridge', lambda: 1 }, knn: { kind: 'knn', k: 10, prior: 1 } };

const ready = (async () => {
  const { table, embeddings } = await plantedTable(200, 1);
  for (const kind of ['ridge', 'knn'] as const) {
    await saveQualityHead(dirs[kind], fitQualityHead(table, embeddings, SETTINGS[kind]), {
      embedder: { id: 'test-bow', dimension: DIMENSION },
      data: { sources: [{ name: 'planted', rows: 200 }] },
      extra: { modelMeans: { 'maths-model': 5.5, 'chat-model': 5.5, 'big-model': 9 } },
    });
  }
})();

const make = async (kind: 'ridge' | 'knn' = 'ridge', options: Record<string, unknown> = {}) => {
  await ready;
  return createRouter('quality', { weightsDir: dirs[kind], embedder: embedder(), ...options });
};

runRouterContract({ name: 'quality (ridge head)', create: () => make('ridge') });
runRouterContract({ name: 'quality (knn head)', create: () => make('knn') });

describe('quality router', () => {
  beforeAll(async () => {
    await ready;
  });

  it.each(['ridge', 'knn'] as const)('%s head: predicts the planted per-model quality on [0, 1] and chooses by it', async (kind) => {
    const router = await make(kind);
    try {
      expect(isModelScoringRouter(router) && isEmbeddingModelScoringRouter(router)).toBe(true);
      if (!isEmbeddingModelScoringRouter(router)) return;
      const { prompts, table } = await plantedTable(40, 2);
      const scores = await router.modelScores(prompts, ['big-model', 'maths-model', 'chat-model']);
      let right = 0;
      let specialist = 0;
      for (let row = 0; row < 40; row++) {
        const math = table.quality[row * 3] === 9;
        const [big, maths, chat] = scores.subarray(row * 3, row * 3 + 3);
        expect(big).toBeGreaterThan(0.6);
        if (math ? maths > chat : chat > maths) right++;
        // Halfway along the knob, the right cheap specialist beats the big model that costs 10x.
        const candidates = [
          { model: 'big-model', quality: big, cost: 10 },
          { model: 'maths-model', quality: maths, cost: 1 },
          { model: 'chat-model', quality: chat, cost: 1 },
        ];
        if (chooseModel(candidates, { knob: 0.5 }).model === (math ? 'maths-model' : 'chat-model')) specialist++;
      }
      expect(right).toBeGreaterThanOrEqual(36);
      expect(specialist).toBeGreaterThanOrEqual(36);
      const embeddings = await embedder().embed(prompts);
      expect([...(await router.modelScoresFromEmbeddings(embeddings, 40, ['big-model', 'maths-model', 'chat-model']))]).toEqual([...scores]);
    } finally {
      await router.dispose();
    }
  });

  it('a kNN head finds its neighbours through the int8 kernel, as the JavaScript scan does', async () => {
    const router = (await make('knn')) as QualityRouter;
    try {
      const { prompts, embeddings } = await plantedTable(40, 7);
      const index = neighbourIndex(router.head)!;
      expect(index.size).toBe(200);
      const scanned = predictQuality(router.head, embeddings, prompts.length, (queries, count) => index.similaritiesSync(queries, count));
      // The kernel's similarities are the cosines to the stored int8 rows (what the JavaScript scan computes, to the query's int16 step).
      const rows = normalizeRows(router.head.embeddings!, DIMENSION);
      const queries = normalizeRows(embeddings, DIMENSION);
      const kernel = index.similaritiesSync(queries, prompts.length);
      index.dispose();
      for (let query = 0; query < prompts.length; query++) {
        for (let row = 0; row < 200; row++) {
          let dot = 0;
          for (let j = 0; j < DIMENSION; j++) dot += rows[row * DIMENSION + j] * queries[query * DIMENSION + j];
          expect(Math.abs(kernel[query * 200 + row] - dot)).toBeLessThan(1e-4);
        }
      }
      // Ties between neighbours may break either way, so the predictions are checked for what they mean: the planted rule.
      prompts.forEach((text, i) => expect(scanned[i * 3] > scanned[i * 3 + 1]).toBe(MATH.some((word) => text.includes(word))));
      // The router scores through its own index: the same values.
      expect([...(await router.modelScoresFromEmbeddings(embeddings, prompts.length, MODELS))]).toEqual([...scanned]);
    } finally {
      await router.dispose();
    }
    const ridge = (await make('ridge')) as QualityRouter;
    expect(neighbourIndex(ridge.head)).toBeUndefined();
    await ridge.dispose();
  });

  it('the pair score is 0.5 + half the quality gap; the default pair is the best and worst model on average', async () => {
    const router = (await make('ridge')) as QualityRouter;
    try {
      expect([router.strongModel, router.weakModel]).toEqual(['big-model', 'chat-model']);
      const prompts = ['please integral and prime 3', 'please poem and song 4'];
      const quality = await router.modelScores(prompts, ['big-model', 'chat-model']);
      const pair = await router.strongWinRates(prompts);
      prompts.forEach((_, row) => expect(pair[row]).toBeCloseTo(Math.min(1, Math.max(0, 0.5 + (quality[row * 2] - quality[row * 2 + 1]) / 2)), 6));
      expect(pair[0]).toBeGreaterThan(pair[1]);
    } finally {
      await router.dispose();
    }
  });

  it('head arithmetic: ridge with a tiny penalty recovers a linear rule; knn with k = all and no prior gives the column means', () => {
    const embeddings = Float32Array.from({ length: 30 * 4 }, (_, i) => Math.sin(i * 1.7) + (i % 4 === 0 ? 1 : 0));
    const quality = Float64Array.from({ length: 30 * 2 }, (_, i) => {
      const row = Math.floor(i / 2);
      const e = embeddings.subarray(row * 4, row * 4 + 4);
      return i % 2 === 0 ? 2 * e[1] - e[2] + 0.5 : -e[3];
    });
    const table = { models: ['a', 'b'], count: 30, quality };
    const ridge = fitQualityHead(table, embeddings, { kind: 'ridge', lambda: 1e-8 });
    const predicted = predictQuality(ridge, embeddings, 30);
    const scale = ridge.high - ridge.low;
    for (let i = 0; i < 60; i++) expect(predicted[i] * scale + ridge.low).toBeCloseTo(quality[i], 3);
    const knn = fitQualityHead(table, embeddings, { kind: 'knn', k: 30, prior: 0 });
    const means = [0, 1].map((m) => quality.filter((_, i) => i % 2 === m).reduce((a, b) => a + b, 0) / 30);
    const everywhere = predictQuality(knn, embeddings.subarray(0, 8), 2);
    for (let i = 0; i < 4; i++) expect(everywhere[i] * scale + knn.low).toBeCloseTo(means[i % 2], 4);
  });

  it('rejects unknown models, an empty model list, and weights of another router', async () => {
    const router = (await make('knn', { modelMapping: { mine: 'big-model' } })) as QualityRouter;
    try {
      expect((await router.modelScores(['please poem 1'], ['mine'])).length).toBe(1);
      await expect(router.modelScores(['please poem 1'], ['gpt-9'])).rejects.toBeInstanceOf(UnknownModelError);
      await expect(router.modelScores(['please poem 1'], [])).rejects.toBeInstanceOf(InvalidInputError);
    } finally {
      await router.dispose();
    }
    await expect(make('ridge', { strongModel: 'gpt-9' })).rejects.toBeInstanceOf(UnknownModelError);
    const { shippedWeightsDir } = await import('../../weights-format/paths.js');
    await expect(createRouter('quality', { weightsDir: shippedWeightsDir('mf'), embedder: embedder() })).rejects.toBeInstanceOf(WeightsError);
  });
});
