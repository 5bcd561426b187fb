import { describe, expect, it } from 'vitest';
import { runRouterContract } from '../contract.case.js';
import { createRouter, requireRouterDefinition } from '../registry.js';
import { isModelScoringRouter } from '../types.js';
import type { RandomRouter } from './index.js';

runRouterContract({ name: 'random', create: () => createRouter('random', { seed: 7 }) });

describe('random router', () => {
  it('is reproducible with a seed and differs across seeds', async () => {
    const prompts = Array.from({ length: 50 }, (_, i) => `prompt number ${i}`);
    const a = await (await createRouter('random', { seed: 1 })).strongWinRates(prompts);
    const b = await (await createRouter('random', { seed: 1 })).strongWinRates(prompts);
    const c = await (await createRouter('random', { seed: 2 })).strongWinRates(prompts);
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...c]);
  });

  it('is roughly uniform', async () => {
    const router = await createRouter('random', { seed: 3 });
    const scores = await router.strongWinRates(Array.from({ length: 4000 }, (_, i) => `q${i}`));
    const mean = scores.reduce((sum, x) => sum + x, 0) / scores.length;
    expect(mean).toBeGreaterThan(0.47);
    expect(mean).toBeLessThan(0.53);
    const belowQuarter = scores.filter((x) => x < 0.25).length / scores.length;
    expect(belowQuarter).toBeGreaterThan(0.22);
    expect(belowQuarter).toBeLessThan(0.28);
  });

  it('rejects bad options', async () => {
    // @ts-expect-error a bad option type is a compile error too; checked here at run time
    await expect(createRouter('random', { seed: 'x' })).rejects.toThrow(/seed/);
    // @ts-expect-error a misspelt option is a compile error too; checked here at run time
    await expect(createRouter('random', { sead: 1 })).rejects.toThrow(/sead/);
  });

  it('scores N models: seeded, batch equals singles, independent per model, roughly uniform', async () => {
    expect(requireRouterDefinition('random').scoresModels).toBe(true);
    const router = await createRouter('random', { seed: 5 });
    if (!isModelScoringRouter(router)) throw new Error('random is not a ModelScoringRouter');
    const models = ['a', 'b', 'c'];
    const prompts = Array.from({ length: 600 }, (_, i) => `question ${i}`);
    const batch = await router.modelScores(prompts, models);
    expect(batch).toHaveLength(prompts.length * models.length);
    expect([...(await router.modelScores([prompts[7]], models))]).toEqual([...batch.subarray(21, 24)]);
    expect([...(await ((await createRouter('random', { seed: 5 })) as RandomRouter).modelScores(prompts, models))]).toEqual([...batch]);
    const best = [0, 0, 0];
    for (let i = 0; i < prompts.length; i++) {
      const row = batch.subarray(i * 3, i * 3 + 3);
      best[row.indexOf(Math.max(...row))]++;
    }
    for (const count of best) expect(count).toBeGreaterThan(150);
    await expect(router.modelScores(['x'], ['a', ''])).rejects.toThrow(/models/);
  });
});
