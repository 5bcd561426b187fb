import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { shippedWeightsDir } from '../../weights-format/index.js';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { liveTensorCount } from '../../core/backend.js';
import type { Battle } from '../../data/types.js';
import type { Embedder } from '../../embedders/types.js';
import { WeightsError } from '../../errors.js';
import { runRouterContract } from '../contract.case.js';
import { createRouter } from '../registry.js';
import { BertHeadRouter } from './index.js';
import { balancedClassWeights, battleLabel, classesFromTiers, explicitClasses, labelBySourceRank, sourceRanks } from './labels.js';
import { tiersFromBattles } from '../tiers.js';
import { trainBert } from './train.js';

/** Test fixture: a deterministic hashed bag-of-words embedder (not a stand-in for our code). */
function bagOfWordsEmbedder(dimension = 64): Embedder {
  return {
    id: `test-bag-of-words-${dimension}`,
    dimension,
    async embed(texts) {
      const out = new Float32Array(texts.length * dimension);
      texts.forEach((text, row) => {
        for (const word of text.toLowerCase().split(/\W+/).filter(Boolean)) {
          const digest = createHash('sha256').update(word).digest();
          out[row * dimension + (digest.readUInt32LE(0) % dimension)] += digest[4] & 1 ? 1 : -1;
        }
      });
      return out;
    },
    dispose() {},
  };
}

const STRONG_TOPICS = ['prove', 'theorem', 'integral', 'algorithm', 'compiler', 'derivative'];
const WEAK_TOPICS = ['hello', 'joke', 'greeting', 'weather', 'favourite', 'poem'];
const TIE_TOPICS = ['capital', 'translate', 'spelling', 'synonym', 'definition', 'date'];
const FILLER = ['please', 'the', 'about', 'tell', 'me', 'a', 'some', 'quick', 'now', 'thanks', 'kindly', 'today'];

/** Battles of strong model S against weak model W with a planted rule: the topic word decides the winner (10% noise). */
function plantedBattles(count: number, seed: number): { battles: object[]; truth: { prompt: string; label: number }[] } {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const battles: object[] = [];
  const truth: { prompt: string; label: number }[] = [];
  for (let i = 0; i < count; i++) {
    const label = Math.floor(random() * 3);
    const topic = pick([STRONG_TOPICS, TIE_TOPICS, WEAK_TOPICS][label]);
    const words = [pick(FILLER), pick(FILLER), topic, pick(FILLER), `item${i}`];
    const prompt = words.join(' ');
    const noisy = random() < 0.1 ? Math.floor(random() * 3) : label;
    const strongFirst = random() < 0.5;
    const winner = noisy === 1 ? 'tie' : (noisy === 0) === strongFirst ? 'model_a' : 'model_b';
    battles.push({ prompt, model_a: strongFirst ? 'strong-s' : 'weak-w', model_b: strongFirst ? 'weak-w' : 'strong-s', winner });
    truth.push({ prompt, label });
  }
  return { battles, truth };
}

const root = mkdtempSync(path.join(os.tmpdir(), 'routellm-bert-head-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const embedder = bagOfWordsEmbedder();
const planted = plantedBattles(900, 5);
const dataFile = path.join(root, 'planted.jsonl');
writeFileSync(dataFile, planted.battles.map((row) => JSON.stringify(row)).join('\n') + '\n');
const weightsDir = path.join(root, 'weights');
/** The planted data with the pair as classes, offline and quiet. */
const plantedTraining = {
  data: [dataFile],
  strongModel: 'strong-s',
  weakModel: 'weak-w',
  embedder,
  embeddingCache: false,
  decontaminate: false,
  progress: false,
} satisfies Partial<Parameters<typeof trainBert>[0]>;
const trained = await trainBert({ ...plantedTraining, output: weightsDir, epochs: 40, seed: 3 });

runRouterContract({ name: 'bert (head, bag-of-words fixture)', create: () => createRouter('bert', { weightsDir, embedder }) });

describe('bert router, head mode', () => {
  it('learns a planted rule: above chance on held-out prompts', async () => {
    const router = (await createRouter('bert', { weightsDir, embedder })) as BertHeadRouter;
    try {
      const heldOut = plantedBattles(300, 99).truth;
      const prompts = heldOut.map((row) => row.prompt);
      const probabilities = await router.probabilitiesFromEmbeddings(await embedder.embed(prompts), prompts.length);
      let correct = 0;
      heldOut.forEach((row, i) => {
        const p = probabilities.subarray(i * 3, i * 3 + 3);
        const argmax = p.indexOf(Math.max(...p));
        if (argmax === row.label) correct++;
      });
      expect(correct / heldOut.length).toBeGreaterThan(0.6);
      const scores = await router.strongWinRates(prompts);
      const mean = (label: number) => {
        const values = heldOut.flatMap((row, i) => (row.label === label ? [scores[i]] : []));
        return values.reduce((a, b) => a + b, 0) / values.length;
      };
      expect(mean(0)).toBeGreaterThan(mean(1) + 0.2);
      expect(mean(0)).toBeGreaterThan(mean(2) + 0.2);
    } finally {
      await router.dispose();
    }
  });

  it('records label counts, classes and the chosen head in the manifest', () => {
    const extra = trained.manifest.extra as Record<string, any>;
    const total = (counts: Record<string, number>) => counts.strong_wins + counts.tie + counts.weak_wins;
    expect(total(extra.labelCounts.train) + total(extra.labelCounts.validation)).toBe(900);
    expect(extra.labelCounts.train.tie).toBeGreaterThan(200);
    expect(extra.classes).toMatchObject({ method: 'explicit', strong: ['strong-s'], weak: ['weak-w'] });
    expect(trained.details.candidates.map((candidate) => candidate.architecture)).toEqual(['linear', 'mlp']);
    expect(extra.head.architecture).toBe(trained.details.chosen);
    const chosenLoss = trained.details.candidates.find((candidate) => candidate.architecture === trained.details.chosen)!.validationLoss;
    expect(chosenLoss).toBe(Math.min(...trained.details.candidates.map((candidate) => candidate.validationLoss)));
    expect(trained.manifest.metrics.validationLoss).toBeLessThan(trained.manifest.metrics.validationLossOfLabelPrior);
    expect(trained.manifest.embedder).toEqual({ id: embedder.id, dimension: 64 });
  });

  it('refuses another embedder, and a missing weights folder', async () => {
    await expect(createRouter('bert', { weightsDir, embedder: bagOfWordsEmbedder(32) })).rejects.toThrow(WeightsError);
    await expect(createRouter('bert', { weightsDir: path.join(root, 'nothing'), embedder })).rejects.toThrow(WeightsError);
  });

  it('with rankWithinSource, also learns from a score table of models outside the classes', async () => {
    // Six open models: "big-*" answer the strong topics, everyone answers the tie topics. The pair
    // strong-s / weak-w is absent from the table, so only ranks within it can label its rows.
    const table = path.join(root, 'open-models.jsonl');
    const lines = plantedBattles(300, 11).truth.map(({ prompt, label }) => {
      const scores: Record<string, number> = {};
      for (const model of ['big-1', 'big-2', 'mid-1', 'mid-2', 'small-1', 'small-2']) {
        scores[model] = label === 1 || (label === 0 && model.startsWith('big')) ? 1 : 0;
      }
      return JSON.stringify({ prompt, scores });
    });
    writeFileSync(table, lines.join('\n') + '\n');
    const options = { ...plantedTraining, data: [dataFile, table], epochs: 2, architecture: 'linear' as const };
    const plain = await trainBert({ ...options, output: path.join(root, 'plain') });
    const ranked = await trainBert({ ...options, output: path.join(root, 'ranked'), rankWithinSource: true });
    // Each of the 300 table rows gives its big-vs-small battles (at most 16 pairs sampled of 15).
    expect(plain.manifest.data.labelledBattles).toBe(900);
    expect(ranked.manifest.data.labelledBattles).toBe(900 + 300 * 4);
    expect(ranked.manifest.hyperparameters.rankWithinSource).toBe(true);
    const counts = ranked.details.labelCounts.train;
    expect(counts.weak_wins).toBeLessThan(plain.details.labelCounts.train.weak_wins + 5); // the table never has small beat big
    expect(counts.strong_wins).toBeGreaterThan(plain.details.labelCounts.train.strong_wins + 50);
  });

  it('does not leak tensors while training', async () => {
    const before = liveTensorCount();
    await trainBert({ ...plantedTraining, output: path.join(root, 'again'), epochs: 2, architecture: 'mlp' });
    expect(liveTensorCount()).toBe(before);
  });
});

describe('bert labels', () => {
  const battle = (modelA: string, modelB: string, winner: Battle['winner']): Battle => ({ prompt: 'p', modelA, modelB, winner, source: 't' });
  const classes = explicitClasses(['gpt-4-1106-preview'], ['mixtral-8x7b-instruct-v0.1']);

  it('maps a battle to strong wins / tie / weak wins by which side is the strong-class model', () => {
    expect(classes.weak).toEqual(['mistralai/Mixtral-8x7B-Instruct-v0.1']);
    const strong = 'gpt-4-1106-preview';
    const weak = 'mistralai/Mixtral-8x7B-Instruct-v0.1';
    expect(battleLabel(battle(strong, weak, 'model_a'), classes)).toBe('strong_wins');
    expect(battleLabel(battle(weak, strong, 'model_a'), classes)).toBe('weak_wins');
    expect(battleLabel(battle(weak, strong, 'model_b'), classes)).toBe('strong_wins');
    expect(battleLabel(battle(strong, weak, 'tie (bothbad)'), classes)).toBe('tie');
    expect(battleLabel(battle(strong, 'other', 'model_a'), classes)).toBeUndefined();
    expect(() => explicitClasses(['a'], ['a'])).toThrow(/both strong and weak/);
  });

  it('takes classes from the Elo tiers of the battles', () => {
    const battles: Battle[] = [];
    const models = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
    for (let i = 0; i < models.length; i++) {
      for (let j = i + 1; j < models.length; j++) {
        // the lower index wins (j - i) * 3 of (j - i) * 3 + 1 games: a clear ordering m0 > m1 > ...
        for (let k = 0; k < (j - i) * 3; k++) battles.push(battle(models[i], models[j], 'model_a'));
        battles.push(battle(models[i], models[j], 'model_b'));
      }
    }
    const fitted = tiersFromBattles(battles, 3);
    const tierOf = Object.fromEntries(fitted.models.map((model, i) => [model, fitted.tiers[i]]));
    expect(tierOf.m0).toBe(0);
    expect(tierOf.m5).toBe(2);
    const fromTiers = classesFromTiers(tierOf, [0], [2]);
    expect(fromTiers.strong).toContain('m0');
    expect(fromTiers.weak).toContain('m5');
    expect(battleLabel(battle('m5', 'm0', 'model_a'), fromTiers)).toBe('weak_wins');
  });

  it('labels the battles the classes leave out by rank within their source', () => {
    // Table "open": six models, mean results a 0.9, b 0.8, c 0.6, d 0.5, e 0.2, f 0.1 -> top third a, b; bottom third e, f.
    const means: Record<string, number> = { a: 0.9, b: 0.8, c: 0.6, d: 0.5, e: 0.2, f: 0.1 };
    const rows = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => ({
      prompt: `q${i}`,
      source: 'open',
      scores: Object.fromEntries(Object.entries(means).map(([model, mean]) => [model, i < mean * 10 ? 1 : 0])),
    }));
    rows.push({ prompt: 'pair only', source: 'two-models', scores: { a: 1, f: 0 } });
    const ranks = sourceRanks(rows);
    expect([...ranks.get('open')!.strong].sort()).toEqual(['a', 'b']);
    expect([...ranks.get('open')!.weak].sort()).toEqual(['e', 'f']);
    expect(ranks.has('two-models')).toBe(false);
    const tiered = explicitClasses(['gpt-4-1106-preview'], ['mixtral-8x7b-instruct-v0.1']);
    const battles: Battle[] = [
      { ...battle('e', 'a', 'model_a'), source: 'open' }, // bottom beats top: weak wins
      { ...battle('b', 'f', 'tie'), source: 'open' },
      { ...battle('a', 'c', 'model_a'), source: 'open' }, // c is in the middle third: left out
      { ...battle('a', 'f', 'model_a'), source: 'elsewhere' }, // no ranks for that source
      { ...battle('gpt-4-1106-preview', 'mistralai/Mixtral-8x7B-Instruct-v0.1', 'model_a'), source: 'open' }, // the classes label it
    ];
    expect(labelBySourceRank(battles, tiered, ranks).map((row) => row.label)).toEqual(['weak_wins', 'tie']);
  });

  it('weights classes only when the counts are unbalanced', () => {
    expect(balancedClassWeights({ strong_wins: 100, tie: 80, weak_wins: 60 })).toEqual([1, 1, 1]);
    const weights = balancedClassWeights({ strong_wins: 300, tie: 60, weak_wins: 40 });
    expect(weights[2]).toBeGreaterThan(weights[1]);
    expect(weights[1]).toBeGreaterThan(weights[0]);
    expect(300 * weights[0] + 60 * weights[1] + 40 * weights[2]).toBeCloseTo(400, 6);
  });
});

describe('bert router, shipped head', () => {
  it('works offline with no options: createRouter("bert") reads weights/bert and use-lite', async () => {
    const router = (await createRouter('bert')) as BertHeadRouter;
    try {
      expect(router.embedder.id).toBe('use-lite');
      expect(router.manifest.embedder).toEqual({ id: 'use-lite', dimension: 512 });
      const extra = router.manifest.extra as Record<string, any>;
      expect(extra.labelCounts.train.strong_wins + extra.labelCounts.train.tie + extra.labelCounts.train.weak_wins).toBeGreaterThan(1000);
      const scores = await router.strongWinRates(['Prove that the square root of 2 is irrational.', 'hi there!']);
      for (const score of scores) {
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
      }
      expect(scores[0]).not.toBeCloseTo(scores[1], 4);
    } finally {
      await router.dispose();
    }
    expect(shippedWeightsDir('bert')).toMatch(/weights[\\/]bert$/);
  });
});
