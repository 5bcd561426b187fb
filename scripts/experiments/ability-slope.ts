/**
 * Routing-quality experiment: a cross-source "who gains from a better model" label. For every
 * training row, the slope of its per-model results against the models' ability (their rank by
 * mean result within the row's source, scaled to [0, 1]): positive where the better models
 * succeed and the worse ones fail, zero where all agree. Unlike the exact-pair gap it labels all
 * ~14.8k rows, not only the ~2.9k with both benchmark models. Fitted by ridge on use-lite
 * embeddings (+ text features), chosen on the same validation split as quality.ts, plus a proxy
 * pair on the held-out nvidia9-test file. Run: `npx tsx scripts/experiments/ability-slope.ts`.
 */
import type { ScoreRow } from '../../src/data/index.js';
import { difficulty, embedAll, evaluateScores, hasPair, loadArenaValidation, loadExperiment, pairBenchmark, pairGap, weakFails } from './features.js';
import { DIM, featureVector, predict, rankNormalize, ridge } from './ridge.js';

/** A source's family: its file name without the _train / _test suffix. */
const family = (source: string) => source.replace(/[-_](train|test)$/, '');

/** Each model's ability within each source family: its rank by mean result, scaled to [0, 1]. */
function abilities(rows: readonly ScoreRow[]): Map<string, Map<string, number>> {
  const sums = new Map<string, Map<string, [number, number]>>();
  for (const row of rows) {
    const bySource = sums.get(family(row.source)) ?? new Map<string, [number, number]>();
    sums.set(family(row.source), bySource);
    for (const [model, score] of Object.entries(row.scores)) {
      const cell = bySource.get(model) ?? [0, 0];
      cell[0] += score;
      cell[1] += 1;
      bySource.set(model, cell);
    }
  }
  const out = new Map<string, Map<string, number>>();
  for (const [source, byModel] of sums) {
    const ranked = [...byModel].sort((a, b) => a[1][0] / a[1][1] - b[1][0] / b[1][1]);
    out.set(source, new Map(ranked.map(([model], rank) => [model, rank / Math.max(1, ranked.length - 1)])));
  }
  return out;
}

/** Least-squares slope of a row's results against its models' abilities (0 when fewer than 2 models). */
function slope(row: ScoreRow, ability: Map<string, number>): number | undefined {
  const points = Object.entries(row.scores).flatMap(([model, score]) => (ability.has(model) ? [[ability.get(model)!, score] as const] : []));
  if (points.length < 2) return undefined;
  const meanA = points.reduce((s, [a]) => s + a, 0) / points.length;
  const meanS = points.reduce((s, [, v]) => s + v, 0) / points.length;
  let cov = 0;
  let varA = 0;
  for (const [a, v] of points) {
    cov += (a - meanA) * (v - meanS);
    varA += (a - meanA) ** 2;
  }
  return varA > 0 ? cov / varA : undefined;
}

async function main() {
  const { training, benchmarks, trainEmbeddings, benchEmbeddings, isValidation } = await loadExperiment();

  const validationBenchmark = pairBenchmark(training.filter((_, i) => isValidation[i]));
  // A proxy pair on open-ended and maths prompts: nvidia9-test, the best model of nvidia9 against
  // its Mistral-7B. Held out of training as well.
  const isProxy = training.map((row) => row.source === 'nvidia9-test');
  const proxyBenchmark = { rows: training.filter((_, i) => isProxy[i]), strongModel: 'llama-3.1-nemotron-51b-instruct', weakModel: 'mistral-7b-instruct-v0.3' };
  const arena = await loadArenaValidation();
  const arenaEmbeddings = await embedAll(arena.rows.map((row) => row.prompt));
  const ability = abilities(training.filter((_, i) => !isValidation[i] && !isProxy[i]));
  console.log(`validation ${validationBenchmark.rows.length} rows, proxy ${proxyBenchmark.rows.length}, arena ${arena.rows.length}`);

  const rowSlope = (row: ScoreRow) => slope(row, ability.get(family(row.source)) ?? new Map());
  const targets: Record<string, (row: ScoreRow) => number | undefined> = {
    slope: rowSlope,
    'slope, no exact-pair sources': (row) => (hasPair(row) ? undefined : rowSlope(row)),
    'pair gap, else slope': (row) => pairGap(row) ?? rowSlope(row),
    'pair gap + slope': (row) => (pairGap(row) ?? 0) + (rowSlope(row) ?? 0),
    // quality.ts's open-ended signals, for their proxy column.
    difficulty,
    'weak fails': weakFails,
  };
  // Optional argument: a comma-separated subset of the targets.
  const only = process.argv[2]?.split(',');
  for (const name of Object.keys(targets)) if (only && !only.includes(name)) delete targets[name];

  const features = new Map<string, Float64Array[]>();
  const cached = (key: string, make: () => Float64Array[]) => features.get(key) ?? features.set(key, make()).get(key)!;
  for (const [name, target] of Object.entries(targets)) {
    for (const useText of [false, true]) {
      const all = cached(`train:${useText}`, () => training.map((row, i) => featureVector(trainEmbeddings, i * DIM, row.prompt, useText)));
      const xs: Float64Array[] = [];
      const ys: number[] = [];
      training.forEach((row, i) => {
        const y = isValidation[i] || isProxy[i] ? undefined : target(row);
        if (y === undefined) return;
        xs.push(all[i]);
        ys.push(y);
      });
      for (const lambda of [1, 10, 100]) {
        const beta = ridge(xs, ys, new Array(xs.length).fill(1), lambda);
        const score = (rows: Float64Array[]) => rankNormalize(predict(beta, rows));
        const cells = [
          `${name}${useText ? ' +text' : ''} λ=${lambda} (n=${xs.length})`,
          `val ${evaluateScores(validationBenchmark, score(all.filter((_, i) => isValidation[i]))).apgr?.toFixed(3)}`,
          `proxy ${evaluateScores(proxyBenchmark, score(all.filter((_, i) => isProxy[i]))).apgr?.toFixed(3)}`,
          `arena ${evaluateScores(arena, score(cached(`arena:${useText}`, () => arena.rows.map((row, i) => featureVector(arenaEmbeddings, i * DIM, row.prompt, useText))))).apgr?.toFixed(3)}`,
        ];
        for (const [bench, benchmark] of Object.entries(benchmarks)) {
          const rows = cached(`${bench}:${useText}`, () => benchmark.rows.map((row, i) => featureVector(benchEmbeddings[bench], i * DIM, row.prompt, useText)));
          const metrics = evaluateScores(benchmark, score(rows));
          cells.push(`${bench} ${metrics.apgr?.toFixed(3)} / ${metrics.cpt50?.toFixed(1)}%`);
        }
        console.log(cells.join(' | '));
      }
    }
  }
}

await main();
