/**
 * Selection of the ridge router's open head on open-ended validation (docs/experiments.md,
 * sections 11 and 13): out-of-fold APGR on the arenabench prompts graded for both benchmark models.
 * Folds are by prompt (10 folds, 3 seeded repeats); a candidate is fitted on the other nine folds
 * of arenabench only, and its scores on the held-out fold are pooled into one out-of-fold score
 * per prompt. The arenabench human battles are not read here (the ridge heads do not train on
 * battles), so no battle can cross folds.
 *
 *   npx tsx scripts/experiments/open-ended.ts
 *
 * Prints one line per candidate (target x values or ranks x text features x lambda): mean out-of-fold APGR over
 * the repeats, its spread over the repeats, and the spread of the ten per-fold APGRs; then random
 * (200 draws) and the shipped weights on the same prompts, and the chosen candidate (highest mean
 * out-of-fold APGR) with a bootstrap standard deviation over prompts.
 */
import { RidgeRouter } from '../../src/routers/ridge/index.js';
import { isMultipleChoice, textFeatures } from '../../src/routers/ridge/features.js';
import type { RidgeTarget } from '../../src/routers/ridge/weights.js';
import { randomNoiseFloor } from '../../src/eval/noise-floor.js';
import { pairBenchmark, STRONG, WEAK } from './features.js';
import { apgrOn, bootstrapSd, foldsFor, loadOpenEnded, mean, outOfFold, sd, type HeadCandidate } from './open-ended-folds.js';

const REPEATS = 3;
const TARGETS: RidgeTarget[] = ['weak-fails', 'difficulty', 'pair-gap'];
const LAMBDAS = [1, 3, 5, 10, 30, 100];

const set = await loadOpenEnded();
const { rows, prompts, embeddings, benchmark } = set;
const apgrOf = (scores: ArrayLike<number>) => apgrOn(benchmark, scores);
const fixed = (value: number) => value.toFixed(3);

console.log(`arenabench prompts graded for both ${STRONG} and ${WEAK}: ${rows.length} (multiple-choice: ${prompts.filter(isMultipleChoice).length})`);
const foldsOf = Array.from({ length: REPEATS }, (_, repeat) => foldsFor(rows.length, repeat));

const results: { candidate: HeadCandidate; apgr: number; repeatSd: number; foldSd: number; scores: Float64Array; draws: Float64Array[] }[] = [];
for (const target of TARGETS) {
  for (const rankTargets of [false, true]) for (const textFeatures of [false, true]) {
    for (const lambda of LAMBDAS) {
      const candidate = { target, rankTargets, textFeatures, lambda };
      const runs = foldsOf.map((folds) => outOfFold(set, candidate, folds));
      const apgrs = runs.map((run) => apgrOf(run.scores));
      const result = { candidate, apgr: mean(apgrs), repeatSd: sd(apgrs), foldSd: mean(runs.map((run) => sd(run.perFold))), scores: runs[0].scores, draws: runs.map((run) => run.scores) };
      results.push(result);
      console.log(`${target.padEnd(10)} ${rankTargets ? 'ranks ' : 'values'} ${textFeatures ? '+text' : '     '} lambda ${String(lambda).padEnd(4)} out-of-fold APGR ${fixed(result.apgr)} (repeats sd ${fixed(result.repeatSd)}, per-fold sd ${fixed(result.foldSd)})`);
    }
  }
}

const noise = randomNoiseFloor(rows.map((row) => row.scores[STRONG]), rows.map((row) => row.scores[WEAK]))!;
console.log(`random (${noise.draws} draws): ${fixed(noise.apgrMean)} ± ${fixed(noise.apgrSd)}`);

const shipped = await RidgeRouter.create({ embedder: 'use-lite' });
try {
  const scores = await shipped.strongWinRatesFromEmbeddings(embeddings, rows.length, prompts);
    // In-sample when the shipped open head was fitted on arenabench: printed to compare, never to choose.
  console.log(`shipped ridge router weights (${JSON.stringify(shipped.heads.open)}): ${fixed(apgrOf(scores))}${shipped.heads.open.sources?.includes('arenabench-scores') ? ' (in-sample)' : ''}`);
} finally {
  await shipped.dispose();
}

const best = results.reduce((a, b) => (b.apgr > a.apgr ? b : a));
console.log(
  `chosen open head: ${JSON.stringify(best.candidate)}, out-of-fold APGR ${fixed(best.apgr)}; bootstrap sd over prompts ${fixed(bootstrapSd(set, best.scores))}; ` +
    `per-fold sd ${fixed(best.foldSd)}`,
);

// Done-means check: the chosen head by kind of prompt (maths: two or more numbers and no code marker; code; the rest), against
// random on that kind alone. A kind where it were below random beyond noise would need another head.
const kindOf = (prompt: string) => {
  const [, , , , code] = textFeatures(prompt);
  if (isMultipleChoice(prompt)) return 'multiple-choice';
  if (code) return 'code';
  return (prompt.match(/\d+(?:[.,]\d+)?/g)?.length ?? 0) >= 2 ? 'maths' : 'other';
};
for (const kind of ['maths', 'code', 'other', 'multiple-choice']) {
  const at = prompts.flatMap((prompt, i) => (kindOf(prompt) === kind ? [i] : []));
  if (at.length < 10) {
    console.log(`kind ${kind}: ${at.length} prompts, too few to measure`);
    continue;
  }
  const on = pairBenchmark(at.map((i) => rows[i]));
  const floor = randomNoiseFloor(at.map((i) => rows[i].scores[STRONG]), at.map((i) => rows[i].scores[WEAK]))!;
  const apgr = mean(best.draws.map((scores) => apgrOn(on, at.map((i) => scores[i]))));
  console.log(`kind ${kind}: ${at.length} prompts, chosen head out-of-fold ${fixed(apgr)}; random ${fixed(floor.apgrMean)} ± ${fixed(floor.apgrSd)}`);
}
