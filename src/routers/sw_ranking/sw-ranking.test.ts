import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Int8VectorIndex } from '../../core/int8-vector-index.js';
import { VectorIndex } from '../../core/ops.js';
import type { Embedder } from '../../embedders/types.js';
import { InvalidInputError, UnknownModelError, WeightsError } from '../../errors.js';
import { shippedWeightsDir } from '../../weights-format/paths.js';
import { runRouterContract } from '../contract.case.js';
import { createRouter } from '../registry.js';
import { isEmbeddingRouter, isModelScoringRouter } from '../types.js';
import { eloWinProbability, fitBradleyTerry, winProbability } from '../bradley-terry.js';
import { loadBattleIndex, type BattleInput } from './battle-index.js';
import { SwRankingRouter } from './index.js';
import { mulberry32 } from '../../train/random.js';
import { referenceEloFit } from './reference.js';
import { TierScorer } from './scorer.js';
import { trainSwRanking } from './train.js';

/** Test fixture: a deterministic hashed bag-of-words embedder (not a model of anything). */
class HashedWordsEmbedder implements Embedder {
  readonly id = 'test-hashed-words';
  readonly dimension = 24;
  async embed(texts: readonly string[]): Promise<Float32Array> {
    const out = new Float32Array(texts.length * this.dimension);
    texts.forEach((text, row) => {
      out[row * this.dimension] = 0.05;
      for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
        let hash = 2166136261;
        for (const char of word) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
        out[row * this.dimension + (hash % this.dimension)] += hash & 1 ? 1 : -1;
      }
    });
    return out;
  }
  dispose(): void {}
}

const MODELS = ['gpt-4-1106-preview', 'mixtral-8x7b-instruct', 'claude-2', 'vicuna-13b', 'llama-2-7b-chat', 'alpaca-13b'];
const MATH = ['solve the integral', 'prove the theorem about primes', 'compute the derivative of x squared', 'algebra equation with two unknowns', 'probability of drawing two aces'];
const CHAT = ['hello how are you', 'tell me a joke about cats', 'write a haiku about spring', 'what is your favourite colour', 'say something nice'];

/** Strong models win on maths, ties and upsets on small talk; weaker models lose more often. */
function testBattles(): BattleInput[] {
  let seed = 9;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const battles: BattleInput[] = [];
  for (let n = 0; n < 600; n++) {
    const topic = n % 2 === 0 ? MATH : CHAT;
    const prompt = `${topic[n % topic.length]} ${n % 7}`;
    const a = Math.floor(random() * MODELS.length);
    let b = Math.floor(random() * (MODELS.length - 1));
    if (b >= a) b++;
    const edge = topic === MATH ? (b - a) * 0.9 : (b - a) * 0.15;
    const pa = 1 / (1 + Math.pow(10, -edge));
    const roll = random();
    const winner = roll < 0.15 ? 'tie' : roll < 0.2 ? 'tie (bothbad)' : random() < pa ? 'model_a' : 'model_b';
    battles.push({ prompt, modelA: MODELS[a], modelB: MODELS[b], winner, source: topic === MATH ? 'math' : 'chat' });
  }
  return battles;
}

let dir: string;
let float32Dir: string;
const embedder = new HashedWordsEmbedder();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sw-ranking-'));
  float32Dir = path.join(dir, 'float32');
  await trainSwRanking({ battles: testBattles(), output: path.join(dir, 'int8'), embedder, numTiers: 4 });
  await trainSwRanking({ battles: testBattles(), output: float32Dir, embedder, numTiers: 4, embeddings: 'float32' });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const make = (options: Record<string, unknown> = {}) =>
  createRouter('sw_ranking', { weightsDir: path.join(dir, 'int8'), embedder, ...options });

runRouterContract({ name: 'sw_ranking (test index)', create: () => make() });

describe('sw_ranking router', () => {
  it('is registered under sw_ranking and sw-ranking and scores precomputed embeddings', async () => {
    const router = await createRouter('sw-ranking', { weightsDir: path.join(dir, 'int8'), embedder });
    try {
      expect(router).toBeInstanceOf(SwRankingRouter);
      expect(isEmbeddingRouter(router)).toBe(true);
      if (!isEmbeddingRouter(router)) return;
      const prompts = ['solve the integral 3', 'hello how are you 2'];
      const direct = await router.strongWinRates(prompts);
      const fromEmbeddings = await router.strongWinRatesFromEmbeddings(await embedder.embed(prompts), 2);
      expect([...fromEmbeddings]).toEqual([...direct]);
    } finally {
      await router.dispose();
    }
  });

  it('learns the topic: the strong model wins more often on maths than on small talk', async () => {
    const router = await make();
    try {
      const maths = await router.strongWinRates(MATH);
      const chat = await router.strongWinRates(CHAT);
      const mean = (values: Float32Array) => values.reduce((sum, x) => sum + x, 0) / values.length;
      expect(mean(maths)).toBeGreaterThan(mean(chat) + 0.02);
      expect(mean(maths)).toBeGreaterThan(0.5);
    } finally {
      await router.dispose();
    }
  });

  it.each(['drop', 'anchor'] as const)('gives the same win rates as the per-battle reference formulation (float32 index, same-tier battles: %s)', async (mode) => {
    const router = (await make({ weightsDir: float32Dir, sameTierBattles: mode })) as SwRankingRouter;
    const index = await loadBattleIndex(float32Dir);
    try {
      const tiers = index.models.map((model) => router.tiers[model]);
      const battles = Array.from(index.battleWinner, (winner, n) => ({
        a: tiers[index.battleModelA[n]],
        b: tiers[index.battleModelB[n]],
        winner,
      }));
      const tierCount = Math.max(...tiers) + 1;
      for (const prompt of [MATH[0], CHAT[1], 'a question about cats and primes']) {
        const query = await embedder.embed([prompt]);
        const similarities = Array.from(index.battlePrompt, (p) => {
          let dot = 0;
          let nq = 0;
          let nb = 0;
          for (let j = 0; j < index.embedder.dimension; j++) {
            const x = query[j];
            const y = index.promptEmbeddings[p * index.embedder.dimension + j];
            dot += x * y;
            nq += x * x;
            nb += y * y;
          }
          return dot / Math.sqrt(nq * nb);
        });
        const max = Math.max(...similarities);
        const weights = similarities.map((s) => 10 * Math.pow(10, s / max));
        const ratings = referenceEloFit(battles, weights, tierCount, { sameTierBattles: mode });
        const expected = eloWinProbability(ratings[router.strongTier], ratings[router.weakTier]);
        const actual = await router.strongWinRate(prompt);
        expect(Math.abs(actual - expected)).toBeLessThan(1e-4);
        const fastRatings = await router.tierRatingsFromEmbedding(query);
        for (let t = 0; t < tierCount; t++) expect(Math.abs(fastRatings[t] - ratings[t])).toBeLessThan(1e-2);
      }
    } finally {
      await router.dispose();
    }
  });

  it('int8 index: the SIMD kernel gives the win rates of the dequantised float path (float64 weights), singles and batches', async () => {
    const router = (await make()) as SwRankingRouter;
    const index = await loadBattleIndex(path.join(dir, 'int8'));
    expect(index.promptCodes).toBeInstanceOf(Int8Array);
    expect((router as unknown as { online: { current: { vectors: unknown } } }).online.current.vectors).toBeInstanceOf(Int8VectorIndex);
    const dimension = index.embedder.dimension;
    const floatRows = await VectorIndex.create(index.promptEmbeddings, index.promptCount, dimension);
    try {
      const tiers = Int32Array.from(index.models, (model) => router.tiers[model]);
      const scorer = new TierScorer(index, tiers);
      const random = mulberry32(21);
      const count = 300;
      const words = [...MATH, ...CHAT].join(' ').split(' ');
      const prompts = Array.from({ length: count - 40 }, (_, i) => `${words[i % words.length]} ${words[(i * 7) % words.length]} ${i % 5}`);
      const embeddings = new Float32Array(count * dimension);
      embeddings.set(await embedder.embed(prompts));
      // 40 random directions, one of them zero (every similarity 0: the unweighted fit).
      for (let j = (count - 40) * dimension; j < (count - 1) * dimension; j++) embeddings[j] = random() - 0.5;
      const similarities = await floatRows.similarities(embeddings, count);
      const expected = Array.from({ length: count }, (_, q) => {
        const row = similarities.subarray(q * index.promptCount, (q + 1) * index.promptCount);
        const max = Math.max(...row);
        const weights = Float64Array.from(row, (s) => (max > 0 ? 10 * Math.pow(10, s / max) : 10));
        const beta = fitBradleyTerry(scorer.countsFor(weights)).beta;
        return winProbability(beta, router.strongTier, router.weakTier);
      });
      const batch = await router.strongWinRatesFromEmbeddings(embeddings, count);
      let largest = 0;
      for (let q = 0; q < count; q++) largest = Math.max(largest, Math.abs(batch[q] - expected[q]));
      expect(largest).toBeLessThan(1e-5);
      for (const q of [0, 17, count - 1]) {
        const single = await router.strongWinRatesFromEmbeddings(embeddings.subarray(q * dimension, (q + 1) * dimension), 1);
        expect(single[0]).toBe(batch[q]);
      }
    } finally {
      floatRows.dispose();
      await router.dispose();
    }
  });

  it('a loaded int8 index dequantises its embeddings only when they are read', async () => {
    const index = await loadBattleIndex(path.join(dir, 'int8'));
    const codes = index.promptCodes!;
    const first = index.promptEmbeddings;
    expect(index.promptEmbeddings).toBe(first);
    expect(first[5]).toBeCloseTo(codes[5] / 127, 6);
    const replaced = new Float32Array(first.length);
    index.promptEmbeddings = replaced;
    expect(index.promptEmbeddings).toBe(replaced);
    const unread = await loadBattleIndex(path.join(dir, 'int8'));
    unread.promptEmbeddings = replaced;
    expect(unread.promptEmbeddings).toBe(replaced);
  });

  it('int8 embeddings move scores by little', async () => {
    const a = await make();
    const b = await make({ weightsDir: float32Dir });
    try {
      const prompts = [...MATH, ...CHAT, 'cats and primes'];
      const x = await a.strongWinRates(prompts);
      const y = await b.strongWinRates(prompts);
      for (let i = 0; i < prompts.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(2e-3);
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  it('scores 0.5 when both models are in the same tier, and maps deployed names', async () => {
    const router = (await make({
      strongModel: 'my-big-model',
      weakModel: 'gpt-4-1106-preview',
      modelMapping: { 'my-big-model': 'GPT-4-1106-PREVIEW' },
    })) as SwRankingRouter;
    try {
      expect(router.strongModel).toBe('gpt-4-1106-preview');
      expect([...(await router.strongWinRates(MATH))]).toEqual(MATH.map(() => 0.5));
    } finally {
      await router.dispose();
    }
  });

  it('modelScores: win rates against the weak model from the tier ratings, equal within a tier', async () => {
    const router = (await make({ modelMapping: { mine: 'claude-2' } })) as SwRankingRouter;
    try {
      expect(isModelScoringRouter(router)).toBe(true);
      const models = ['gpt-4-1106-preview', 'mine', 'mixtral-8x7b-instruct', 'alpaca-13b'];
      const scores = await router.modelScores([...MATH, ...CHAT], models);
      const strong = await router.strongWinRates([...MATH, ...CHAT]);
      const embeddings = await embedder.embed([...MATH, ...CHAT]);
      const tiers = [router.tiers['gpt-4-1106-preview'], router.tiers['claude-2'], router.weakTier, router.tiers['alpaca-13b']];
      for (let query = 0; query < MATH.length + CHAT.length; query++) {
        const row = [...scores.subarray(query * 4, query * 4 + 4)];
        expect(row[0]).toBeCloseTo(strong[query], 6);
        expect(row[2]).toBe(0.5);
        const ratings = await router.tierRatingsFromEmbedding(embeddings.subarray(query * embedder.dimension, (query + 1) * embedder.dimension));
        tiers.forEach((tier, column) => expect(row[column]).toBeCloseTo(eloWinProbability(ratings[tier], ratings[router.weakTier]), 4));
      }
      // The strong model gains more over the weakest on maths than on small talk.
      const meanGap = (from: number, to: number) => {
        let sum = 0;
        for (let query = from; query < to; query++) sum += scores[query * 4] - scores[query * 4 + 3];
        return sum / (to - from);
      };
      expect(meanGap(0, MATH.length)).toBeGreaterThan(meanGap(MATH.length, MATH.length + CHAT.length));
      expect([...(await router.modelScoresFromEmbeddings(embeddings, MATH.length + CHAT.length, models))]).toEqual([...scores]);
      await expect(router.modelScores(MATH, ['gpt-4-1106-preview', 'gpt-9'])).rejects.toBeInstanceOf(UnknownModelError);
      await expect(router.modelScores(MATH, [])).rejects.toBeInstanceOf(InvalidInputError);
    } finally {
      await router.dispose();
    }
  });

  it('finds the benchmark weak model through the alias table', async () => {
    const router = (await make()) as SwRankingRouter;
    try {
      expect(router.weakModel).toBe('mistralai/Mixtral-8x7B-Instruct-v0.1');
      expect(router.strongTier).toBeLessThan(router.weakTier);
    } finally {
      await router.dispose();
    }
  });

  it('recomputes tiers for another numTiers and honours gamma', async () => {
    const two = (await make({ numTiers: 2 })) as SwRankingRouter;
    const flat = await make({ gamma: 1.0001 });
    const base = await make();
    try {
      expect(new Set(Object.values(two.tiers)).size).toBe(2);
      const flatScores = await flat.strongWinRates([MATH[0], CHAT[0]]);
      expect(Math.abs(flatScores[0] - flatScores[1])).toBeLessThan(1e-3);
      const baseScores = await base.strongWinRates([MATH[0], CHAT[0]]);
      expect(Math.abs(baseScores[0] - baseScores[1])).toBeGreaterThan(1e-3);
    } finally {
      await two.dispose();
      await flat.dispose();
      await base.dispose();
    }
  });

  it('rejects an unknown model with the list of available models', async () => {
    const error = await make({ strongModel: 'gpt-5' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownModelError);
    expect((error as UnknownModelError).available).toContain('claude-2');
    expect((error as Error).message).toMatch(/gpt-5.*Available models:.*vicuna-13b/);
  });

  it('rejects bad options and embeddings of the wrong dimension', async () => {
    await expect(make({ gamma: 0.5 })).rejects.toThrow(/gamma/);
    await expect(make({ numTiers: 0 })).rejects.toThrow(/numTiers/);
    const router = (await make()) as SwRankingRouter;
    try {
      await expect(router.strongWinRatesFromEmbeddings(new Float32Array(25), 1)).rejects.toThrow(InvalidInputError);
      await expect(router.strongWinRatesFromEmbeddings(new Float32Array(50), 2)).rejects.toThrow(/24 = 48 values.*25 per row/);
    } finally {
      await router.dispose();
    }
  });

  it('refuses an embedder other than the one the index was built with', async () => {
    const other = Object.assign(new HashedWordsEmbedder(), { id: 'other' });
    await expect(make({ embedder: other })).rejects.toThrow(WeightsError);
  });
});

describe('trainSwRanking from files', () => {
  it('reads battle files and score tables (golden labels), records sources, rows, tiers and checksums', async () => {
    const battlesFile = path.join(dir, 'votes.jsonl');
    const scoresFile = path.join(dir, 'correctness.jsonl');
    await writeFile(
      battlesFile,
      testBattles()
        .slice(0, 60)
        .map((b) => JSON.stringify({ prompt: b.prompt, model_a: b.modelA, model_b: b.modelB, winner: b.winner }))
        .join('\n') + '\n',
    );
    await writeFile(
      scoresFile,
      MATH.map((prompt, i) =>
        JSON.stringify({ prompt: `${prompt} again`, correct: { 'gpt-4-1106-preview': 1, 'mistralai/mixtral-8x7b-chat': i % 2, 'claude-2': 1 } }),
      ).join('\n') + '\n',
    );
    const output = path.join(dir, 'from-files');
    const result = await trainSwRanking({ data: [battlesFile, scoresFile], output, embedder, numTiers: 3, maxPairsPerPrompt: 2 });
    expect(result.details.battlesRead).toBe(60 + MATH.length * 2);
    const manifest = JSON.parse(await readFile(path.join(output, 'manifest.json'), 'utf8'));
    expect(manifest.router).toBe('sw_ranking');
    expect(manifest.embedder).toEqual({ id: 'test-hashed-words', dimension: 24 });
    expect(manifest.models).toContain('mistralai/Mixtral-8x7B-Instruct-v0.1');
    const sources = Object.fromEntries(manifest.data.sources.map((s: { name: string }) => [s.name, s]));
    expect(sources.votes).toMatchObject({ battles: 60, rows: 60 });
    expect(sources.correctness).toMatchObject({ battles: MATH.length * 2, prompts: MATH.length, rows: MATH.length });
    expect(new Set(Object.values(manifest.extra.tiers)).size).toBe(3);
    for (const tensor of manifest.tensors) expect(tensor.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.tensors.find((t: { name: string }) => t.name === 'prompt_embeddings').dtype).toBe('int8');
  });
});

describe('sw_ranking battle index validation', () => {
  it('rejects an unknown winner value, naming the row', async () => {
    const battles = testBattles().slice(0, 20);
    battles[13] = { ...battles[13], winner: 'draw' };
    const error = await trainSwRanking({ battles, output: path.join(dir, 'bad'), embedder }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/battles\[13\].*winner.*"draw"/);
  });

  it('rejects a battle with a missing model or a model against itself, naming the row', async () => {
    const battles = testBattles().slice(0, 20);
    battles[4] = { ...battles[4], modelB: '' };
    await expect(trainSwRanking({ battles, output: path.join(dir, 'bad'), embedder })).rejects.toThrow(/battles\[4\].*modelB/);
    battles[4] = { ...battles[4], modelB: battles[4].modelA };
    await expect(trainSwRanking({ battles, output: path.join(dir, 'bad'), embedder })).rejects.toThrow(/battles\[4\]/);
  });

  it('rejects an embedder that returns vectors of the wrong size', async () => {
    const broken: Embedder = { id: 'broken', dimension: 8, embed: async (texts) => new Float32Array(texts.length * 7), dispose() {} };
    await expect(trainSwRanking({ battles: testBattles().slice(0, 5), output: path.join(dir, 'bad'), embedder: broken })).rejects.toThrow(
      /embedder "broken".*40 floats \(5 x 8\), got 35/,
    );
  });

  async function copyIndex(name: string): Promise<string> {
    const target = path.join(dir, name);
    await trainSwRanking({ battles: testBattles().slice(0, 40), output: target, embedder, numTiers: 3 });
    return target;
  }

  it('rejects a truncated binary, naming the file', async () => {
    const target = await copyIndex('truncated');
    await truncate(path.join(target, 'prompt_embeddings.bin'), 100);
    const error = await loadBattleIndex(target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightsError);
    expect((error as Error).message).toMatch(/prompt_embeddings\.bin.*100 bytes/);
  });

  it('rejects embeddings whose width is not the manifest dimension', async () => {
    const target = await copyIndex('wrong-dimension');
    const manifestFile = path.join(target, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    manifest.embedder.dimension = 32;
    await writeFile(manifestFile, JSON.stringify(manifest));
    await expect(loadBattleIndex(target)).rejects.toThrow(/prompt_embeddings\.bin.*\[\d+, 24\].*32-d/);
  });

  it('rejects a battle row that points at a model not in the model list, naming the row', async () => {
    const target = await copyIndex('missing-model');
    const manifestFile = path.join(target, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    const dropped = manifest.models.length - 1;
    manifest.models = manifest.models.slice(0, dropped);
    await writeFile(manifestFile, JSON.stringify(manifest));
    const error = await loadBattleIndex(target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightsError);
    expect((error as Error).message).toMatch(new RegExp(`battles\\.bin: battle row \\d+: model index ${dropped} is not in the model list`));
  });
});

describe.skipIf(!existsSync(path.join(shippedWeightsDir('sw_ranking'), 'manifest.json')))('shipped sw_ranking index', () => {
  it('loads offline with the default pair and gives different scores to different prompts', async () => {
    const router = (await createRouter('sw_ranking')) as SwRankingRouter;
    try {
      expect(router.strongModel).toBe('gpt-4-1106-preview');
      expect(router.weakModel).toBe('mistralai/Mixtral-8x7B-Instruct-v0.1');
      const scores = await router.strongWinRates(['What is the derivative of sin(x) * x^2?', 'hi there!', 'Write a sonnet about the sea.']);
      for (const score of scores) expect(score).toBeGreaterThan(0), expect(score).toBeLessThan(1);
      expect(new Set(scores).size).toBe(3);
    } finally {
      await router.dispose();
    }
  });

  it('scores through the WebAssembly weights and counts exactly as through the JavaScript ones (routing unchanged)', async () => {
    const router = (await createRouter('sw_ranking')) as SwRankingRouter;
    try {
      const { vectors, scorer } = (router as unknown as { online: { current: { vectors: Int8VectorIndex; scorer: TierScorer } } }).online.current;
      expect(vectors).toBeInstanceOf(Int8VectorIndex);
      const dimension = router.embedder.dimension;
      const count = 40;
      const embeddings = new Float32Array(count * dimension);
      embeddings.set(await router.embedder.embed(['What is the derivative of sin(x) * x^2?', 'hi there!', 'Write a sonnet about the sea.']));
      const random = mulberry32(3);
      for (let j = 3 * dimension; j < count * dimension; j++) embeddings[j] = random() - 0.5;
      const fused = await router.strongWinRatesFromEmbeddings(embeddings, count);
      for (let q = 0; q < count; q++) {
        const similarities = vectors.similaritiesView(embeddings.subarray(q * dimension, (q + 1) * dimension), 1).slice();
        const beta = scorer.fitSimilarities(similarities);
        expect(fused[q]).toBe(Math.fround(winProbability(beta, router.strongTier, router.weakTier)));
      }
    } finally {
      await router.dispose();
    }
  });
});
