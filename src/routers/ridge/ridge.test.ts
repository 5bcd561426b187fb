import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bagOfWords } from '../../../test/helpers/bag-of-words.js';
import { liveTensorCount } from '../../core/backend.js';
import { fitRidge } from '../../core/models/ridge.js';
import { InvalidInputError, InvalidOptionsError, WeightsError } from '../../errors.js';
import { runRouterContract } from '../contract.case.js';
import { createRouter } from '../registry.js';
import { featureRows, isMultipleChoice, promptKind, TEXT_FEATURES, textFeatures } from './features.js';
import { RidgeRouter } from './index.js';
import { midranks, midranksWithin, trainRidge } from './train.js';
import { quantileOf, readRidgeWeights, sampleQuantiles, writeRidgeWeights, type RidgeExtra } from './weights.js';

describe('fitRidge', () => {
  it('recovers the coefficients of noiseless data, and shrinks them as lambda grows', () => {
    let state = 7;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
    const truth = [2, -1, 0.5, 3];
    const rows = 200;
    const features = Float64Array.from({ length: rows * 4 }, random);
    const targets = Array.from({ length: rows }, (_, n) => truth.reduce((sum, b, j) => sum + b * features[n * 4 + j], 0));
    const fitted = fitRidge({ features, width: 4, targets, lambda: 1e-9 });
    truth.forEach((b, j) => expect(fitted[j]).toBeCloseTo(b, 6));
    const shrunk = fitRidge({ features, width: 4, targets, lambda: 50 });
    const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));
    expect(norm(shrunk)).toBeLessThan(norm(fitted) * 0.9);
    // Row weights: doubling a row's weight equals repeating it.
    const weights = Array.from({ length: rows }, (_, n) => (n < 10 ? 2 : 1));
    const repeated = fitRidge({
      features: Float64Array.from([...features, ...features.subarray(0, 40)]),
      width: 4,
      targets: [...targets.map((t, n) => t + (n % 3) * 0.1), ...targets.slice(0, 10).map((t, n) => t + (n % 3) * 0.1)],
      lambda: 1,
    });
    const weighted = fitRidge({ features, width: 4, targets: targets.map((t, n) => t + (n % 3) * 0.1), weights, lambda: 1 });
    repeated.forEach((b, j) => expect(weighted[j]).toBeCloseTo(b, 9));
    expect(() => fitRidge({ features, width: 3, targets, lambda: 1 })).toThrow(RangeError);
    expect(() => fitRidge({ features, width: 4, targets, lambda: 0 })).toThrow(/lambda/);
  });
});

describe('ridge features', () => {
  it('tells multiple-choice prompts from the rest', () => {
    expect(isMultipleChoice('Which is a prime?\nA. 4\nB. 6\nC. 7\nD. 9\nAnswer:')).toBe(true);
    expect(isMultipleChoice("['Pick one.\\nA) dry\\nB) wet\\nAnswer:']")).toBe(true); // escaped newlines, as RouterBench stores them
    expect(isMultipleChoice('(A) red\n(B) blue')).toBe(true);
    expect(isMultipleChoice('Write a poem about the sea.')).toBe(false);
    expect(isMultipleChoice('Plan A. is to leave early.')).toBe(false);
    expect(isMultipleChoice('Options:\nA. only one')).toBe(false);
  });

  it('sorts prompts into the three kinds: multiple-choice, maths (two or more numbers, no code), open', () => {
    expect(promptKind('Which is a prime?\nA. 4\nB. 6\nC. 7\nD. 9\nAnswer:')).toBe('multiple_choice');
    expect(promptKind('Tom has 3 apples and buys 12 more. How many does he have?')).toBe('maths');
    expect(promptKind('What is 1.5 times 4,2?')).toBe('maths');
    expect(promptKind('Write a haiku about 2 cats.')).toBe('open');
    expect(promptKind('for (let i = 0; i < 10; i++) { sum += i; } what is sum?')).toBe('open');
    expect(promptKind('Write a poem about the sea.')).toBe('open');
  });

  it('lays out embedding, text features and bias per row', () => {
    const prompts = ['What is 12 + 30?', 'def f(x): return x'];
    const embeddings = Float32Array.from({ length: 2 * 3 }, (_, i) => i + 1);
    const rows = featureRows(embeddings, 3, prompts);
    const width = 3 + TEXT_FEATURES + 1;
    expect(rows.length).toBe(2 * width);
    expect([...rows.subarray(0, 3)]).toEqual([1, 2, 3]);
    expect([...rows.subarray(width, width + 3)]).toEqual([4, 5, 6]);
    expect(Array.from(rows.subarray(3, 3 + TEXT_FEATURES))).toEqual(textFeatures(prompts[0]).map(Math.fround));
    expect(rows[width - 1]).toBe(1);
    expect(textFeatures(prompts[1])[4]).toBe(1); // code marker
    expect(textFeatures(prompts[0])[5]).toBe(1); // maths marker
  });

  it('maps raw scores to quantiles of the reference sample', () => {
    const reference = sampleQuantiles([5, 1, 4, 2, 3], 5);
    expect([...reference]).toEqual([1, 2, 3, 4, 5]);
    expect(quantileOf(0, reference, 0, 5)).toBe(0);
    expect(quantileOf(1, reference, 0, 5)).toBe(0);
    expect(quantileOf(3, reference, 0, 5)).toBe(0.5);
    expect(quantileOf(3.5, reference, 0, 5)).toBeCloseTo(0.625, 9);
    expect(quantileOf(9, reference, 0, 5)).toBe(1);
    expect(quantileOf(2.5, Float32Array.from([9, 9, 1, 2, 3, 4, 5]), 2, 5)).toBeCloseTo(0.375, 9);
  });
});

// Planted data for the pair strong-s / weak-w: multiple-choice questions on "theorem" the strong
// model gets and the weak one misses (on "capital" both get them); open requests on "prove" the
// weak model fails (on "hello" it succeeds).
const FILLER = ['please', 'the', 'about', 'tell', 'me', 'a', 'some', 'quick', 'now', 'kindly'];
function plantedRows(count: number, seed: number): { prompt: string; scores: Record<string, number>; hard: boolean }[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  return Array.from({ length: count }, (_, i) => {
    const hard = random() < 0.5;
    const choice = random() < 0.5;
    const words = `${pick(FILLER)} ${pick(FILLER)} ${choice ? (hard ? 'theorem' : 'capital') : hard ? 'prove' : 'hello'} ${pick(FILLER)} item${i}`;
    const prompt = choice ? `${words}?\nA. one\nB. two\nC. three\nD. four\nAnswer:` : words;
    const noise = random() < 0.1;
    const weak = (hard ? 0 : 1) ^ (noise ? 1 : 0);
    const strong = choice ? 1 : random() < 0.8 ? 1 : 0;
    return { prompt, scores: { 'strong-s': strong, 'weak-w': weak }, hard };
  });
}

const root = mkdtempSync(path.join(os.tmpdir(), 'routellm-ridge-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const embedder = bagOfWords('test-bow', 64);
const table = path.join(root, 'planted.jsonl');
writeFileSync(table, plantedRows(600, 3).map(({ prompt, scores }) => JSON.stringify({ prompt, scores })).join('\n') + '\n');
const weightsDir = path.join(root, 'weights');
const training = { data: [table], strongModel: 'strong-s', weakModel: 'weak-w', embedder, embeddingCache: false as const, decontaminate: false, progress: false, quantiles: 101 };
const trained = await trainRidge({ ...training, output: weightsDir, multipleChoice: { lambda: 0.1 }, open: { lambda: 0.1 } });

runRouterContract({ name: 'ridge (bag-of-words fixture)', create: () => createRouter('ridge', { weightsDir, embedder }) });

describe('ridge router', () => {
  it('learns the planted rules of both heads: hard prompts score above easy ones', async () => {
    const router = (await createRouter('ridge', { weightsDir, embedder })) as RidgeRouter;
    try {
      const heldOut = plantedRows(200, 99);
      const scores = await router.strongWinRates(heldOut.map((row) => row.prompt));
      for (const choice of [true, false]) {
        const mean = (hard: boolean) => {
          const values = heldOut.flatMap((row, i) => (isMultipleChoice(row.prompt) === choice && row.hard === hard ? [scores[i]] : []));
          return values.reduce((a, b) => a + b, 0) / values.length;
        };
        expect(mean(true)).toBeGreaterThan(mean(false) + 0.3);
      }
      for (const score of scores) expect(score >= 0 && score <= 1).toBe(true);
      // Precomputed embeddings give the same scores, and need the prompts.
      const prompts = heldOut.slice(0, 5).map((row) => row.prompt);
      const embeddings = await embedder.embed(prompts);
      expect([...(await router.strongWinRatesFromEmbeddings(embeddings, 5, prompts))]).toEqual([...scores.subarray(0, 5)]);
      await expect(router.strongWinRatesFromEmbeddings(embeddings, 5)).rejects.toThrow(InvalidInputError);
      await expect(router.strongWinRatesFromEmbeddings(embeddings, 4, prompts.slice(0, 4))).rejects.toThrow(/4 x 64/);
    } finally {
      await router.dispose();
    }
  });

  it('records the heads, the pair and the data in the manifest', () => {
    const extra = trained.manifest.extra as Record<string, any>;
    expect(extra.pair).toEqual({ strong: 'strong-s', weak: 'weak-w' });
    expect(extra.heads.multiple_choice).toMatchObject({ target: 'pair-gap', lambda: 0.1, textFeatures: true, trainRows: 600 });
    expect(extra.heads.multiple_choice.rankTargets).toBe(false);
    expect(extra.heads.open).toMatchObject({ target: 'weak-fails', lambda: 0.1, textFeatures: false, rankTargets: true, trainRows: 600 });
    expect(extra.heads.multiple_choice.referencePrompts + extra.heads.open.referencePrompts).toBe(600);
    // No planted prompt is a maths problem, so the maths head's quantile map falls back to every prompt.
    expect(extra.heads.maths).toMatchObject({ target: 'difficulty', lambda: 1, textFeatures: true, rankTargets: true, trainRows: 600, referencePrompts: 600 });
    expect(trained.manifest.embedder).toEqual({ id: 'test-bow', dimension: 64 });
    expect(trained.manifest.tensors.map((tensor) => [tensor.name, tensor.shape])).toEqual([
      ['heads', [64 + TEXT_FEATURES + 1, 3]],
      ['quantiles', [3, 101]],
    ]);
  });

  it('fits a head on the sources it lists, and the other head on the rest', async () => {
    const other = path.join(root, 'other.jsonl');
    // Inverted labels in a second source: the open head must not see them when it lists only "planted".
    writeFileSync(other, plantedRows(1200, 8).map(({ prompt, scores }) => JSON.stringify({ prompt, scores: { 'strong-s': scores['strong-s'], 'weak-w': 1 - scores['weak-w'] } })).join('\n') + '\n');
    const dir = path.join(root, 'sources');
    const result = await trainRidge({ ...training, data: [table, other], output: dir, open: { lambda: 0.1, sources: ['planted'] } });
    expect(result.details.trainRows).toEqual({ multiple_choice: 1200, open: 600, maths: 1200 });
    const router = await createRouter('ridge', { weightsDir: dir, embedder });
    try {
      const heldOut = plantedRows(200, 99).filter((row) => !isMultipleChoice(row.prompt));
      const scores = await router.strongWinRates(heldOut.map((row) => row.prompt));
      const mean = (hard: boolean) => {
        const values = heldOut.flatMap((row, i) => (row.hard === hard ? [scores[i]] : []));
        return values.reduce((a, b) => a + b, 0) / values.length;
      };
      expect(mean(true)).toBeGreaterThan(mean(false) + 0.3);
    } finally {
      await router.dispose();
    }
    await expect(trainRidge({ ...training, output: path.join(root, 'e'), open: { sources: ['nowhere'] } })).rejects.toThrow(/among the sources nowhere/);
  });

  it('fits target ranks when asked: a monotone change of the results leaves a ranked head as it was', async () => {
    expect(midranks([0.3, 0.1, 0.3, 5, -2])).toEqual([0.625, 0.25, 0.625, 1, 0]);
    expect(midranks([7])).toEqual([0.5]);
    // Within groups: each source's rows are ranked among themselves, whatever the other source's scale.
    expect(midranksWithin([1, 100, 2, 300, 200], ['a', 'b', 'a', 'b', 'b'])).toEqual([0, 0, 1, 1, 0.5]);
    // Graded weak results (their order carries the planted rule), then the same results to the fourth power.
    const graded = plantedRows(400, 5).map(({ prompt, scores }, i) => ({ prompt, scores: { ...scores, 'weak-w': (scores['weak-w'] + (i % 7) / 10) / 1.6 } }));
    const headsOf = async (name: string, power: number, rankTargets: boolean) => {
      const file = path.join(root, `${name}.jsonl`);
      writeFileSync(file, graded.map(({ prompt, scores }) => JSON.stringify({ prompt, scores: { ...scores, 'weak-w': scores['weak-w'] ** power } })).join('\n') + '\n');
      const result = await trainRidge({ ...training, data: [file], output: path.join(root, `${name}-weights`), open: { lambda: 0.1, rankTargets } });
      // The open head is the second of three columns (the multiple-choice head fits pair-gap values, which the power changes).
      return (await readRidgeWeights(result.output)).parameters.heads.filter((_, i) => i % 3 === 1);
    };
    expect([...(await headsOf('ranked-1', 1, true))]).toEqual([...(await headsOf('ranked-4', 4, true))]);
    const values1 = await headsOf('values-1', 1, false);
    const values4 = await headsOf('values-4', 4, false);
    expect(values1.some((v, i) => Math.abs(v - values4[i]) > 1e-3)).toBe(true);
  });

  it('scores maths prompts with the maths head; weights without one score them with the open head', async () => {
    // Planted maths problems: "ratio" problems are hard for every model, "sum" problems easy for all.
    const mathsRows = (count: number, seed: number) => {
      let state = seed;
      const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      return Array.from({ length: count }, (_, i) => {
        const hard = random() < 0.5;
        const prompt = `${FILLER[i % FILLER.length]} ${hard ? 'ratio' : 'sum'} of ${Math.floor(random() * 90) + 10} and ${i} apples`;
        const fails = (p: number) => (random() < p ? 0 : 1);
        return { prompt, hard, scores: { 'strong-s': fails(hard ? 0.5 : 0.05), 'weak-w': fails(hard ? 0.9 : 0.1), 'other-o': fails(hard ? 0.8 : 0.1) } };
      });
    };
    const file = path.join(root, 'maths.jsonl');
    writeFileSync(file, mathsRows(400, 11).map(({ prompt, scores }) => JSON.stringify({ prompt, scores })).join('\n') + '\n');
    const dir = path.join(root, 'three-heads');
    const heads = { multipleChoice: { lambda: 0.1, sources: ['planted'] }, open: { lambda: 0.1, sources: ['planted'] }, maths: { lambda: 0.1, sources: ['maths'] } };
    const result = await trainRidge({ ...training, data: [table, file], output: dir, ...heads });
    expect(result.details.trainRows).toEqual({ multiple_choice: 600, open: 600, maths: 400 });
    const heldOut = mathsRows(100, 12);
    expect(heldOut.every((row) => promptKind(row.prompt) === 'maths')).toBe(true);
    const openRows = plantedRows(60, 13).filter((row) => !isMultipleChoice(row.prompt));
    const prompts = [...heldOut, ...openRows].map((row) => row.prompt);
    const separation = (scores: Float32Array) => {
      const mean = (hard: boolean) => {
        const values = heldOut.flatMap((row, i) => (row.hard === hard ? [scores[i]] : []));
        return values.reduce((a, b) => a + b, 0) / values.length;
      };
      return mean(true) - mean(false);
    };
    const three = await createRouter('ridge', { weightsDir: dir, embedder });
    const threeScores = await three.strongWinRates(prompts).finally(() => three.dispose());
    expect(separation(threeScores)).toBeGreaterThan(0.3);

    // The same folder without the maths column and record, as weights written before the maths head.
    const { parameters, manifest, extra } = await readRidgeWeights(dir);
    const width = parameters.width;
    const twoHeads = new Float32Array(width * 2);
    for (let j = 0; j < width; j++) for (let c = 0; c < 2; c++) twoHeads[j * 2 + c] = parameters.heads[j * 3 + c];
    const { maths: _maths, ...twoRecords } = extra.heads;
    const old = path.join(root, 'two-heads');
    await writeRidgeWeights(
      old,
      { heads: twoHeads, width, headCount: 2, quantiles: parameters.quantiles.slice(0, 2 * parameters.quantileCount), quantileCount: parameters.quantileCount },
      { embedder: manifest.embedder!, extra: { heads: twoRecords, pair: extra.pair } satisfies RidgeExtra },
    );
    const two = await createRouter('ridge', { weightsDir: old, embedder });
    const twoScores = await two.strongWinRates(prompts).finally(() => two.dispose());
    // The open head never saw "ratio" or "sum": the planted separation is gone, and open prompts score as before.
    expect(Math.abs(separation(twoScores))).toBeLessThan(0.2);
    expect([...twoScores.subarray(heldOut.length)]).toEqual([...threeScores.subarray(heldOut.length)]);
    // A tensor count that disagrees with the manifest's heads is corrupt.
    await writeRidgeWeights(
      path.join(root, 'mismatch'),
      { heads: twoHeads, width, headCount: 2, quantiles: parameters.quantiles.slice(0, 2 * parameters.quantileCount), quantileCount: parameters.quantileCount },
      { embedder: manifest.embedder!, extra },
    );
    await expect(createRouter('ridge', { weightsDir: path.join(root, 'mismatch'), embedder })).rejects.toThrow(/has a maths head, but the tensors have 2 heads/);
  });

  it('refuses battle files, data without the pair, corrupt weights and another embedder', async () => {
    const battles = path.join(root, 'battles.jsonl');
    writeFileSync(battles, JSON.stringify({ prompt: 'p', model_a: 'x', model_b: 'y', winner: 'model_a' }) + '\n');
    await expect(trainRidge({ ...training, data: [table, battles], output: path.join(root, 'b') })).rejects.toThrow(/battles\.jsonl hold battles/);
    const error = await trainRidge({ ...training, weakModel: 'nobody', output: path.join(root, 'c') }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/both strong-s and nobody/);

    const broken = path.join(root, 'broken');
    cpSync(weightsDir, broken, { recursive: true });
    const quantileFile = path.join(broken, 'quantiles.bin');
    const bytes = readFileSync(quantileFile);
    bytes.writeFloatLE(1e9, 0); // first quantile above the rest
    writeFileSync(quantileFile, bytes);
    await expect(createRouter('ridge', { weightsDir: broken, embedder })).rejects.toThrow(WeightsError);
    await expect(createRouter('ridge', { weightsDir, embedder: bagOfWords('other', 64) })).rejects.toThrow(WeightsError);
    // @ts-expect-error a misspelt option is a compile error too; checked here at run time
    await expect(createRouter('ridge', { weightsDir, bogus: 1 })).rejects.toThrow(/bogus/);
    // One embedder check for every router and trainer: an object without embed() and dispose() is refused up front.
    const notAnEmbedder = { id: 'x', dimension: 64 } as never;
    await expect(trainRidge({ ...training, embedder: notAnEmbedder, output: path.join(root, 'd') })).rejects.toThrow(/embedder.*Embedder \(an object with id, dimension, embed\(\) and dispose\(\)\)/s);
    await expect(createRouter('ridge', { weightsDir, embedder: notAnEmbedder })).rejects.toThrow(InvalidOptionsError);
    await expect(createRouter('sw_ranking', { embedder: notAnEmbedder })).rejects.toThrow(InvalidOptionsError);
  });

  it('frees its tensors when scoring', async () => {
    const router = await createRouter('ridge', { weightsDir, embedder });
    await router.strongWinRates(['warm up']);
    const before = liveTensorCount();
    await router.strongWinRates(plantedRows(50, 5).map((row) => row.prompt));
    expect(liveTensorCount()).toBe(before);
    await router.dispose();
  });
});

describe('ridge router, shipped weights', () => {
  it('works offline with no options: createRouter("ridge") reads weights/ridge and use-lite', async () => {
    const router = await createRouter('ridge');
    try {
      const prompts = [
        'Which planet is largest?\nA. Mars\nB. Jupiter\nC. Venus\nD. Earth\nAnswer:',
        'hi',
        'Generate a C11 bounded lockless multi-producer multi-consumer queue that utilises C11 atomics, waiting on Linux futexes when full or empty.',
      ];
      const scores = await router.strongWinRates(prompts);
      for (const score of scores) expect(score >= 0 && score <= 1).toBe(true);
      // On the open-ended data the open head was fitted on, demanding code requests are where the weak model fails most.
      expect(scores[2]).toBeGreaterThan(scores[1]);
      expect((router as RidgeRouter).heads.open).toMatchObject({ target: 'weak-fails', sources: ['arenabench-scores'] });
    } finally {
      await router.dispose();
    }
  });
});
