/**
 * Selection of the ridge router's open head on open-ended validation (docs/experiments.md,
 * section 11): out-of-fold APGR on the arenabench prompts graded for both benchmark models.
 * Folds are by prompt (10 folds, 3 seeded repeats); a candidate is fitted on the other nine folds
 * of arenabench only, and its scores on the held-out fold are pooled into one out-of-fold score
 * per prompt. The arenabench human battles are not read here (the ridge heads do not train on
 * battles), so no battle can cross folds.
 *
 *   npx tsx scripts/experiments/open-ended.ts
 *
 * Prints one line per candidate (target x text features x lambda): mean out-of-fold APGR over
 * the repeats, its spread over the repeats, and the spread of the ten per-fold APGRs; then the
 * shipped router and random (200 draws) on the same prompts, the chosen candidate with a
 * bootstrap standard deviation, and the multi-turn comparison on the MT-Bench second turns.
 */
import path from 'node:path';
import { readScoreRows, type ScoreRow } from '../../src/data/index.js';
import { RidgeRouter } from '../../src/routers/ridge/index.js';
import { isMultipleChoice } from '../../src/routers/ridge/features.js';
import { ridgeTarget } from '../../src/routers/ridge/train.js';
import type { RidgeTarget } from '../../src/routers/ridge/weights.js';
import { createRng, shuffled } from '../../src/train/random.js';
import { defaultDataDir } from '../../src/weights-format/paths.js';
import { embedAll, evaluateScores, hasPair, pairBenchmark, STRONG, WEAK } from './features.js';
import { DIM, featureVector, predict, ridge } from './ridge.js';

const FOLDS = 10;
const REPEATS = 3;
const TARGETS: RidgeTarget[] = ['weak-fails', 'difficulty', 'pair-gap'];
const LAMBDAS = [1, 3, 10, 30, 100];

const rows: ScoreRow[] = (await readScoreRows(path.join(defaultDataDir(), 'train', 'arenabench-scores.jsonl'))).filter(hasPair);
const prompts = rows.map((row) => row.prompt);
const benchmark = pairBenchmark(rows);
const embeddings = await embedAll(prompts);
const apgrOf = (scores: ArrayLike<number>, on = benchmark) => evaluateScores(on, scores).apgr ?? Number.NaN;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const sd = (values: number[]) => Math.sqrt(mean(values.map((v) => (v - mean(values)) ** 2)));
const fixed = (value: number) => value.toFixed(3);

console.log(`arenabench prompts graded for both ${STRONG} and ${WEAK}: ${rows.length} (multiple-choice: ${prompts.filter(isMultipleChoice).length})`);

/** Fold of each prompt for each repeat: a seeded shuffle dealt round-robin, so folds differ by at most one prompt. */
const foldsOf = Array.from({ length: REPEATS }, (_, repeat) => {
  const folds = new Array<number>(rows.length);
  shuffled(rows.map((_, i) => i), createRng(100 + repeat)).forEach((index, position) => (folds[index] = position % FOLDS));
  return folds;
});

interface Candidate {
  target: RidgeTarget;
  textFeatures: boolean;
  lambda: number;
}

const features = new Map<boolean, Float64Array[]>();
const featuresFor = (text: boolean) => features.get(text) ?? features.set(text, prompts.map((prompt, i) => featureVector(embeddings, i * DIM, prompt, text))).get(text)!;

/** Out-of-fold scores of a candidate for one repeat, and the APGR of each fold on its own. */
function outOfFold(candidate: Candidate, folds: number[]): { scores: Float64Array; perFold: number[] } {
  const x = featuresFor(candidate.textFeatures);
  const scores = new Float64Array(rows.length);
  const perFold: number[] = [];
  for (let fold = 0; fold < FOLDS; fold++) {
    const train = rows.flatMap((row, i) => (folds[i] === fold ? [] : [{ i, y: ridgeTarget(candidate.target, row, STRONG, WEAK)! }]));
    const beta = ridge(train.map(({ i }) => x[i]), train.map(({ y }) => y), train.map(() => 1), candidate.lambda);
    const held = rows.flatMap((_, i) => (folds[i] === fold ? [i] : []));
    const predicted = predict(beta, held.map((i) => x[i]));
    held.forEach((i, k) => (scores[i] = predicted[k]));
    perFold.push(apgrOf(predicted, pairBenchmark(held.map((i) => rows[i]))));
  }
  return { scores, perFold };
}

const results: { candidate: Candidate; apgr: number; repeatSd: number; foldSd: number; scores: Float64Array }[] = [];
for (const target of TARGETS) {
  for (const textFeatures of [false, true]) {
    for (const lambda of LAMBDAS) {
      const candidate = { target, textFeatures, lambda };
      const runs = foldsOf.map((folds) => outOfFold(candidate, folds));
      const apgrs = runs.map((run) => apgrOf(run.scores));
      const result = { candidate, apgr: mean(apgrs), repeatSd: sd(apgrs), foldSd: mean(runs.map((run) => sd(run.perFold))), scores: runs[0].scores };
      results.push(result);
      console.log(`${target.padEnd(10)} ${textFeatures ? '+text' : '     '} lambda ${String(lambda).padEnd(4)} out-of-fold APGR ${fixed(result.apgr)} (repeats sd ${fixed(result.repeatSd)}, per-fold sd ${fixed(result.foldSd)})`);
    }
  }
}

const randomApgrs = Array.from({ length: 200 }, (_, draw) => {
  const rng = createRng(1000 + draw);
  return apgrOf(prompts.map(() => rng()));
});
console.log(`random (200 draws): ${fixed(mean(randomApgrs))} ± ${fixed(sd(randomApgrs))}`);

const shipped = await RidgeRouter.create({ embedder: 'use-lite' });
try {
  const scores = await shipped.strongWinRatesFromEmbeddings(embeddings, rows.length, prompts);
  console.log(`shipped ridge router (${JSON.stringify(shipped.heads.open)}): ${fixed(apgrOf(scores))} (not trained on arenabench)`);
} finally {
  await shipped.dispose();
}

const best = results.reduce((a, b) => (b.apgr > a.apgr ? b : a));
const rng = createRng(7);
const bootstrap = Array.from({ length: 200 }, () => {
  const picked = rows.map(() => Math.floor(rng() * rows.length));
  return apgrOf(picked.map((i) => best.scores[i]), pairBenchmark(picked.map((i) => rows[i])));
});
console.log(
  `chosen open head: ${JSON.stringify(best.candidate)}, out-of-fold APGR ${fixed(best.apgr)}; bootstrap sd over prompts ${fixed(sd(bootstrap))}; ` +
    `per-fold sd ${fixed(best.foldSd)}`,
);
