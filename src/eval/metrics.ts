/**
 * The evaluation metrics of RouteLLM: the threshold sweep of the original, PGR, APGR (the paper's
 * cost points and the code's trapezoid), CPT, and the optimal router's curve.
 *
 * Conventions: `strongPct` is the share of calls sent to the strong model in percent (0-100), as
 * the original prints it; `score` is the benchmark score of the routed mix (mean per-prompt score
 * of the model each prompt was sent to), in the benchmark's own unit.
 */
import { InvalidInputError } from '../errors.js';

/** One point of a router's cost/quality curve. */
export interface SweepPoint {
  /** The threshold (a router score); strong when score >= threshold, except `>` at the top edge. */
  threshold: number;
  /** Share of prompts sent to the strong model, in percent (0-100). */
  strongPct: number;
  /** Benchmark score of the routed mix. */
  score: number;
}

/** Summary metrics of one curve. */
export interface CurveMetrics {
  /** APGR from the paper: mean PGR at 10 equally spaced strong-call shares (5%, 15%, ..., 95%), PGR interpolated along the curve. null when both models score the same. */
  apgr: number | null;
  /** APGR from the original code: trapezoid of PGR over the sweep's strong-call shares (as fractions). */
  apgrTrapezoid: number | null;
  /** Smallest strong-call share (percent) at which PGR reaches 20%; null if never reached or undefined. */
  cpt20: number | null;
  /** Same at 50%. */
  cpt50: number | null;
  /** Same at 80%. */
  cpt80: number | null;
}

/** The per-prompt scores of the two models on a benchmark, and what the router said. */
export interface SweepInput {
  /** Router score (strong win rate) for each prompt. */
  routerScores: ArrayLike<number>;
  /** Strong model's score on each prompt. */
  strongScores: ArrayLike<number>;
  /** Weak model's score on each prompt. */
  weakScores: ArrayLike<number>;
  /** Number of quantile bins (default 10, giving 11 edges). */
  bins?: number;
}

/** Linear-interpolated quantile (as numpy/pandas' default) of an ascending-sorted array. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new InvalidInputError('quantile input', 'at least one value');
  const position = (n - 1) * Math.min(1, Math.max(0, q));
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  if (lower === upper) return sorted[lower];
  const fraction = position - lower;
  return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction;
}

/** The `bins`-quantile bin edges of `values` (bins + 1 edges, duplicates dropped as pandas' qcut does). */
export function quantileEdges(values: ArrayLike<number>, bins = 10): number[] {
  const sorted = Float64Array.from(values).sort();
  const edges: number[] = [];
  for (let i = 0; i <= bins; i++) {
    const edge = quantileSorted(sorted, i / bins);
    if (edges.length === 0 || edge !== edges[edges.length - 1]) edges.push(edge);
  }
  return edges;
}

function checkLengths(input: SweepInput): number {
  const n = input.routerScores.length;
  if (n === 0) throw new InvalidInputError('benchmark', 'at least one prompt');
  if (input.strongScores.length !== n || input.weakScores.length !== n) {
    throw new InvalidInputError(
      'sweep input',
      `as many model scores as router scores (${n}), got ${input.strongScores.length} strong and ${input.weakScores.length} weak`,
    );
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(input.routerScores[i])) throw new InvalidInputError(`router score ${i}`, 'a finite number');
  }
  return n;
}

/** The score of the mix where prompt i goes to strong when `strong(i)` is true. */
function mixScore(input: SweepInput, n: number, strong: (i: number) => boolean): { strongPct: number; score: number } {
  let total = 0;
  let strongCalls = 0;
  for (let i = 0; i < n; i++) {
    if (strong(i)) {
      strongCalls++;
      total += input.strongScores[i];
    } else {
      total += input.weakScores[i];
    }
  }
  return { strongPct: (100 * strongCalls) / n, score: total / n };
}

/**
 * The original's sweep: thresholds at the 10-quantile bin edges of the router's scores (11 edges,
 * duplicates from ties dropped); at each edge a prompt goes to strong when its score is `>=` the
 * edge, except at the top edge where it must be `>` (so the sweep reaches 0% strong calls). When
 * all scores are equal the single edge gives both points (100% and 0%). Points are returned in
 * edge order (strong share decreasing).
 */
export function thresholdSweep(input: SweepInput): SweepPoint[] {
  const n = checkLengths(input);
  const edges = quantileEdges(input.routerScores, input.bins ?? 10);
  const points: SweepPoint[] = [];
  edges.forEach((threshold, index) => {
    const top = index === edges.length - 1;
    if (!top || edges.length === 1) {
      points.push({ threshold, ...mixScore(input, n, (i) => input.routerScores[i] >= threshold) });
    }
    if (top) points.push({ threshold, ...mixScore(input, n, (i) => input.routerScores[i] > threshold) });
  });
  return points;
}

/** The mean of a score array. */
export function meanScore(scores: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < scores.length; i++) total += scores[i];
  return scores.length === 0 ? Number.NaN : total / scores.length;
}

/** PGR = (score - weak) / (strong - weak); NaN when the two models score the same. */
export function performanceGapRecovered(score: number, strongScore: number, weakScore: number): number {
  const gap = strongScore - weakScore;
  if (gap === 0 || !Number.isFinite(gap)) return Number.NaN;
  return (score - weakScore) / gap;
}

/** Curve points sorted by strong share ascending (ties keep the higher score last, so interpolation is monotone in share). */
function byShare(points: readonly SweepPoint[]): SweepPoint[] {
  return [...points].sort((a, b) => a.strongPct - b.strongPct || a.score - b.score);
}

/** PGR at strong share `pct` (percent), linearly interpolated along the curve and clamped at its ends. */
export function pgrAt(points: readonly SweepPoint[], pct: number, strongScore: number, weakScore: number): number {
  const sorted = byShare(points);
  if (sorted.length === 0) return Number.NaN;
  let score: number;
  if (pct <= sorted[0].strongPct) score = sorted[0].score;
  else if (pct >= sorted[sorted.length - 1].strongPct) score = sorted[sorted.length - 1].score;
  else {
    let k = 1;
    while (sorted[k].strongPct < pct) k++;
    const left = sorted[k - 1];
    const right = sorted[k];
    const span = right.strongPct - left.strongPct;
    score = span === 0 ? right.score : left.score + ((pct - left.strongPct) / span) * (right.score - left.score);
  }
  return performanceGapRecovered(score, strongScore, weakScore);
}

/**
 * The paper's APGR: the mean PGR at 10 equally spaced strong-call shares. We take the midpoints
 * 5%, 15%, ..., 95% of ten equal cost bins (a midpoint Riemann sum of the area over [0, 1]), so a
 * router whose PGR equals its strong share (random) gets exactly 0.5; the right-end points
 * 10%..100% would give it 0.55.
 */
export function apgrCostPoints(points: readonly SweepPoint[], strongScore: number, weakScore: number): number {
  let total = 0;
  for (let i = 0; i < 10; i++) total += pgrAt(points, 10 * i + 5, strongScore, weakScore);
  return total / 10;
}

/** The original code's APGR: trapezoid of PGR over the strong share (as a fraction) of the sweep points. */
export function apgrTrapezoid(points: readonly SweepPoint[], strongScore: number, weakScore: number): number {
  const sorted = byShare(points);
  let area = 0;
  for (let k = 1; k < sorted.length; k++) {
    const width = (sorted[k].strongPct - sorted[k - 1].strongPct) / 100;
    const left = performanceGapRecovered(sorted[k - 1].score, strongScore, weakScore);
    const right = performanceGapRecovered(sorted[k].score, strongScore, weakScore);
    area += (width * (left + right)) / 2;
  }
  return area;
}

/**
 * CPT(target): the smallest strong-call share (percent) at which PGR reaches `target` (a fraction,
 * 0.5 for CPT(50%)), linearly interpolated between sweep points. null when the curve never
 * reaches it or PGR is undefined (both models equal).
 */
export function callPerformanceThreshold(
  points: readonly SweepPoint[],
  target: number,
  strongScore: number,
  weakScore: number,
): number | null {
  const sorted = byShare(points);
  let previous: { pct: number; pgr: number } | undefined;
  for (const point of sorted) {
    const pgr = performanceGapRecovered(point.score, strongScore, weakScore);
    if (Number.isNaN(pgr)) return null;
    if (pgr >= target - 1e-12) {
      if (!previous || previous.pgr === pgr) return point.strongPct;
      const fraction = Math.min(1, (target - previous.pgr) / (pgr - previous.pgr));
      return previous.pct + fraction * (point.strongPct - previous.pct);
    }
    previous = { pct: point.strongPct, pgr };
  }
  return null;
}

function nullIfNaN(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** APGR (both forms) and CPT(20/50/80%) of a curve. */
export function curveMetrics(points: readonly SweepPoint[], strongScore: number, weakScore: number): CurveMetrics {
  return {
    apgr: nullIfNaN(apgrCostPoints(points, strongScore, weakScore)),
    apgrTrapezoid: nullIfNaN(apgrTrapezoid(points, strongScore, weakScore)),
    cpt20: callPerformanceThreshold(points, 0.2, strongScore, weakScore),
    cpt50: callPerformanceThreshold(points, 0.5, strongScore, weakScore),
    cpt80: callPerformanceThreshold(points, 0.8, strongScore, weakScore),
  };
}

/**
 * The optimal router's curve: it knows each prompt's outcome and sends to strong first the prompts
 * where strong gains the most over weak (for correctness data: where strong is right and weak is
 * wrong), never a prompt where strong does not gain; beyond that share the score stays flat.
 * Returns a point for every number of strong calls k = 0..n (threshold = NaN: it has none),
 * or `maxPoints` evenly spaced ones plus the point where the gains run out.
 */
export function optimalCurve(
  strongScores: ArrayLike<number>,
  weakScores: ArrayLike<number>,
  maxPoints = Number.POSITIVE_INFINITY,
): SweepPoint[] {
  const n = strongScores.length;
  if (n === 0 || weakScores.length !== n) throw new InvalidInputError('optimal curve input', 'two score arrays of the same non-zero length');
  const gains = new Float64Array(n);
  let base = 0;
  for (let i = 0; i < n; i++) {
    gains[i] = strongScores[i] - weakScores[i];
    base += weakScores[i];
  }
  gains.sort().reverse();
  const cumulative = new Float64Array(n + 1);
  let positive = 0;
  for (let k = 1; k <= n; k++) {
    const gain = Math.max(0, gains[k - 1]);
    if (gains[k - 1] > 0) positive = k;
    cumulative[k] = cumulative[k - 1] + gain;
  }
  const counts = new Set<number>();
  if (n + 1 <= maxPoints) for (let k = 0; k <= n; k++) counts.add(k);
  else {
    const steps = Math.max(2, Math.floor(maxPoints));
    for (let s = 0; s < steps; s++) counts.add(Math.round((s * n) / (steps - 1)));
    counts.add(positive);
  }
  return [...counts]
    .sort((a, b) => a - b)
    .map((k) => ({ threshold: Number.NaN, strongPct: (100 * k) / n, score: (base + cumulative[k]) / n }));
}

/**
 * Averages several sweeps point by point (the i-th point of each), as the original does for the
 * random router over 10 seeds. Sweeps of different lengths are cut to the shortest.
 */
export function averageSweeps(sweeps: readonly SweepPoint[][]): SweepPoint[] {
  if (sweeps.length === 0) return [];
  const length = Math.min(...sweeps.map((sweep) => sweep.length));
  const averaged: SweepPoint[] = [];
  for (let i = 0; i < length; i++) {
    let threshold = 0;
    let strongPct = 0;
    let score = 0;
    for (const sweep of sweeps) {
      threshold += sweep[i].threshold;
      strongPct += sweep[i].strongPct;
      score += sweep[i].score;
    }
    averaged.push({ threshold: threshold / sweeps.length, strongPct: strongPct / sweeps.length, score: score / sweeps.length });
  }
  return averaged;
}
