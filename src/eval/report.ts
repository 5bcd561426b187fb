/**
 * The evaluation's outputs: `results.json` (the shape the CLI documents) and the console table.
 */
import type { SweepPoint } from './metrics.js';
import type { EvaluationResult } from './evaluate.js';

/** A sweep point as `results.json` writes it (`strong_pct` in percent, 0-100). */
export interface ResultsJsonPoint {
  threshold: number | null;
  strong_pct: number;
  score: number;
}

/** One router in `results.json` (CPT in percent of strong calls, 0-100; null when not reached). */
export interface ResultsJsonRouter {
  apgr: number | null;
  apgr_trapezoid: number | null;
  cpt20: number | null;
  cpt50: number | null;
  cpt80: number | null;
  points: ResultsJsonPoint[];
}

/** `results.json`. */
export interface ResultsJson {
  benchmark: string;
  strong_model: string;
  weak_model: string;
  n: number;
  routers: Record<string, ResultsJsonRouter>;
  /** What the benchmark is (e.g. that MMLU is MMLU-rest). */
  label: string;
  /** `accuracy-percent` (scores are % correct), `grade` (MT-Bench 1-10) or `raw`. */
  unit: string;
  strong_score: number;
  weak_score: number;
  /** The optimal router (an upper bound, knows the outcomes). */
  optimal: ResultsJsonRouter;
  /** Mean and standard deviation of one random router's APGR (null when undefined). */
  noise_floor: { draws: number; apgr_mean: number; apgr_sd: number } | null;
}

function round(value: number | null, digits: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function jsonPoints(points: readonly SweepPoint[]): ResultsJsonPoint[] {
  return points.map((point) => ({
    threshold: round(point.threshold, 6),
    strong_pct: round(point.strongPct, 4) as number,
    score: round(point.score, 6) as number,
  }));
}

/** The `results.json` object of an evaluation. */
export function toResultsJson(result: EvaluationResult): ResultsJson {
  const routers: Record<string, ResultsJsonRouter> = {};
  for (const [name, evaluation] of Object.entries(result.routers)) {
    routers[name] = {
      apgr: round(evaluation.apgr, 6),
      apgr_trapezoid: round(evaluation.apgrTrapezoid, 6),
      cpt20: round(evaluation.cpt20, 4),
      cpt50: round(evaluation.cpt50, 4),
      cpt80: round(evaluation.cpt80, 4),
      points: jsonPoints(evaluation.points),
    };
  }
  const optimal = result.optimal;
  return {
    benchmark: result.benchmark,
    strong_model: result.strongModel,
    weak_model: result.weakModel,
    n: result.n,
    routers,
    label: result.label,
    unit: result.unit,
    strong_score: round(result.strongScore, 6) as number,
    weak_score: round(result.weakScore, 6) as number,
    optimal: {
      apgr: round(optimal.apgr, 6),
      apgr_trapezoid: round(optimal.apgrTrapezoid, 6),
      cpt20: round(optimal.cpt20, 4),
      cpt50: round(optimal.cpt50, 4),
      cpt80: round(optimal.cpt80, 4),
      points: jsonPoints(optimal.points),
    },
    noise_floor: result.noiseFloor && { draws: result.noiseFloor.draws, apgr_mean: round(result.noiseFloor.apgrMean, 6) as number, apgr_sd: round(result.noiseFloor.apgrSd, 6) as number },
  };
}

/** A CPT value as `12.3%`, or `n/a`. */
export function formatPct(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(1)}%`;
}

/** An APGR value to three decimals, or `n/a`. */
export function formatApgr(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(3);
}

/** Formats a benchmark score in its unit. */
export function formatScore(value: number, unit: string): string {
  return unit === 'accuracy-percent' || unit === 'preference-percent' ? `${value.toFixed(2)}%` : value.toFixed(3);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row, index) => {
      const line = row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
      return index === 0 ? `${line}\n${widths.map((width) => '-'.repeat(width)).join('  ')}` : line;
    })
    .join('\n');
}

/**
 * The console report: the benchmark, both models' scores, then per router (and the optimal one)
 * APGR (cost points and trapezoid) and CPT(20/50/80%); with `sweeps`, each router's sweep too.
 */
export function formatResultsTable(result: EvaluationResult, options: { sweeps?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(`Benchmark: ${result.label}`);
  lines.push(`Strong ${result.strongModel}: ${formatScore(result.strongScore, result.unit)}    Weak ${result.weakModel}: ${formatScore(result.weakScore, result.unit)}`);
  if (result.strongScore === result.weakScore) lines.push('Both models score the same: PGR, APGR and CPT are undefined (n/a).');
  lines.push('');
  const noise = result.noiseFloor;
  const rows = [['router', 'APGR', 'noise (random sd)', 'APGR (trapezoid)', 'CPT(20%)', 'CPT(50%)', 'CPT(80%)']];
  const entries = [...Object.values(result.routers).map((router) => [router.runs > 1 ? `${router.name} (${router.runs} seeds)` : router.name, router] as const), ['optimal', result.optimal] as const];
  for (const [name, metrics] of entries) {
    // An average of k random draws spreads sqrt(k) times less than one router's APGR.
    const runs = 'runs' in metrics ? metrics.runs : 1;
    const spread = noise && name !== 'optimal' ? `± ${(noise.apgrSd / Math.sqrt(runs)).toFixed(3)}` : '';
    rows.push([name, formatApgr(metrics.apgr), spread, formatApgr(metrics.apgrTrapezoid), formatPct(metrics.cpt20), formatPct(metrics.cpt50), formatPct(metrics.cpt80)]);
  }
  lines.push(table(rows));
  if (noise) {
    lines.push(
      '',
      `Noise floor: one random router scores APGR ${noise.apgrMean.toFixed(3)} ± ${noise.apgrSd.toFixed(3)} here (standard deviation over ${noise.draws} draws); ` +
        `an APGR within about 2 x ${noise.apgrSd.toFixed(3)} of 0.5, or of another router, is not a real difference.`,
    );
  }
  if (options.sweeps) {
    for (const router of Object.values(result.routers)) {
      lines.push('', `${router.name}: threshold sweep`);
      const sweepRows = [['threshold', '% strong', 'score']];
      for (const point of router.points) {
        sweepRows.push([point.threshold.toFixed(5), `${point.strongPct.toFixed(1)}%`, formatScore(point.score, result.unit)]);
      }
      lines.push(table(sweepRows));
    }
  }
  return lines.join('\n');
}
