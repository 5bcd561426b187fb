import { describe, expect, it } from 'vitest';
import { createRng } from '../train/random.js';
import { randomNoiseFloor } from './noise-floor.js';
import { evaluateRouters } from './evaluate.js';
import { formatResultsTable, toResultsJson } from './report.js';
import type { EvalBenchmark } from './benchmarks.js';

/** A benchmark of `n` prompts where the strong model is right on 80%, the weak one on 60%. */
function outcomes(n: number, seed: number): { strong: number[]; weak: number[] } {
  const rng = createRng(seed);
  const strong = Array.from({ length: n }, () => (rng() < 0.8 ? 1 : 0));
  const weak = Array.from({ length: n }, () => (rng() < 0.6 ? 1 : 0));
  return { strong, weak };
}

describe('randomNoiseFloor', () => {
  it('centres on 0.5 and shrinks with more prompts', () => {
    const small = outcomes(50, 1);
    const large = outcomes(1600, 2);
    const a = randomNoiseFloor(small.strong, small.weak)!;
    const b = randomNoiseFloor(large.strong, large.weak)!;
    expect(a.draws).toBe(200);
    for (const floor of [a, b]) expect(Math.abs(floor.apgrMean - 0.5)).toBeLessThan((4 * floor.apgrSd) / Math.sqrt(200));
    // 32x the prompts: several times less spread (sqrt(32) = 5.7 for equal score gaps; the gaps of these two samples differ).
    expect(a.apgrSd / b.apgrSd).toBeGreaterThan(2);
    expect(a.apgrSd / b.apgrSd).toBeLessThan(12);
    expect(randomNoiseFloor(small.strong, small.weak)).toEqual(a);
  });

  it('is null when APGR is undefined or too few draws are asked for', () => {
    expect(randomNoiseFloor([1, 0, 1], [1, 0, 1])).toBeNull();
    expect(randomNoiseFloor([1, 0, 1], [0, 0, 1], { draws: 1 })).toBeNull();
  });

  it('is printed next to each APGR and written to results.json', async () => {
    const { strong, weak } = outcomes(120, 3);
    const benchmark: EvalBenchmark = {
      name: 'planted',
      label: 'planted (120 prompts)',
      prompts: strong.map((_, i) => `prompt ${i}`),
      strongScores: Float64Array.from(strong),
      weakScores: Float64Array.from(weak),
      strongModel: 'strong',
      weakModel: 'weak',
      unit: 'raw',
      contaminatedRemoved: 0,
      source: 'test',
    };
    const result = await evaluateRouters({ benchmark, routers: ['random'], cacheDir: false, noiseDraws: 50 });
    const expected = randomNoiseFloor(strong, weak, { draws: 50 })!;
    expect(result.noiseFloor).toEqual(expected);
    const text = formatResultsTable(result);
    expect(text).toContain('noise (random sd)');
    expect(text).toMatch(new RegExp(`random \\(10 seeds\\)\\s+\\d\\.\\d{3}\\s+± ${(expected.apgrSd / Math.sqrt(10)).toFixed(3)}`));
    expect(text).toContain(`Noise floor: one random router scores APGR ${expected.apgrMean.toFixed(3)} ± ${expected.apgrSd.toFixed(3)}`);
    expect(toResultsJson(result).noise_floor).toEqual({ draws: 50, apgr_mean: expect.closeTo(expected.apgrMean, 5), apgr_sd: expect.closeTo(expected.apgrSd, 5) });
    expect((await evaluateRouters({ benchmark, routers: ['random'], cacheDir: false, noiseDraws: 0 })).noiseFloor).toBeNull();
  });
});
