/**
 * kNN experiments: the score of a prompt is the similarity-weighted mean target of its k nearest
 * training prompts (use-lite cosine). Targets: the exact-pair gap, the weak model's failure, and
 * difficulty normalised within each source. Run: `npx tsx scripts/experiments/knn.ts`.
 */
import type { ScoreRow } from '../../src/data/index.js';
import { VectorIndex } from '../../src/core/ops.js';
import { createRng } from '../../src/train/random.js';
import { difficulty, embedAll, evaluateScores, hasPair, loadBenchmarks, loadTraining, pairBenchmark, STRONG, WEAK } from './features.js';

const DIM = 512;

function sourceNormalizedDifficulty(rows: ScoreRow[]): (number | undefined)[] {
  const difficulties = rows.map((row) => difficulty(row) ?? Number.NaN);
  const stats = new Map<string, { sum: number; sq: number; n: number }>();
  rows.forEach((row, i) => {
    const s = stats.get(row.source) ?? { sum: 0, sq: 0, n: 0 };
    s.sum += difficulties[i];
    s.sq += difficulties[i] ** 2;
    s.n++;
    stats.set(row.source, s);
  });
  return rows.map((row, i) => {
    const s = stats.get(row.source)!;
    const mean = s.sum / s.n;
    const sd = Math.sqrt(Math.max(1e-9, s.sq / s.n - mean * mean));
    return (difficulties[i] - mean) / sd;
  });
}

async function main() {
  const training = await loadTraining();
  const benchmarks = await loadBenchmarks();
  const trainEmbeddings = await embedAll(training.map((row) => row.prompt));
  const rng = createRng(17);
  const isValidation = training.map((row) => hasPair(row) && (row.source.endsWith('_test') || rng() < 0.2));
  const validationRows = training.filter((_, i) => isValidation[i]);
  const validationBenchmark = pairBenchmark(validationRows);
  const validationEmbeddings = new Float32Array(validationRows.length * DIM);
  let v = 0;
  training.forEach((_, i) => {
    if (isValidation[i]) validationEmbeddings.set(trainEmbeddings.subarray(i * DIM, (i + 1) * DIM), (v++) * DIM);
  });

  const normalized = sourceNormalizedDifficulty(training);
  const targets: Record<string, (number | undefined)[]> = {
    'pair-gap': training.map((row) => (hasPair(row) ? row.scores[STRONG] - row.scores[WEAK] : undefined)),
    'weak-fails': training.map((row) => (row.scores[WEAK] !== undefined ? 1 - row.scores[WEAK] : undefined)),
    'difficulty/source': normalized,
    'gap, else difficulty/source': training.map((row, i) => (hasPair(row) ? 2 * (row.scores[STRONG] - row.scores[WEAK]) : normalized[i])),
  };

  const benchEmbeddings: Record<string, Float32Array> = {};
  for (const [name, benchmark] of Object.entries(benchmarks)) benchEmbeddings[name] = await embedAll(benchmark.rows.map((r) => r.prompt));

  for (const [targetName, values] of Object.entries(targets)) {
    const keep = training.map((_, i) => !isValidation[i] && values[i] !== undefined);
    const count = keep.filter(Boolean).length;
    const vectors = new Float32Array(count * DIM);
    const y: number[] = [];
    let c = 0;
    training.forEach((_, i) => {
      if (!keep[i]) return;
      vectors.set(trainEmbeddings.subarray(i * DIM, (i + 1) * DIM), (c++) * DIM);
      y.push(values[i]!);
    });
    const index = await VectorIndex.create(vectors, count, DIM);
    const score = async (queries: Float32Array, n: number, k: number, power: number) => {
      const out = new Float64Array(n);
      for (let start = 0; start < n; start += 256) {
        const m = Math.min(256, n - start);
        const sims = await index.similarities(queries.subarray(start * DIM, (start + m) * DIM), m);
        for (let q = 0; q < m; q++) {
          const row = sims.subarray(q * count, (q + 1) * count);
          const order = Array.from(row.keys()).sort((a, b) => row[b] - row[a]).slice(0, k);
          let num = 0;
          let den = 0;
          for (const j of order) {
            const w = Math.exp(power * row[j]);
            num += w * y[j];
            den += w;
          }
          out[start + q] = num / den;
        }
      }
      return out;
    };
    for (const k of [10, 50, 200]) {
      for (const power of [0, 10]) {
        const cells = [`${targetName} k=${k} p=${power} (n=${count})`];
        const val = evaluateScores(validationBenchmark, await score(validationEmbeddings, validationRows.length, k, power));
        cells.push(`val ${val.apgr?.toFixed(3)}`);
        for (const [name, benchmark] of Object.entries(benchmarks)) {
          const m = evaluateScores(benchmark, await score(benchEmbeddings[name], benchmark.rows.length, k, power));
          cells.push(`${name} ${m.apgr?.toFixed(3)} / ${m.cpt50?.toFixed(1)}%`);
        }
        console.log(cells.join(' | '));
      }
    }
    index.dispose();
  }
}

await main();
