import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bagOfWords } from '../../../test/helpers/bag-of-words.js';
import { liveTensorCount } from '../../core/backend.js';
import { InvalidInputError } from '../../errors.js';
import type { BattleInput } from './battle-index.js';
import { SwRankingRouter } from './index.js';
import { trainSwRanking } from './train.js';

const STRONG = 'big-model';
const WEAK = 'small-model';
const embedder = bagOfWords('test-online', 48);
const HARD = ['prove the lemma about primes', 'solve this integral carefully', 'derive the formula for variance', 'show the group is abelian'];
const EASY = ['say hello to my friend', 'tell a joke about dogs', 'suggest a name for a cat', 'wish me a good morning'];

/** Hard prompts: the strong model wins; easy ones: the weak model wins. */
function battles(count: number, offset = 0): BattleInput[] {
  return Array.from({ length: count }, (_, n) => {
    const hard = n % 2 === 0;
    const topics = hard ? HARD : EASY;
    return { prompt: `${topics[(n >> 1) % topics.length]} number ${n + offset}`, modelA: STRONG, modelB: WEAK, winner: hard ? 'model_a' : 'model_b' };
  });
}

/** Feedback on cooking prompts that says the strong model was needed. */
const COOKING: BattleInput[] = ['how long to boil an egg', 'how long to boil pasta', 'how long to boil rice'].map((prompt) => ({ prompt, modelA: STRONG, modelB: WEAK, winner: 'model_a' }));
const QUERY = 'how long to boil potatoes';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sw-online-'));
  for (const embeddings of ['int8', 'float32'] as const) {
    await trainSwRanking({ battles: battles(40), output: path.join(dir, embeddings), embedder, numTiers: 2, embeddings });
    await trainSwRanking({ battles: [...battles(40), ...COOKING], output: path.join(dir, `${embeddings}-all`), embedder, numTiers: 2, embeddings });
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const open = (folder: string, extra: Record<string, unknown> = {}) =>
  SwRankingRouter.create({ weightsDir: path.join(dir, folder), embedder, strongModel: STRONG, weakModel: WEAK, ...extra });

describe.each(['int8', 'float32'] as const)('sw_ranking addBattles (%s index)', (embeddings) => {
  it('raises the strong win rate of a near-duplicate at once, as if trained with the battles, without retraining', async () => {
    const router = await open(embeddings);
    const retrained = await open(`${embeddings}-all`);
    const probes = [QUERY, `${HARD[0]} again`, `${EASY[1]} again`];
    const before = await router.strongWinRates(probes);
    expect(await router.addBattles(COOKING)).toBe(3);
    expect(router.addedBattles).toBe(3);
    const after = await router.strongWinRates(probes);
    expect(after[0]).toBeGreaterThan(before[0] + 0.05);
    const expected = await retrained.strongWinRates(probes);
    for (let i = 0; i < probes.length; i++) expect(after[i]).toBeCloseTo(expected[i], 4);
    await Promise.all([router.dispose(), retrained.dispose()]);
  });

  it('keeps at most maxAddedBattles (the newest), refuses bad battles without a change, and leaks no tensors', async () => {
    const tensors = liveTensorCount();
    const router = await open(embeddings, { maxAddedBattles: 3 });
    const reference = await open(`${embeddings}-all`);
    await router.addBattles(battles(4, 500));
    await router.addBattles(COOKING);
    expect(router.addedBattles).toBe(3);
    expect(await router.strongWinRate(QUERY)).toBeCloseTo(await reference.strongWinRate(QUERY), 4);
    const score = await router.strongWinRate(QUERY);
    await expect(router.addBattles([{ prompt: 'x', modelA: 'gpt-4', modelB: WEAK, winner: 'model_a' }])).rejects.toThrow(InvalidInputError);
    await expect(router.addBattles([{ prompt: 'x', modelA: STRONG, modelB: WEAK, winner: 'draw' }])).rejects.toThrow(/winner/);
    await expect(router.addBattles([{ prompt: '', modelA: STRONG, modelB: WEAK, winner: 'tie' }])).rejects.toThrow(/prompt/);
    expect(router.addedBattles).toBe(3);
    expect(await router.strongWinRate(QUERY)).toBe(score);
    await Promise.all([router.dispose(), reference.dispose()]);
    expect(liveTensorCount()).toBeLessThanOrEqual(tensors);
    await expect(router.addBattles(COOKING)).rejects.toThrow(/disposed/);
  });

  it('answers every query while battles are being added (no query fails on a replaced index)', async () => {
    const router = await open(embeddings);
    const queries = Array.from({ length: 60 }, (_, n) => router.strongWinRate(`${QUERY} ${n}`));
    const additions = [router.addBattles(COOKING), router.addBattles(battles(6, 900))];
    const more = Array.from({ length: 60 }, (_, n) => router.strongWinRate(`${HARD[1]} ${n}`));
    const scores = await Promise.all([...queries, ...more]);
    expect(await Promise.all(additions)).toEqual([3, 9]);
    expect(scores.every((score) => score >= 0 && score <= 1)).toBe(true);
    await router.dispose();
  });
});
