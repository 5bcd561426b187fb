import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { foldMfPair, initMfParameters, mfModelScores, scoreFolded } from '../../core/models/mf.js';
import { InvalidInputError, InvalidOptionsError, UnknownModelError, WeightsError } from '../../errors.js';
import { isEmbeddingModelScoringRouter, isModelScoringRouter } from '../types.js';
import { createRng } from '../../train/random.js';
import { shippedWeightsDir } from '../../weights-format/paths.js';
import { runRouterContract } from '../contract.case.js';
import { createRouter } from '../registry.js';
import { MfRouter } from './index.js';
import { trainMf, type TrainMfEvent, type TrainMfResult } from './train.js';
import { loadMfWeights, saveMfWeights } from './weights.js';
import { bagOfWords as hashedBagOfWords } from '../../../test/helpers/bag-of-words.js';

const DIMENSION = 96;

const bagOfWords = (id = 'test-bow', dimension = DIMENSION) => hashedBagOfWords(id, dimension);

const MATH = ['integral', 'derivative', 'prime', 'equation', 'matrix', 'theorem', 'proof', 'polynomial', 'logarithm', 'vector'];
const CHAT = ['poem', 'hello', 'recipe', 'story', 'holiday', 'song', 'friend', 'movie', 'garden', 'weather'];
const FILLER = ['please', 'about', 'the', 'a', 'write', 'explain', 'me', 'quick', 'short', 'now'];

function plantedPrompt(rng: () => number, math: boolean): string {
  const topic = math ? MATH : CHAT;
  const pick = (list: string[]) => list[Math.floor(rng() * list.length)];
  return `${pick(FILLER)} ${pick(topic)} ${pick(FILLER)} ${pick(topic)} ${pick(FILLER)} ${Math.floor(rng() * 1e6)}`;
}

/**
 * A planted rule: `big-model` beats `small-model` on math prompts and loses elsewhere; a third
 * model appears in a score table. Written as one battles file and one score table.
 */
function plantedData(folder: string): string[] {
  const rng = createRng(11);
  const battles: string[] = [];
  for (let i = 0; i < 500; i++) {
    const math = rng() < 0.5;
    const flip = rng() < 0.5;
    const bigWins = math;
    battles.push(
      JSON.stringify({
        prompt: plantedPrompt(rng, math),
        model_a: flip ? 'big-model' : 'small-model',
        model_b: flip ? 'small-model' : 'big-model',
        winner: bigWins === flip ? 'model_a' : 'model_b',
      }),
    );
  }
  battles.push(JSON.stringify({ prompt: 'a tie', model_a: 'big-model', model_b: 'small-model', winner: 'tie' }));
  const scores: string[] = [];
  for (let i = 0; i < 200; i++) {
    const math = rng() < 0.5;
    scores.push(JSON.stringify({ prompt: plantedPrompt(rng, math), scores: { 'big-model': math ? 1 : 0, 'small-model': math ? 0 : 1, 'mid-model': 0.5 } }));
  }
  const battlesFile = path.join(folder, 'planted-battles.jsonl');
  const scoresFile = path.join(folder, 'planted-scores.jsonl');
  writeFileSync(battlesFile, battles.join('\n') + '\n');
  writeFileSync(scoresFile, scores.join('\n') + '\n');
  return [battlesFile, scoresFile];
}

const folder = mkdtempSync(path.join(os.tmpdir(), 'routellm-mf-'));
const weightsDir = path.join(folder, 'weights');
let trained: TrainMfResult;
const events: TrainMfEvent[] = [];

const trainingReady = (async () => {
  trained = await trainMf({
    data: plantedData(folder),
    output: weightsDir,
    embedder: bagOfWords(),
    embeddingCache: false,
    decontaminate: false,
    seed: 3,
    epochs: 25,
    batchSize: 16,
    dim: 16,
    learningRate: 0.02,
    noiseStd: 0.01,
    validationFraction: 0.2,
    onProgress: (event) => events.push(event),
  });
})();

const createTrained = async () => {
  await trainingReady;
  return MfRouter.create({ weightsDir, embedder: bagOfWords(), strongModel: 'big-model', weakModel: 'small-model' });
};

runRouterContract({ name: 'mf', create: createTrained });

describe('mf router', () => {
  beforeAll(async () => {
    await trainingReady;
  }, 60_000);

  it('training recovers a planted rule (validation accuracy well above chance)', async () => {
    expect(trained.details.validationAccuracy).toBeGreaterThan(0.85);
    expect(trained.details.models).toEqual(['big-model', 'mid-model', 'small-model']);
    expect(trained.manifest.metrics.validationAccuracy).toBe(trained.details.validationAccuracy);
    expect(trained.manifest.data.sources.map((s) => [s.name, s.rows])).toEqual([
      ['planted-battles', 501],
      ['planted-scores', 200],
    ]);
    expect(events.some((e) => e.phase === 'epoch')).toBe(true);
    const router = await createTrained();
    const rng = createRng(99);
    const math = Array.from({ length: 40 }, () => plantedPrompt(rng, true));
    const chat = Array.from({ length: 40 }, () => plantedPrompt(rng, false));
    const mathScores = await router.strongWinRates(math);
    const chatScores = await router.strongWinRates(chat);
    expect(mathScores.filter((s) => s > 0.5).length).toBeGreaterThanOrEqual(36);
    expect(chatScores.filter((s) => s < 0.5).length).toBeGreaterThanOrEqual(36);
    await router.dispose();
  });

  it('training is reproducible with a seed', async () => {
    const again = path.join(folder, 'again');
    const trainSeeded = () =>
      trainMf({
        data: plantedData(folder),
        output: again,
        embedder: bagOfWords(),
        embeddingCache: false,
        decontaminate: false,
        seed: 3,
        epochs: 2,
        batchSize: 16,
        dim: 16,
      });
    const second = await trainSeeded();
    const third = await trainSeeded();
    expect(third.details.validationLoss).toBe(second.details.validationLoss);
  });

  it('folding the pair gives the full model’s win rate', () => {
    const parameters = initMfParameters({ numModels: 4, textDim: 8, dim: 5 }, 1);
    const rng = createRng(2);
    const embeddings = Float32Array.from({ length: 3 * 8 }, () => rng() - 0.5);
    const full = mfModelScores(parameters, embeddings, 3);
    const folded = scoreFolded(foldMfPair(parameters, 2, 0), embeddings, 3);
    for (let row = 0; row < 3; row++) {
      expect(folded[row]).toBeCloseTo(1 / (1 + Math.exp(-(full[row * 4 + 2] - full[row * 4]))), 6);
    }
  });

  it('save -> load gives identical scores', async () => {
    const loaded = await loadMfWeights(weightsDir);
    const copy = path.join(folder, 'copy');
    await saveMfWeights(copy, loaded.parameters, { models: loaded.models, embedder: loaded.manifest.embedder });
    const a = await createTrained();
    const b = await MfRouter.create({ weightsDir: copy, embedder: bagOfWords(), strongModel: 'big-model', weakModel: 'small-model' });
    const prompts = ['prove the theorem', 'write a poem', 'hello friend 42'];
    expect([...(await b.strongWinRates(prompts))]).toEqual([...(await a.strongWinRates(prompts))]);
    const embeddings = await bagOfWords().embed(prompts);
    expect([...(await a.strongWinRatesFromEmbeddings(embeddings, 3))]).toEqual([...(await a.strongWinRates(prompts))]);
    expect(a.pairWinRatesFromEmbeddings('small-model', 'big-model', embeddings, 3)[0]).toBeCloseTo(1 - (await a.strongWinRate(prompts[0])), 6);
  });

  it('rejects corrupted and mismatched weights with clear errors', async () => {
    const broken = path.join(folder, 'broken');
    const fresh = path.join(folder, 'fresh');
    for (const dir of [broken, fresh]) {
      await saveMfWeights(dir, (await loadMfWeights(weightsDir)).parameters, { models: trained.details.models, embedder: { id: 'test-bow', dimension: DIMENSION } });
    }
    const file = path.join(broken, 'text_projection.bin');
    const bytes = readFileSync(file);
    bytes[10] ^= 0xff;
    writeFileSync(file, bytes);
    const corrupt = await MfRouter.create({ weightsDir: broken, embedder: bagOfWords(), strongModel: 'big-model', weakModel: 'small-model' }).catch((e) => e);
    expect(corrupt).toBeInstanceOf(WeightsError);
    expect(corrupt.problem).toBe('corrupt');
    expect(corrupt.message).toContain('text_projection.bin');

    const other = await MfRouter.create({ weightsDir: fresh, embedder: bagOfWords('other-embedder'), strongModel: 'big-model', weakModel: 'small-model' }).catch((e) => e);
    expect(other).toBeInstanceOf(WeightsError);
    expect(other.problem).toBe('mismatch');
    expect(other.message).toMatch(/test-bow.*other-embedder/);

    const wrongSize = await MfRouter.create({ weightsDir: fresh, embedder: bagOfWords('test-bow', 32), strongModel: 'big-model', weakModel: 'small-model' }).catch((e) => e);
    expect(wrongSize.problem).toBe('mismatch');

    const missing = await createRouter('mf', { weightsDir: path.join(folder, 'nothing-here'), embedder: bagOfWords() }).catch((e) => e);
    expect(missing).toBeInstanceOf(WeightsError);
    expect(missing.problem).toBe('missing');

    const manifest = JSON.parse(readFileSync(path.join(fresh, 'manifest.json'), 'utf8'));
    manifest.models = manifest.models.slice(1);
    writeFileSync(path.join(fresh, 'manifest.json'), JSON.stringify(manifest));
    await expect(MfRouter.create({ weightsDir: fresh, embedder: bagOfWords(), strongModel: 'big-model', weakModel: 'small-model' })).rejects.toThrow(/model embeddings for 2 model names/);
  });

  it('names the available models for an unknown one, and maps deployed names', async () => {
    const error = await createRouter('mf', { weightsDir, embedder: bagOfWords(), strongModel: 'gpt-9', weakModel: 'small-model' }).catch((e) => e);
    expect(error).toBeInstanceOf(UnknownModelError);
    expect(error.message).toContain('big-model, mid-model, small-model');
    const mapped = await createRouter('mf', {
      weightsDir,
      embedder: bagOfWords(),
      strongModel: 'my-deployment',
      weakModel: 'small-model',
      modelMapping: { 'my-deployment': 'big-model' },
    });
    expect((mapped as MfRouter).strongModel).toBe('big-model');
    // @ts-expect-error not an Embedder: a compile error too; checked here at run time
    await expect(createRouter('mf', { weightsDir, embedder: { id: 'x' } })).rejects.toBeInstanceOf(InvalidOptionsError);
    // @ts-expect-error a misspelt option is a compile error too; checked here at run time
    await expect(createRouter('mf', { weightsDir, bogus: 1 })).rejects.toBeInstanceOf(InvalidOptionsError);
  });

  it('modelScores: each model\'s win rate against the weak model, the strong column equal to strongWinRates', async () => {
    const router = await createRouter('mf', { weightsDir, embedder: bagOfWords(), strongModel: 'big-model', weakModel: 'small-model', modelMapping: { mine: 'mid-model' } });
    try {
      expect(isModelScoringRouter(router) && isEmbeddingModelScoringRouter(router)).toBe(true);
      if (!isEmbeddingModelScoringRouter(router)) return;
      const rng = createRng(5);
      const prompts = [plantedPrompt(rng, true), plantedPrompt(rng, false), plantedPrompt(rng, true)];
      const models = ['big-model', 'mine', 'small-model'];
      const scores = await router.modelScores(prompts, models);
      expect(scores.length).toBe(9);
      const strong = await router.strongWinRates(prompts);
      prompts.forEach((_, row) => {
        expect(scores[row * 3]).toBeCloseTo(strong[row], 6);
        expect(scores[row * 3 + 2]).toBeCloseTo(0.5, 6);
      });
      expect(scores[0]).toBeGreaterThan(scores[2]);
      expect(scores[3]).toBeLessThan(scores[5]);
      // The unfolded model gives the same numbers: sigmoid(s(model) - s(weak)).
      const embeddings = await bagOfWords().embed(prompts);
      const weights = await loadMfWeights(weightsDir, { id: 'test-bow', dimension: DIMENSION });
      const full = mfModelScores(weights.parameters, embeddings, prompts.length);
      const mid = weights.models.indexOf('mid-model');
      const small = weights.models.indexOf('small-model');
      prompts.forEach((_, row) => {
        const logit = full[row * weights.models.length + mid] - full[row * weights.models.length + small];
        expect(scores[row * 3 + 1]).toBeCloseTo(1 / (1 + Math.exp(-logit)), 5);
      });
      expect([...(await router.modelScoresFromEmbeddings(embeddings, prompts.length, models))]).toEqual([...scores]);
      await expect(router.modelScores(prompts, ['big-model', 'gpt-9'])).rejects.toBeInstanceOf(UnknownModelError);
      await expect(router.modelScores(prompts, [])).rejects.toBeInstanceOf(InvalidInputError);
      await expect(router.modelScores(prompts, 'big-model' as never)).rejects.toBeInstanceOf(InvalidInputError);
      expect((await router.modelScores([], models)).length).toBe(0);
    } finally {
      await router.dispose();
    }
  });

  it('copies of the shipped weights folder are read (checksums over every file)', () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), 'routellm-mf-copy-'));
    for (const name of readdirSync(weightsDir)) copyFileSync(path.join(weightsDir, name), path.join(copy, name));
    return expect(loadMfWeights(copy, { id: 'test-bow', dimension: DIMENSION })).resolves.toMatchObject({ models: trained.details.models });
  });
});

describe.runIf(existsSync(path.join(shippedWeightsDir('mf'), 'manifest.json')))('shipped mf weights', () => {
  it('createRouter("mf") loads them and routes offline with the local use-lite embedder, no key', async () => {
    const previous = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    const router = (await createRouter('mf')) as MfRouter;
    try {
      expect(router.embedder.id).toBe('use-lite');
      expect(router.strongModel).toBe('gpt-4-1106-preview');
      expect(router.weakModel).toBe('mistralai/Mixtral-8x7B-Instruct-v0.1');
      expect(router.manifest.metrics.validationAccuracy).toBeGreaterThan(0.5);
      const scores = await router.strongWinRates(['Prove that the square root of 2 is irrational.', 'hi']);
      for (const score of scores) {
        expect(score).toBeGreaterThan(0);
        expect(score).toBeLessThan(1);
      }
      expect(await router.strongWinRate('hi')).toBeCloseTo(scores[1], 5);
      const byAlias = (await createRouter('mf', { weakModel: 'mistralai/mixtral-8x7b-chat', embedder: router.embedder })) as MfRouter;
      expect(byAlias.weakModel).toBe(router.weakModel);
      await byAlias.dispose();
    } finally {
      await router.dispose();
      if (previous !== undefined) process.env.OPENAI_API_KEY = previous;
    }
  }, 60_000);
});
