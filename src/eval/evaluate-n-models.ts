/**
 * The evaluation for routing among N models: score a benchmark table's prompts with each router's
 * per-model scores, sweep the knob of `chooseModel`, and set the routers' curves against the single
 * models, their convex hull and the oracle (see `cost-quality.ts` for the area measure).
 */
import type { Embedder } from '../embedders/types.js';
import { InvalidInputError } from '../errors.js';
import { isEmbeddingModelScoringRouter, isModelScoringRouter, type Router } from '../routers/types.js';
import {
  areaMeasure,
  knobGrid,
  knobSweep,
  shareAbove,
  singleModelPoints,
  singleModelRange,
  upperHull,
  type CostQualityPoint,
  type CostRange,
} from './cost-quality.js';
import type { NModelTable } from './n-model-table.js';
import type { ScoringProgress } from './scoring.js';
import type { CostScale } from '../policy/index.js';

/** One router to evaluate: a router that scores models, or its scores already computed (prompts x models). */
export interface NModelRouterSpec {
  name: string;
  router?: Router;
  scores?: ArrayLike<number>;
}

/** Options of `evaluateNModels`. */
export interface EvaluateNModelsOptions {
  table: NModelTable;
  routers: readonly NModelRouterSpec[];
  /** Knob values swept (default 0, 0.01, ..., 1). */
  knobs?: readonly number[];
  /** Wraps an embedding router's embedder (e.g. with the disk cache) before embedding the prompts. */
  wrapEmbedder?: (embedder: Embedder) => Embedder;
  /** Prompts per scoring call (default 256). */
  batchSize?: number;
  /** How the policy scales cost across the candidates (default `log`, the policy's default). */
  costScale?: CostScale;
  /** Called before scoring each router's prompts and after each batch (not for given `scores`). */
  onProgress?: (progress: ScoringProgress) => void;
}

/** A curve, its hull and its area. */
export interface CurveEvaluation {
  /** The knob sweep. */
  points: CostQualityPoint[];
  /** Its non-decreasing upper convex hull (knob settings mixed at random reach every point on it). */
  hull: CostQualityPoint[];
  /** AIQ over the single models' cost range. */
  aiq: number;
}

/** One router's result. */
export interface NModelRouterEvaluation extends CurveEvaluation {
  /** Share of the cost range where its hull lies above the single models' hull. */
  shareAboveHull: number;
}

/** The whole result. */
export interface NModelEvaluation {
  models: string[];
  prompts: number;
  skippedRows: number;
  costSource: NModelTable['costSource'];
  /** The policy's cost scale in the sweep. */
  costScale: CostScale;
  /** Each model alone. */
  singles: (CostQualityPoint & { model: string })[];
  /** The single models' upper convex hull and its AIQ. */
  singleHull: { hull: CostQualityPoint[]; aiq: number };
  /** The cost range of the area measure. */
  range: CostRange;
  /** The knob swept over the true qualities (per prompt, the best trade-off in hindsight). */
  oracle: CurveEvaluation;
  routers: Record<string, NModelRouterEvaluation>;
}

async function scoresOf(spec: NModelRouterSpec, table: NModelTable, options: EvaluateNModelsOptions): Promise<ArrayLike<number>> {
  if (spec.scores) return spec.scores;
  const router = spec.router;
  if (!router || !isModelScoringRouter(router)) {
    throw new InvalidInputError(`router "${spec.name}"`, 'a router that scores N models (its definition says scoresModels); this one scores a model pair only');
  }
  const batch = options.batchSize ?? 256;
  const width = table.models.length;
  const out = new Float32Array(table.count * width);
  const embedder = isEmbeddingModelScoringRouter(router) ? (options.wrapEmbedder?.(router.embedder) ?? router.embedder) : undefined;
  options.onProgress?.({ router: spec.name, done: 0, total: table.count });
  for (let start = 0; start < table.count; start += batch) {
    const prompts = table.prompts.slice(start, start + batch);
    const scores =
      embedder && isEmbeddingModelScoringRouter(router)
        ? await router.modelScoresFromEmbeddings(await embedder.embed(prompts), prompts.length, table.models)
        : await router.modelScores(prompts, table.models);
    out.set(scores, start * width);
    options.onProgress?.({ router: spec.name, done: start + prompts.length, total: table.count });
  }
  return out;
}

function curve(table: NModelTable, scores: ArrayLike<number>, knobs: readonly number[], range: CostRange, costScale: CostScale | undefined): CurveEvaluation {
  const points = knobSweep(table, scores, knobs, { costScale });
  const hull = upperHull(points);
  return { points, hull, aiq: areaMeasure(hull, range) };
}

/** Evaluates each router on the table; see `NModelEvaluation`. */
export async function evaluateNModels(options: EvaluateNModelsOptions): Promise<NModelEvaluation> {
  const { table } = options;
  const knobs = options.knobs ?? knobGrid();
  const singles = singleModelPoints(table);
  const range = singleModelRange(singles);
  const singleHull = upperHull(singles);
  const routers: Record<string, NModelRouterEvaluation> = {};
  for (const spec of options.routers) {
    const result = curve(table, await scoresOf(spec, table, options), knobs, range, options.costScale);
    routers[spec.name] = { ...result, shareAboveHull: shareAbove(result.hull, singleHull, range) };
  }
  return {
    models: [...table.models],
    prompts: table.count,
    skippedRows: table.skippedRows,
    costSource: table.costSource,
    singles,
    singleHull: { hull: singleHull, aiq: areaMeasure(singleHull, range) },
    range,
    oracle: curve(table, table.quality, knobs, range, options.costScale),
    costScale: options.costScale ?? 'log',
    routers,
  };
}

/** A few lines for a terminal: each single model, the hull, the oracle and each router. */
export function formatNModelTable(result: NModelEvaluation): string {
  const money = (value: number) => `$${value.toPrecision(3)}`;
  const quality = (value: number) => value.toFixed(4);
  const lines = [
    `${result.prompts} prompts, ${result.models.length} models (costs from ${result.costSource === 'file' ? 'the file' : 'the prices'}${result.skippedRows ? `; ${result.skippedRows} rows without every model skipped` : ''})`,
    `AIQ: mean quality of a curve's upper convex hull over mean cost per request ${money(result.range.low)}-${money(result.range.high)} (linear); knob with the ${result.costScale} cost scale`,
    '',
    'model                                      cost/request   quality',
    ...[...result.singles].sort((a, b) => a.cost - b.cost).map((p) => `${p.model.padEnd(42)} ${money(p.cost).padStart(12)}   ${quality(p.quality)}`),
    '',
    `single-model hull        AIQ ${quality(result.singleHull.aiq)}`,
    `oracle                   AIQ ${quality(result.oracle.aiq)}`,
    ...Object.entries(result.routers).map(
      ([name, router]) => `${name.padEnd(24)} AIQ ${quality(router.aiq)}   above the hull on ${(100 * router.shareAboveHull).toFixed(0)}% of the cost range`,
    ),
  ];
  return lines.join('\n');
}
