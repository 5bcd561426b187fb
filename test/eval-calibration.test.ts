import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateThreshold, thresholdFromScores } from '../src/calibration/index.js';
import { InvalidOptionsError, WeightsError } from '../src/index.js';
import { RandomRouter } from '../src/routers/random/index.js';

const ELEVEN = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

describe('thresholdFromScores', () => {
  it('is the (1 - p) quantile and reports the share it achieves', () => {
    const half = thresholdFromScores(ELEVEN, 0.5);
    expect(half.threshold).toBeCloseTo(0.5, 12);
    expect(half.strongModelPct).toBeCloseTo(6 / 11, 12);
    const some = thresholdFromScores([0.4, 0.1, 0.3, 0.2], 0.25);
    // Sorted 0.1..0.4, position 3 * 0.75 = 2.25 -> 0.3 + 0.25 * 0.1.
    expect(some.threshold).toBeCloseTo(0.325, 12);
    expect(some.strongModelPct).toBe(0.25);
  });
  it('all strong and all weak are reachable', () => {
    expect(thresholdFromScores(ELEVEN, 1)).toEqual({ threshold: 0, strongModelPct: 1 });
    expect(thresholdFromScores(ELEVEN, 0).threshold).toBe(1);
  });
  it('ties make the achieved share differ from the request', () => {
    const tied = thresholdFromScores([0.2, 0.5, 0.5, 0.5, 0.9], 0.2);
    expect(tied.threshold).toBeCloseTo(0.58, 12);
    expect(tied.strongModelPct).toBe(0.2);
    const inside = thresholdFromScores([0.2, 0.5, 0.5, 0.5, 0.9], 0.5);
    expect(inside.threshold).toBe(0.5);
    expect(inside.strongModelPct).toBe(0.8);
  });
});

describe('calibrateThreshold', () => {
  it('random needs no sample: threshold = 1 - p', async () => {
    const result = await calibrateThreshold({ router: 'random', strongModelPct: 0.3 });
    expect(result).toMatchObject({ threshold: 0.7, strongModelPct: 0.3, source: 'uniform' });
  });
  it('scores prompts with the router when given prompts', async () => {
    const prompts = Array.from({ length: 2000 }, (_, i) => `prompt number ${i}`);
    const router = new RandomRouter({ seed: 7 });
    const result = await calibrateThreshold({ router, prompts, strongModelPct: 0.25 });
    expect(result.source).toBe('prompts');
    expect(result.count).toBe(2000);
    expect(result.threshold).toBeGreaterThan(0.72);
    expect(result.threshold).toBeLessThan(0.78);
    expect(result.strongModelPct).toBeCloseTo(0.25, 2);
    const scores = await router.strongWinRates(prompts);
    const decided = scores.filter((score) => score >= result.threshold).length / scores.length;
    expect(decided).toBe(result.strongModelPct);
  });
  it('reads the default sample from a weights folder', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-calibration-'));
    writeFileSync(
      path.join(dir, 'calibration.json'),
      JSON.stringify({ format: 1, router: 'mf', prompts: 'test prompts', count: 11, scores: ELEVEN }),
    );
    const result = await calibrateThreshold({ router: 'mf', strongModelPct: 0.5, weightsDir: dir });
    expect(result).toMatchObject({ source: 'default-sample', sample: 'test prompts', count: 11 });
    expect(result.threshold).toBeCloseTo(0.5, 12);
  });
  it('a corrupt or missing sample is a WeightsError naming the file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-calibration-'));
    await expect(calibrateThreshold({ router: 'mf', strongModelPct: 0.5, weightsDir: dir })).rejects.toThrow(WeightsError);
    writeFileSync(path.join(dir, 'calibration.json'), JSON.stringify({ format: 1, router: 'mf', prompts: 'x', count: 2, scores: [0.1] }));
    await expect(calibrateThreshold({ router: 'mf', strongModelPct: 0.5, weightsDir: dir })).rejects.toThrow(/calibration\.json.*count is 2/);
  });
  it('rejects a share outside [0, 1]', async () => {
    await expect(calibrateThreshold({ router: 'random', strongModelPct: 1.5 })).rejects.toThrow(InvalidOptionsError);
  });
});

describe('calibrateThreshold pair check', () => {
  it('refuses the default sample for a pair it was not scored for', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-calibration-'));
    writeFileSync(
      path.join(dir, 'calibration.json'),
      JSON.stringify({ format: 1, router: 'mf', prompts: 'p', count: 3, strong_model: 'gpt-4-1106-preview', weak_model: 'mistralai/Mixtral-8x7B-Instruct-v0.1', scores: [0.1, 0.5, 0.9] }),
    );
    // Aliases of the recorded pair are the same pair.
    const same = await calibrateThreshold({ router: 'mf', strongModelPct: 0.5, weightsDir: dir, strongModel: 'gpt-4-turbo-preview', weakModel: 'mixtral-8x7b' });
    expect(same.threshold).toBeCloseTo(0.5, 12);
    await expect(calibrateThreshold({ router: 'mf', strongModelPct: 0.5, weightsDir: dir, strongModel: 'claude-2' })).rejects.toThrow(/claude-2.*pass your own prompts/);
  });
});
