/**
 * The open-ended validation set and its folds (docs/experiments.md, section 11): the arenabench
 * prompts graded for both benchmark models, folds by prompt, and the out-of-fold scores of a ridge
 * head fitted on the other folds, alone or inside the whole gated router (section 15). Shared by
 * scripts/experiments/open-ended.ts (the selection) and scripts/results.ts (the results page's
 * open-ended column).
 */
import path from 'node:path';
import { readScoreRows, type ScoreRow } from '../../src/data/index.js';
import { preferenceOf } from '../../src/eval/benchmarks.js';
import { randomNoiseFloor, type NoiseFloor } from '../../src/eval/noise-floor.js';
import { promptKind } from '../../src/routers/ridge/features.js';
import { midranks, ridgeTarget } from '../../src/routers/ridge/train.js';
import { headColumn, quantileOf, readRidgeWeights, sampleQuantiles, type RidgeParameters, type RidgeTarget } from '../../src/routers/ridge/weights.js';
import { createRng, shuffled } from '../../src/train/random.js';
import { defaultDataDir, shippedWeightsDir } from '../../src/weights-format/paths.js';
import { OPEN_SOURCES, ridgeTableFiles } from '../ridge-recipe.js';
import { embedAll, evaluateScores, hasPair, pairBenchmark, STRONG, WEAK, type ScoredRows } from './features.js';
import { DIM, featureVector, predict, ridge } from './ridge.js';

export const FOLDS = 10;

/** A ridge head's settings, as `trainRidge` takes them. */
export interface HeadCandidate {
  target: RidgeTarget;
  textFeatures: boolean;
  lambda: number;
  /** Fit the targets' midranks among the training folds' rows (absent: the values). */
  rankTargets?: boolean;
}

/** The arenabench rows with both benchmark models graded, their embeddings, and APGR on them. */
export interface OpenEndedSet {
  rows: ScoreRow[];
  prompts: string[];
  embeddings: Float32Array;
  /** The pair's grades. */
  benchmark: ScoredRows;
  /** The same prompts as a pairwise judge sees them: the higher-graded answer wins (1, 0), a tie is (0.5, 0.5). */
  pairwise: ScoredRows;
}

/** Rows with the pair's scores replaced by their pairwise outcome (`preferenceOf`). */
export function pairwiseRows(rows: readonly ScoreRow[]): ScoreRow[] {
  return rows.map((row) => {
    const strong = preferenceOf(row.scores[STRONG], row.scores[WEAK]);
    return { ...row, scores: { [STRONG]: strong, [WEAK]: 1 - strong } };
  });
}

export async function loadOpenEnded(dataDir = defaultDataDir()): Promise<OpenEndedSet> {
  const rows = (await readScoreRows(path.join(dataDir, 'train', 'arenabench-scores.jsonl'))).filter(hasPair);
  const prompts = rows.map((row) => row.prompt);
  return { rows, prompts, embeddings: await embedAll(prompts), benchmark: pairBenchmark(rows), pairwise: pairBenchmark(pairwiseRows(rows)) };
}

export const apgrOn = (on: ScoredRows, scores: ArrayLike<number>) => evaluateScores(on, scores).apgr ?? Number.NaN;
/** Random's APGR mean and spread on `on` (the benchmark pair's rows). */
export const noiseFloorOn = (on: ScoredRows): NoiseFloor => randomNoiseFloor(on.rows.map((row) => row.scores[STRONG]), on.rows.map((row) => row.scores[WEAK]))!;
export const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
export const sd = (values: number[]) => Math.sqrt(mean(values.map((v) => (v - mean(values)) ** 2)));

/** Fold of each prompt for a repeat: a seeded shuffle dealt round-robin (folds differ by at most one prompt). */
export function foldsFor(count: number, repeat: number): number[] {
  const folds = new Array<number>(count);
  shuffled(Array.from({ length: count }, (_, i) => i), createRng(100 + repeat)).forEach((index, position) => (folds[index] = position % FOLDS));
  return folds;
}

const featureCache = new WeakMap<OpenEndedSet, Map<boolean, Float64Array[]>>();
function featuresOf(set: OpenEndedSet, text: boolean): Float64Array[] {
  const byText = featureCache.get(set) ?? featureCache.set(set, new Map()).get(set)!;
  return byText.get(text) ?? byText.set(text, set.prompts.map((prompt, i) => featureVector(set.embeddings, i * DIM, prompt, text))).get(text)!;
}

/** A head fitted on the rows of `set` at `train` (indices). */
function fitHead(set: OpenEndedSet, candidate: HeadCandidate, train: readonly number[]): Float64Array {
  const x = featuresOf(set, candidate.textFeatures);
  const targets = train.map((i) => ridgeTarget(candidate.target, set.rows[i], STRONG, WEAK)!);
  return ridge(train.map((i) => x[i]), candidate.rankTargets ? midranks(targets) : targets, train.map(() => 1), candidate.lambda);
}

/** Pools a fold-by-fold scorer into out-of-fold scores, with the APGR of each fold alone. */
function poolFolds(set: OpenEndedSet, folds: number[], scoreFold: (train: number[], held: number[]) => ArrayLike<number>): { scores: Float64Array; perFold: number[] } {
  const scores = new Float64Array(set.rows.length);
  const perFold: number[] = [];
  for (let fold = 0; fold < FOLDS; fold++) {
    const train = set.rows.flatMap((_, i) => (folds[i] === fold ? [] : [i]));
    const held = set.rows.flatMap((_, i) => (folds[i] === fold ? [i] : []));
    const predicted = scoreFold(train, held);
    held.forEach((i, k) => (scores[i] = predicted[k]));
    perFold.push(apgrOn(pairBenchmark(held.map((i) => set.rows[i])), predicted));
  }
  return { scores, perFold };
}

/** Out-of-fold raw scores of a head for one fold assignment, and the APGR of each fold alone. */
export function outOfFold(set: OpenEndedSet, candidate: HeadCandidate, folds: number[]): { scores: Float64Array; perFold: number[] } {
  const x = featuresOf(set, candidate.textFeatures);
  return poolFolds(set, folds, (train, held) => predict(fitHead(set, candidate, train), held.map((i) => x[i])));
}

/**
 * The rest of a ridge router around a refitted open head: its weights (the other heads and their
 * quantile maps) and the training prompts of the recipe's other tables, for the open head's map.
 */
export interface GatedRouter {
  parameters: RidgeParameters;
  /** Prompts of the recipe's tables other than the open head's (decontamination not applied). */
  reference: { prompts: string[]; embeddings: Float32Array };
}

export async function loadGatedRouter(dataDir = defaultDataDir(), weightsDir = shippedWeightsDir('ridge')): Promise<GatedRouter> {
  const { parameters } = await readRidgeWeights(weightsDir);
  const prompts = new Set<string>();
  for (const file of ridgeTableFiles(dataDir, OPEN_SOURCES)) {
    for (const row of await readScoreRows(file)) prompts.add(row.prompt);
  }
  const list = [...prompts];
  return { parameters, reference: { prompts: list, embeddings: await embedAll(list) } };
}

/**
 * Out-of-fold scores of the whole gated router (docs/experiments.md, section 15): each prompt goes
 * to the head of its kind, as `RidgeRouter` does. The open head is refitted on the other nine folds
 * (`candidate`), and its quantile map is rebuilt from its raw scores on the open-kind prompts of the
 * other tables and of those folds; the multiple-choice and maths heads, never fitted on
 * arenabench, are the weights' own, with their own maps.
 */
export function gatedOutOfFold(set: OpenEndedSet, router: GatedRouter, candidate: HeadCandidate, folds: number[]): { scores: Float64Array; perFold: number[] } {
  const { parameters } = router;
  const open = headColumn('open', parameters.headCount);
  const columnOf = (prompt: string) => headColumn(promptKind(prompt), parameters.headCount);
  const x = featuresOf(set, candidate.textFeatures);
  const full = featuresOf(set, true);
  const reference = router.reference.prompts.flatMap((prompt, i) => (columnOf(prompt) === open ? [featureVector(router.reference.embeddings, i * DIM, prompt, candidate.textFeatures)] : []));
  const count = parameters.quantileCount;
  return poolFolds(set, folds, (train, held) => {
    const beta = fitHead(set, candidate, train);
    const ownReference = train.filter((i) => columnOf(set.prompts[i]) === open).map((i) => x[i]);
    const map = sampleQuantiles(predict(beta, [...reference, ...ownReference]), count);
    return held.map((i) => {
      const column = columnOf(set.prompts[i]);
      if (column === open) return quantileOf(predict(beta, [x[i]])[0], map, 0, count);
      const raw = full[i].reduce((sum, value, j) => sum + value * parameters.heads[j * parameters.headCount + column], 0);
      return quantileOf(raw, parameters.quantiles, column * count, count);
    });
  });
}

/** Standard deviation of APGR (on the grades, or on `on`) over `draws` bootstrap resamples of the prompts (seeded). */
export function bootstrapSd(set: OpenEndedSet, scores: ArrayLike<number>, on: ScoredRows = set.benchmark, draws = 200): number {
  const rng = createRng(7);
  const values = Array.from({ length: draws }, () => {
    const picked = on.rows.map(() => Math.floor(rng() * on.rows.length));
    return apgrOn(pairBenchmark(picked.map((i) => on.rows[i])), picked.map((i) => scores[i]));
  });
  return sd(values);
}
