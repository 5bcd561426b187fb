/**
 * The evaluation run: score a benchmark with each router, sweep the thresholds as the original
 * does, and compute APGR, CPT and the optimal router's curve.
 */
import { randomNoiseFloor, type NoiseFloor } from './noise-floor.js';
import type { Embedder } from '../embedders/types.js';
import { InvalidInputError } from '../errors.js';
import { createRouter, routerDefinition } from '../routers/registry.js';
import type { Router } from '../routers/types.js';
import type { EvalBenchmark, ScoreUnit } from './benchmarks.js';
import { averageSweeps, curveMetrics, meanScore, optimalCurve, thresholdSweep } from './metrics.js';
import type { CurveMetrics, SweepPoint } from './metrics.js';
import { scoreCacheKey, scorePrompts } from './scoring.js';
import type { ScoringProgress } from './scoring.js';

/** A router to evaluate: a registry name with options, or a built router. */
export interface RouterSpec {
  /** Name shown in the results (and the registry name when `router` is not given). */
  name: string;
  /** Options for `createRouter` (also part of the score cache key). */
  options?: Record<string, unknown>;
  /** A router you built yourself (its scores are cached only when `cacheKey` is given). */
  router?: Router;
  /** Cache key for a prebuilt router's scores. */
  cacheKey?: string;
}

/** Options of `evaluateRouters`. */
export interface EvaluateOptions {
  /** The benchmark (see `loadEvalBenchmark`). */
  benchmark: EvalBenchmark;
  /** Routers by name, or specs. */
  routers: readonly (string | RouterSpec)[];
  /** Seeds the random router is averaged over, as the original (default 10). Ignored when a seed is given in its options. */
  randomSeeds?: number;
  /** Quantile bins of the sweep (default 10, 11 thresholds). */
  bins?: number;
  /** Score cache folder (default `<cache dir>/eval-scores`), or `false`. */
  cacheDir?: string | false;
  /** Wraps an embedding router's embedder, typically with a disk cache. */
  wrapEmbedder?: (embedder: Embedder) => Embedder;
  /** Called while scoring. */
  onProgress?: (progress: ScoringProgress) => void;
  /** Random routers drawn for the noise floor (default 200; 0 skips it). */
  noiseDraws?: number;
}

/** One router's evaluation. */
export interface RouterEvaluation extends CurveMetrics {
  name: string;
  /** The sweep (random: averaged over seeds), in edge order. */
  points: SweepPoint[];
  /** Number of seeds averaged (random), else 1. */
  runs: number;
}

/** The optimal router: knows the outcomes; its curve is an upper bound. */
export interface OptimalEvaluation extends CurveMetrics {
  /** Up to 101 points along its curve (plus the point where the strong model stops gaining). */
  points: SweepPoint[];
}

/** Everything an evaluation produced. */
export interface EvaluationResult {
  benchmark: string;
  label: string;
  strongModel: string;
  weakModel: string;
  /** Number of prompts. */
  n: number;
  unit: ScoreUnit;
  /** Benchmark score of always-strong and always-weak. */
  strongScore: number;
  weakScore: number;
  routers: Record<string, RouterEvaluation>;
  optimal: OptimalEvaluation;
  /** The spread of one random router's APGR on this benchmark (null when skipped or undefined). */
  noiseFloor: NoiseFloor | null;
}

function toSpec(entry: string | RouterSpec): RouterSpec {
  return typeof entry === 'string' ? { name: entry } : entry;
}

/**
 * Evaluates routers on a benchmark. Each router scores every prompt (cached on disk); the
 * thresholds are the 10-quantile edges of its scores; the random router is averaged over 10 seeds.
 * Returns per-router sweeps and metrics, both models' scores and the optimal router's curve.
 */
export async function evaluateRouters(options: EvaluateOptions): Promise<EvaluationResult> {
  const { benchmark } = options;
  const n = benchmark.prompts.length;
  if (n === 0) throw new InvalidInputError('benchmark', 'at least one prompt');
  const specs = options.routers.map(toSpec);
  if (specs.length === 0) throw new InvalidInputError('routers', 'at least one router');
  const names = new Set<string>();
  for (const spec of specs) {
    if (names.has(spec.name)) throw new InvalidInputError(`routers`, `distinct names ("${spec.name}" appears twice)`);
    names.add(spec.name);
  }
  const strongScore = meanScore(benchmark.strongScores);
  const weakScore = meanScore(benchmark.weakScores);
  const sweepInput = { strongScores: benchmark.strongScores, weakScores: benchmark.weakScores, bins: options.bins };
  const routers: Record<string, RouterEvaluation> = {};
  for (const spec of specs) {
    const routerOptions = spec.options ?? {};
    const overSeeds = !spec.router && routerDefinition(spec.name)?.evaluation === 'seeds' && routerOptions.seed === undefined;
    const sweeps: SweepPoint[][] = [];
    if (overSeeds) {
      const seeds = options.randomSeeds ?? 10;
      for (let seed = 0; seed < seeds; seed++) {
        const router = await createRouter(spec.name, { ...routerOptions, seed });
        try {
          const scores = await scorePrompts(router, benchmark.prompts, { cacheDir: false, batchSize: n });
          sweeps.push(thresholdSweep({ routerScores: scores, ...sweepInput }));
        } finally {
          await router.dispose();
        }
        options.onProgress?.({ router: spec.name, done: Math.round(((seed + 1) * n) / seeds), total: n });
      }
    } else {
      const router = spec.router ?? (await createRouter(spec.name, routerOptions));
      try {
        const cacheKey =
          spec.router ? spec.cacheKey : scoreCacheKey({ router: spec.name, options: routerOptions, benchmark: `${benchmark.name}:${benchmark.strongModel}:${benchmark.weakModel}`, prompts: benchmark.prompts });
        const scores = await scorePrompts(router, benchmark.prompts, {
          cacheKey,
          cacheDir: options.cacheDir,
          wrapEmbedder: options.wrapEmbedder,
          onProgress: options.onProgress,
        });
        sweeps.push(thresholdSweep({ routerScores: scores, ...sweepInput }));
      } finally {
        if (!spec.router) await router.dispose();
      }
    }
    const points = sweeps.length === 1 ? sweeps[0] : averageSweeps(sweeps);
    routers[spec.name] = { name: spec.name, points, runs: sweeps.length, ...curveMetrics(points, strongScore, weakScore) };
  }
  const fullOptimal = optimalCurve(benchmark.strongScores, benchmark.weakScores);
  const optimal: OptimalEvaluation = {
    ...curveMetrics(fullOptimal, strongScore, weakScore),
    points: optimalCurve(benchmark.strongScores, benchmark.weakScores, 101),
  };
  return {
    benchmark: benchmark.name,
    label: benchmark.label,
    strongModel: benchmark.strongModel,
    weakModel: benchmark.weakModel,
    n,
    unit: benchmark.unit,
    strongScore,
    weakScore,
    routers,
    optimal,
    noiseFloor: options.noiseDraws === 0 ? null : randomNoiseFloor(benchmark.strongScores, benchmark.weakScores, { draws: options.noiseDraws, bins: options.bins }),
  };
}
