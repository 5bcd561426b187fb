/**
 * Routing-quality experiments (issue: beat the paper's best router). Fits simple scorers on
 * use-lite embeddings and text features, chooses on a validation split carved from the training
 * data (RouterBench test files + a held-out fifth of the exact-pair rows), and prints the
 * benchmark numbers for the log. Run: `npx tsx scripts/experiments/quality.ts`.
 */
import type { ScoreRow } from '../../src/data/index.js';
import { createRng } from '../../src/train/random.js';
import { difficulty, embedAll, evaluateScores, hasPair, loadArenaValidation, loadBenchmarks, loadTraining, pairBenchmark, STRONG, textFeatures, WEAK } from './features.js';

const DIM = 512;

function ridge(features: Float64Array[], targets: number[], weights: number[], lambda: number): Float64Array {
  const p = features[0].length;
  const a = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let n = 0; n < features.length; n++) {
    const x = features[n];
    const w = weights[n];
    for (let i = 0; i < p; i++) {
      const xi = x[i] * w;
      if (xi === 0) continue;
      b[i] += xi * targets[n];
      for (let j = i; j < p; j++) a[i * p + j] += xi * x[j];
    }
  }
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < i; j++) a[i * p + j] = a[j * p + i];
    a[i * p + i] += lambda;
  }
  // Cholesky solve.
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * p + j];
      for (let k = 0; k < j; k++) sum -= l[i * p + k] * l[j * p + k];
      l[i * p + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j * p + j];
    }
  }
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * p + k] * y[k];
    y[i] = sum / l[i * p + i];
  }
  const beta = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < p; k++) sum -= l[k * p + i] * beta[k];
    beta[i] = sum / l[i * p + i];
  }
  return beta;
}

function predict(beta: Float64Array, features: Float64Array[]): Float64Array {
  return Float64Array.from(features, (x) => x.reduce((sum, v, i) => sum + v * beta[i], 0));
}

function featureVector(embedding: Float32Array, offset: number, prompt: string, useText: boolean): Float64Array {
  const extra = useText ? textFeatures(prompt) : [];
  const out = new Float64Array(DIM + extra.length + 1);
  for (let j = 0; j < DIM; j++) out[j] = embedding[offset + j];
  extra.forEach((v, i) => (out[DIM + i] = v));
  out[out.length - 1] = 1;
  return out;
}

function rankNormalize(values: ArrayLike<number>): Float64Array {
  const order = Array.from(values, (v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Float64Array(values.length);
  order.forEach(([, i], rank) => (out[i] = rank / Math.max(1, values.length - 1)));
  return out;
}

async function main() {
  const training = await loadTraining();
  const benchmarks = await loadBenchmarks();
  const trainEmbeddings = await embedAll(training.map((row) => row.prompt));
  const benchEmbeddings: Record<string, Float32Array> = {};
  for (const [name, benchmark] of Object.entries(benchmarks)) benchEmbeddings[name] = await embedAll(benchmark.rows.map((r) => r.prompt));

  // Validation: RouterBench *_test rows and a fifth of the other exact-pair rows (by prompt hash).
  const rng = createRng(17);
  const isValidation = training.map((row) => hasPair(row) && (row.source.endsWith('_test') || rng() < 0.2));
  const validationRows = training.filter((_, i) => isValidation[i]);
  const validationBenchmark = pairBenchmark(validationRows);
  console.log(`validation rows (exact pair, held out): ${validationRows.length}`);
  // A second, open-ended validation set: Arena battles between models of different sw_ranking
  // tiers (none of the variants trains on Arena), the better-tier model as "strong".
  const arena = await loadArenaValidation();
  const arenaEmbeddings = await embedAll(arena.rows.map((row) => row.prompt));
  console.log(`arena validation battles (models of different tiers): ${arena.rows.length}`);

  const variants: { name: string; target: (row: ScoreRow) => number | undefined; useText: boolean; lambda: number }[] = [];
  const pairGap = (row: ScoreRow) => (hasPair(row) ? row.scores[STRONG] - row.scores[WEAK] : undefined);
  const weakFails = (row: ScoreRow) => (row.scores[WEAK] !== undefined ? 1 - row.scores[WEAK] : undefined);
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
