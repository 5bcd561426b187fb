/**
 * The open-ended validation set and its folds (docs/experiments.md, section 11): the arenabench
 * prompts graded for both benchmark models, folds by prompt, and the out-of-fold scores of a ridge
 * head fitted on the other folds. Shared by scripts/experiments/open-ended.ts (the selection) and
 * scripts/results.ts (the results page's open-ended column).
 */
import path from 'node:path';
import { readScoreRows, type ScoreRow } from '../../src/data/index.js';
import { midranks, ridgeTarget } from '../../src/routers/ridge/train.js';
import type { RidgeTarget } from '../../src/routers/ridge/weights.js';
import { createRng, shuffled } from '../../src/train/random.js';
import { defaultDataDir } from '../../src/weights-format/paths.js';
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
  benchmark: ScoredRows;
}

export async function loadOpenEnded(dataDir = defaultDataDir()): Promise<OpenEndedSet> {
  const rows = (await readScoreRows(path.join(dataDir, 'train', 'arenabench-scores.jsonl'))).filter(hasPair);
  const prompts = rows.map((row) => row.prompt);
  return { rows, prompts, embeddings: await embedAll(prompts), benchmark: pairBenchmark(rows) };
}

export const apgrOn = (on: ScoredRows, scores: ArrayLike<number>) => evaluateScores(on, scores).apgr ?? Number.NaN;
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

/** Out-of-fold raw scores of a head for one fold assignment, and the APGR of each fold alone. */
export function outOfFold(set: OpenEndedSet, candidate: HeadCandidate, folds: number[]): { scores: Float64Array; perFold: number[] } {
  const x = featuresOf(set, candidate.textFeatures);
  const scores = new Float64Array(set.rows.length);
  const perFold: number[] = [];
  for (let fold = 0; fold < FOLDS; fold++) {
    const train = set.rows.flatMap((row, i) => (folds[i] === fold ? [] : [{ i, y: ridgeTarget(candidate.target, row, STRONG, WEAK)! }]));
    const targets = train.map(({ y }) => y);
    const beta = ridge(train.map(({ i }) => x[i]), candidate.rankTargets ? midranks(targets) : targets, train.map(() => 1), candidate.lambda);
    const held = set.rows.flatMap((_, i) => (folds[i] === fold ? [i] : []));
    const predicted = predict(beta, held.map((i) => x[i]));
    held.forEach((i, k) => (scores[i] = predicted[k]));
    perFold.push(apgrOn(pairBenchmark(held.map((i) => set.rows[i])), predicted));
  }
  return { scores, perFold };
}

/** Standard deviation of APGR over `draws` bootstrap resamples of the prompts (seeded). */
export function bootstrapSd(set: OpenEndedSet, scores: ArrayLike<number>, draws = 200): number {
  const rng = createRng(7);
  const values = Array.from({ length: draws }, () => {
    const picked = set.rows.map(() => Math.floor(rng() * set.rows.length));
    return apgrOn(pairBenchmark(picked.map((i) => set.rows[i])), picked.map((i) => scores[i]));
  });
  return sd(values);
}
