/**
 * Cost-quality curves for routing among N models: the knob sweep of a router's per-model scores,
 * each single model's point, the upper convex hull of a set of points (what random mixtures of
 * them reach), and the area measure.
 *
 * The area measure is RouterBench's AIQ (average improvement in quality): the mean quality of a
 * curve's non-decreasing convex hull over a cost range, i.e. its integral over [low, high] divided
 * by (high - low). Cost is mean dollars per request on a linear scale (as RouterBench), and the
 * range is the same for every curve of a table: from the cheapest to the dearest single model.
 * Past its dearest point a hull stays flat (spending more buys nothing); below its cheapest point
 * it is not defined and counts as the worst single model's quality there.
 */
import { chooseModel, type CostScale } from '../policy/index.js';

/** One point of a cost-quality curve. */
export interface CostQualityPoint {
  /** Mean cost per request (the table's unit, dollars). */
  cost: number;
  /** Mean quality per request (the table's unit). */
  quality: number;
  /** The knob that gave it (sweep points only). */
  knob?: number;
}

/** What a sweep needs: per prompt and model (row-major, prompts x models) the true quality, the cost paid, the cost the policy sees. */
export interface SweepTable {
  models: readonly string[];
  /** Number of prompts. */
  count: number;
  /** True quality of each model's answer. */
  quality: Float64Array;
  /** Cost of each model's answer, as paid (accounting). */
  cost: Float64Array;
  /** Expected cost of each model, as the policy sees it before answering (default: `cost`). */
  decisionCost?: Float64Array;
}

/** Knob values 0, 1/(steps-1), ..., 1. */
export function knobGrid(steps = 101): number[] {
  return Array.from({ length: steps }, (_, i) => i / (steps - 1));
}

/** Options of `knobSweep`. */
export interface KnobSweepOptions {
  /** How the policy scales cost (default `log`, the policy's default). */
  costScale?: CostScale;
}

/**
 * For each knob, the models `chooseModel` picks from `predicted` (prompts x models) and the
 * resulting mean cost and mean true quality.
 */
export function knobSweep(table: SweepTable, predicted: ArrayLike<number>, knobs: readonly number[] = knobGrid(), options: KnobSweepOptions = {}): CostQualityPoint[] {
  const width = table.models.length;
  if (predicted.length !== table.count * width) throw new RangeError(`knobSweep: ${table.count} x ${width} scores expected, got ${predicted.length}`);
  const decision = table.decisionCost ?? table.cost;
  const candidates = table.models.map((model) => ({ model, quality: 0, cost: 0 }));
  const cost = new Float64Array(knobs.length);
  const quality = new Float64Array(knobs.length);
  for (let row = 0; row < table.count; row++) {
    const base = row * width;
    candidates.forEach((candidate, j) => {
      candidate.quality = predicted[base + j];
      candidate.cost = decision[base + j];
    });
    knobs.forEach((knob, k) => {
      const { index } = chooseModel(candidates, { knob, costScale: options.costScale });
      cost[k] += table.cost[base + index];
      quality[k] += table.quality[base + index];
    });
  }
  return knobs.map((knob, k) => ({ knob, cost: cost[k] / table.count, quality: quality[k] / table.count }));
}

/** Each model's mean cost and quality over the table. */
export function singleModelPoints(table: SweepTable): (CostQualityPoint & { model: string })[] {
  const width = table.models.length;
  return table.models.map((model, j) => {
    let cost = 0;
    let quality = 0;
    for (let row = 0; row < table.count; row++) {
      cost += table.cost[row * width + j];
      quality += table.quality[row * width + j];
    }
    return { model, cost: cost / table.count, quality: quality / table.count };
  });
}

/**
 * The non-decreasing upper convex hull of `points`, by rising cost: from the cheapest point (the
 * best one at that cost) up to the best point, each vertex above the chord of its neighbours.
 */
export function upperHull(points: readonly CostQualityPoint[]): CostQualityPoint[] {
  const finite = points.filter((p) => Number.isFinite(p.cost) && Number.isFinite(p.quality));
  const sorted = [...finite].sort((a, b) => a.cost - b.cost || b.quality - a.quality);
  const hull: CostQualityPoint[] = [];
  for (const point of sorted) {
    if (hull.length > 0 && point.quality <= hull[hull.length - 1].quality) continue;
    while (hull.length >= 2) {
      const [a, b] = [hull[hull.length - 2], hull[hull.length - 1]];
      // b is not above the chord a -> point: drop it.
      if ((b.quality - a.quality) * (point.cost - a.cost) <= (point.quality - a.quality) * (b.cost - a.cost)) hull.pop();
      else break;
    }
    hull.push(point);
  }
  return hull;
}

/** The hull's quality at `cost` (linear between vertices, flat past the last, NaN before the first). */
export function hullQualityAt(hull: readonly CostQualityPoint[], cost: number): number {
  if (hull.length === 0 || cost < hull[0].cost - 1e-15) return Number.NaN;
  for (let i = 1; i < hull.length; i++) {
    const [a, b] = [hull[i - 1], hull[i]];
    if (cost <= b.cost) return b.cost === a.cost ? b.quality : a.quality + ((b.quality - a.quality) * (cost - a.cost)) / (b.cost - a.cost);
  }
  return hull[hull.length - 1].quality;
}

/** A cost range and the quality that stands for "not reachable" in it. */
export interface CostRange {
  low: number;
  high: number;
  /** Quality counted where a curve is not defined (below its cheapest point). */
  floor: number;
}

/** The range of a table's single models: cheapest to dearest, floored at the worst model's quality. */
export function singleModelRange(singles: readonly CostQualityPoint[]): CostRange {
  return {
    low: Math.min(...singles.map((p) => p.cost)),
    high: Math.max(...singles.map((p) => p.cost)),
    floor: Math.min(...singles.map((p) => p.quality)),
  };
}

const GRID = 2000;

function sampled(hull: readonly CostQualityPoint[], range: CostRange): Float64Array {
  const values = new Float64Array(GRID + 1);
  for (let i = 0; i <= GRID; i++) {
    const value = hullQualityAt(hull, range.low + ((range.high - range.low) * i) / GRID);
    values[i] = Number.isNaN(value) ? range.floor : value;
  }
  return values;
}

/** AIQ: the mean of the hull's quality over the range (trapezoids on a 2,000-step grid). */
export function areaMeasure(hull: readonly CostQualityPoint[], range: CostRange): number {
  const values = sampled(hull, range);
  if (!(range.high > range.low)) return values[0];
  let sum = 0;
  for (let i = 1; i <= GRID; i++) sum += (values[i - 1] + values[i]) / 2;
  return sum / GRID;
}

/** Share of the cost range (grid points) where hull `a` lies strictly above hull `b` (by more than `margin`). */
export function shareAbove(a: readonly CostQualityPoint[], b: readonly CostQualityPoint[], range: CostRange, margin = 1e-9): number {
  const [va, vb] = [sampled(a, range), sampled(b, range)];
  let above = 0;
  for (let i = 0; i <= GRID; i++) if (va[i] > vb[i] + margin) above++;
  return above / (GRID + 1);
}
