import { describe, expect, it } from 'vitest';
import {
  apgrCostPoints,
  apgrTrapezoid,
  averageSweeps,
  callPerformanceThreshold,
  curveMetrics,
  optimalCurve,
  quantileEdges,
  thresholdSweep,
} from '../src/eval/metrics.js';

// Ten prompts: strong is right on all, weak only on the last five. Strong 1.0, weak 0.5.
const strong = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
const weak = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
const sweep = (routerScores: number[]) => thresholdSweep({ routerScores, strongScores: strong, weakScores: weak });

describe('quantile edges', () => {
  it('are the 10-quantile edges with linear interpolation', () => {
    expect(quantileEdges([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(quantileEdges([0, 10])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
  it('drop duplicates from ties', () => {
    expect(quantileEdges([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])).toEqual([0, 0.5, 1]);
    expect(quantileEdges([0.3, 0.3, 0.3])).toEqual([0.3]);
  });
});

describe('threshold sweep and metrics on hand-computed cases', () => {
  it('a perfect router', () => {
    const routerScores = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
    const points = sweep(routerScores);
    expect(points).toEqual([
      { threshold: 0, strongPct: 100, score: 1 },
      { threshold: 0.5, strongPct: 50, score: 1 },
      { threshold: 1, strongPct: 0, score: 0.5 },
    ]);
    // PGR 0 -> 1 over [0, 50%], then 1: area 0.25 + 0.5.
    expect(apgrTrapezoid(points, 1, 0.5)).toBeCloseTo(0.75, 12);
    // Cost points 5%..45% give PGR 0.1, 0.3, 0.5, 0.7, 0.9; 55%..95% give 1.
    expect(apgrCostPoints(points, 1, 0.5)).toBeCloseTo(0.75, 12);
    const metrics = curveMetrics(points, 1, 0.5);
    expect(metrics.cpt20).toBeCloseTo(10, 12);
    expect(metrics.cpt50).toBeCloseTo(25, 12);
    expect(metrics.cpt80).toBeCloseTo(40, 12);
  });

  it('an inverted router', () => {
    const routerScores = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    const points = sweep(routerScores);
    expect(points.map((point) => [point.strongPct, point.score])).toEqual([
      [100, 1],
      [50, 0.5],
      [0, 0.5],
    ]);
    const metrics = curveMetrics(points, 1, 0.5);
    expect(metrics.apgrTrapezoid).toBeCloseTo(0.25, 12);
    expect(metrics.apgr).toBeCloseTo(0.25, 12);
    expect(metrics.cpt20).toBeCloseTo(60, 12);
    expect(metrics.cpt50).toBeCloseTo(75, 12);
    expect(metrics.cpt80).toBeCloseTo(90, 12);
  });

  it('ties in scores: one edge gives both ends, and a straight line', () => {
    const points = sweep(new Array(10).fill(0.5));
    expect(points).toEqual([
      { threshold: 0.5, strongPct: 100, score: 1 },
      { threshold: 0.5, strongPct: 0, score: 0.5 },
    ]);
    const metrics = curveMetrics(points, 1, 0.5);
    expect(metrics.apgr).toBeCloseTo(0.5, 12);
    expect(metrics.apgrTrapezoid).toBeCloseTo(0.5, 12);
    expect(metrics.cpt50).toBeCloseTo(50, 12);
  });

  it('ties inside the range: >= sends every tied prompt together', () => {
    const routerScores = [0.9, 0.9, 0.9, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2];
    const points = sweep(routerScores);
    // Sorted: seven 0.2 then three 0.9; edges at q=0..0.6 are 0.2, q=0.7 is 0.2 + 0.3*0.7 = 0.41, then 0.9.
    expect(points.map((point) => point.strongPct)).toEqual([100, 30, 0]);
    expect(points[1].threshold).toBeCloseTo(0.41, 12);
    expect(points[1].score).toBeCloseTo(0.8, 12);
  });

  it('both models equal: PGR, APGR and CPT are undefined (null)', () => {
    const same = [1, 0, 1, 0, 1, 0, 1, 0, 1, 0];
    const points = thresholdSweep({ routerScores: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], strongScores: same, weakScores: same });
    expect(points.every((point) => point.score === 0.5)).toBe(true);
    expect(curveMetrics(points, 0.5, 0.5)).toEqual({ apgr: null, apgrTrapezoid: null, cpt20: null, cpt50: null, cpt80: null });
  });

  it('a curve that never reaches the target has no CPT', () => {
    const points = [
      { threshold: 1, strongPct: 0, score: 0.5 },
      { threshold: 0, strongPct: 100, score: 0.6 },
    ];
    expect(callPerformanceThreshold(points, 0.5, 1, 0.5)).toBeNull();
    expect(callPerformanceThreshold(points, 0.2, 1, 0.5)).toBeCloseTo(100, 12);
  });

  it('rejects mismatched lengths and empty input', () => {
    expect(() => thresholdSweep({ routerScores: [0.1, 0.2], strongScores: [1], weakScores: [0, 1] })).toThrow(/as many model scores/);
    expect(() => thresholdSweep({ routerScores: [], strongScores: [], weakScores: [] })).toThrow(/at least one prompt/);
  });
});

describe('optimal router', () => {
  it('sends to strong only where strong gains, then stays flat', () => {
    const points = optimalCurve(strong, weak);
    expect(points).toHaveLength(11);
    expect(points[0]).toMatchObject({ strongPct: 0, score: 0.5 });
    expect(points[5]).toMatchObject({ strongPct: 50, score: 1 });
    expect(points[10]).toMatchObject({ strongPct: 100, score: 1 });
    expect(apgrTrapezoid(points, 1, 0.5)).toBeCloseTo(0.75, 12);
  });
  it('never sends a prompt where strong loses, even at 100% of the budget', () => {
    const points = optimalCurve([1, 0, 1, 0], [0, 1, 1, 0]);
    expect(points.map((point) => point.score)).toEqual([0.5, 0.75, 0.75, 0.75, 0.75]);
  });
  it('subsamples but keeps the point where the gains run out', () => {
    const n = 1000;
    const strongScores = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const weakScores = new Array(n).fill(0);
    const points = optimalCurve(strongScores, weakScores, 11);
    expect(points.length).toBeLessThanOrEqual(12);
    expect(points.some((point) => point.strongPct === (100 * 334) / n)).toBe(true);
  });
});

describe('random router', () => {
  it('averaged over seeds has APGR close to 0.5', () => {
    let state = 12345;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const n = 2000;
    const strongScores: number[] = Array.from({ length: n }, () => (next() < 0.8 ? 1 : 0));
    const weakScores: number[] = Array.from({ length: n }, () => (next() < 0.6 ? 1 : 0));
    const sweeps = Array.from({ length: 10 }, () =>
      thresholdSweep({ routerScores: Array.from({ length: n }, next), strongScores, weakScores }),
    );
    const averaged = averageSweeps(sweeps);
    expect(averaged).toHaveLength(11);
    const strongMean = strongScores.reduce((a, b) => a + b) / n;
    const weakMean = weakScores.reduce((a, b) => a + b) / n;
    const metrics = curveMetrics(averaged, strongMean, weakMean);
    expect(metrics.apgr).toBeGreaterThan(0.45);
    expect(metrics.apgr).toBeLessThan(0.55);
    expect(metrics.apgrTrapezoid).toBeGreaterThan(0.45);
    expect(metrics.apgrTrapezoid).toBeLessThan(0.55);
    expect(metrics.cpt50).toBeGreaterThan(40);
    expect(metrics.cpt50).toBeLessThan(60);
  });
});
