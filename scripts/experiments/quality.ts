/**
 * Routing-quality experiments (issue: beat the paper's best router). Fits simple scorers on
 * use-lite embeddings and text features, chooses on a validation split carved from the training
 * data (RouterBench test files + a held-out fifth of the exact-pair rows), and prints the
 * benchmark numbers for the log. Run: `npx tsx scripts/experiments/quality.ts`.
 */
import type { ScoreRow } from '../../src/data/index.js';
import { difficulty, embedAll, evaluateScores, loadArenaValidation, loadExperiment, pairBenchmark, pairGap, weakFails } from './features.js';
import { DIM, featureVector, predict, rankNormalize, ridge } from './ridge.js';

async function main() {
  const { training, benchmarks, trainEmbeddings, benchEmbeddings, isValidation } = await loadExperiment();

  const validationRows = training.filter((_, i) => isValidation[i]);
  const validationBenchmark = pairBenchmark(validationRows);
  console.log(`validation rows (exact pair, held out): ${validationRows.length}`);
  // A second, open-ended validation set: Arena battles between models of different sw_ranking
  // tiers (none of the variants trains on Arena), the better-tier model as "strong".
  const arena = await loadArenaValidation();
  const arenaEmbeddings = await embedAll(arena.rows.map((row) => row.prompt));
  console.log(`arena validation battles (models of different tiers): ${arena.rows.length}`);

  const variants: { name: string; target: (row: ScoreRow) => number | undefined; useText: boolean; lambda: number }[] = [];
  for (const lambda of [1, 10, 100]) {
    for (const useText of [false, true]) {
      variants.push({ name: `pair-gap λ=${lambda}${useText ? ' +text' : ''}`, target: pairGap, useText, lambda });
      variants.push({ name: `difficulty(all) λ=${lambda}${useText ? ' +text' : ''}`, target: difficulty, useText, lambda });
      variants.push({ name: `gap-or-difficulty λ=${lambda}${useText ? ' +text' : ''}`, target: (row) => pairGap(row) ?? difficulty(row), useText, lambda });
      variants.push({ name: `weak-fails λ=${lambda}${useText ? ' +text' : ''}`, target: weakFails, useText, lambda });
    }
  }

  const results: string[] = [];
  const cacheFeatures = new Map<boolean, Float64Array[]>();
  const benchFeatures = new Map<string, Float64Array[]>();
  for (const variant of variants) {
    if (!cacheFeatures.has(variant.useText)) {
      cacheFeatures.set(variant.useText, training.map((row, i) => featureVector(trainEmbeddings, i * DIM, row.prompt, variant.useText)));
    }
    const all = cacheFeatures.get(variant.useText)!;
    const xs: Float64Array[] = [];
    const ys: number[] = [];
    const ws: number[] = [];
    training.forEach((row, i) => {
      if (isValidation[i]) return;
      const y = variant.target(row);
      if (y === undefined) return;
      xs.push(all[i]);
      ys.push(y);
      ws.push(1);
    });
    const beta = ridge(xs, ys, ws, variant.lambda);
    const validationScores = rankNormalize(predict(beta, training.map((_, i) => all[i]).filter((_, i) => isValidation[i])));
    const validation = evaluateScores(validationBenchmark, validationScores);
    const arenaMetrics = evaluateScores(arena, rankNormalize(predict(beta, arena.rows.map((row, i) => featureVector(arenaEmbeddings, i * DIM, row.prompt, variant.useText)))));
    const cells = [`${variant.name} (n=${xs.length})`, `val ${validation.apgr?.toFixed(3)}`, `arena ${arenaMetrics.apgr?.toFixed(3)}`];
    for (const [name, benchmark] of Object.entries(benchmarks)) {
      const key = `${name}:${variant.useText}`;
      if (!benchFeatures.has(key)) {
        benchFeatures.set(key, benchmark.rows.map((row, i) => featureVector(benchEmbeddings[name], i * DIM, row.prompt, variant.useText)));
      }
      const metrics = evaluateScores(benchmark, rankNormalize(predict(beta, benchFeatures.get(key)!)));
      cells.push(`${name} ${metrics.apgr?.toFixed(3)} / ${metrics.cpt50?.toFixed(1)}%`);
    }
    const line = cells.join(' | ');
    results.push(line);
    console.log(line);
  }
}

await main();
