/**
 * sw_ranking speed and memory: the fast path (the similarities, one weighted pass into tier-by-tier
 * counts, Newton on a 10 x 10 system) against the reference path (the original's formulation:
 * per-battle cosine, duplicated battles in a dense design matrix, per-row IRLS to convergence),
 * excluding the query's own embedding.
 *
 *   npx tsx bench/sw-ranking.bench.ts                       # 10k, 50k, 100k battles; wasm and cpu; int8 index
 *   npx tsx bench/sw-ranking.bench.ts --sizes 10000 --backends wasm --storage int8,float32
 *
 * Synthetic data: N battles, each with its own prompt (the worst case: no prompt shared), 512-d
 * random embeddings with some cluster structure, 30 models in 10 tiers, a fifth of battles ties.
 * Each index is written by one child process and measured by another per backend, which loads only
 * the router before reading its resident memory (the reference's copy of the index is loaded after).
 *
 * Storage `int8` (the default of `saveBattleIndex` and of the shipped index): the similarities come
 * from the int8 SIMD kernel of src/core (Int8VectorIndex), which does not use the tensor backend, so
 * the wasm and cpu rows differ only by noise. Storage `float32`: a tfjs matrix product (VectorIndex)
 * on the chosen backend. The reference reads the same embeddings the router holds (dequantised int8
 * codes, or the float32 rows). In brackets: the similarities alone (the same index class over the
 * same rows).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/core/backend.js';
import { Int8VectorIndex } from '../src/core/int8-vector-index.js';
import { VectorIndex, type SimilarityIndex } from '../src/core/ops.js';
import { eloWinProbability } from '../src/routers/bradley-terry.js';
import { computeTiers } from '../src/routers/tiers.js';
import { loadBattleIndex, saveBattleIndex, type BattleIndex } from '../src/routers/sw_ranking/battle-index.js';
import { SwRankingRouter } from '../src/routers/sw_ranking/index.js';
import { referenceEloFit } from '../src/routers/sw_ranking/reference.js';
import { gaussian, mulberry32 } from '../src/train/random.js';

const DIMENSION = 512;
const MODELS = 30;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,50000,100000' },
    backends: { type: 'string', default: 'wasm,cpu' },
    storage: { type: 'string', default: 'int8' },
    child: { type: 'boolean', default: false },
    build: { type: 'boolean', default: false },
    dir: { type: 'string' },
    size: { type: 'string' },
    backend: { type: 'string' },
  },
});

function syntheticIndex(size: number): BattleIndex {
  const random = mulberry32(size);
  const clusters = Array.from({ length: 32 }, () => Float32Array.from({ length: DIMENSION }, () => gaussian(random)));
  const embeddings = new Float32Array(size * DIMENSION);
  for (let p = 0; p < size; p++) {
    const center = clusters[p % clusters.length];
    for (let j = 0; j < DIMENSION; j++) embeddings[p * DIMENSION + j] = center[j] + 1.5 * gaussian(random);
  }
  const strength = Array.from({ length: MODELS }, (_, m) => 3 - (3 * m) / MODELS);
  const battlePrompt = new Uint32Array(size);
  const battleModelA = new Uint32Array(size);
  const battleModelB = new Uint32Array(size);
  const battleWinner = new Uint8Array(size);
  for (let n = 0; n < size; n++) {
    const a = Math.floor(random() * MODELS);
    let b = Math.floor(random() * (MODELS - 1));
    if (b >= a) b++;
    const topicEdge = (n % 32) / 16 - 1;
    const pa = 1 / (1 + Math.pow(10, (strength[b] - strength[a]) * topicEdge));
    battlePrompt[n] = n;
    battleModelA[n] = a;
    battleModelB[n] = b;
    battleWinner[n] = random() < 0.2 ? 2 : random() < pa ? 0 : 1;
  }
  const index: BattleIndex = {
    embedder: { id: 'bench-random', dimension: DIMENSION },
    models: Array.from({ length: MODELS }, (_, m) => `model-${String(m).padStart(2, '0')}`),
    modelRatings: new Float64Array(MODELS),
    modelTiers: new Int32Array(MODELS),
    numTiers: 10,
    promptCount: size,
    promptEmbeddings: embeddings,
    battlePrompt,
    battleModelA,
    battleModelB,
    battleWinner,
    sources: [{ name: 'synthetic', battles: size, prompts: size }],
  };
  const tiers = computeTiers(index, 10);
  index.modelRatings = tiers.ratings;
  index.modelTiers = tiers.tiers;
  return index;
}

/** The original's per-query work, written plainly (float64). */
function referenceScore(index: BattleIndex, tiers: Int32Array, query: Float32Array, strongTier: number, weakTier: number): number {
  const count = index.battleWinner.length;
  const similarities = new Float64Array(count);
  let queryNorm = 0;
  for (let j = 0; j < DIMENSION; j++) queryNorm += query[j] * query[j];
  for (let n = 0; n < count; n++) {
    const row = index.battlePrompt[n] * DIMENSION;
    let dot = 0;
    let norm = 0;
    for (let j = 0; j < DIMENSION; j++) {
      const value = index.promptEmbeddings[row + j];
      dot += value * query[j];
      norm += value * value;
    }
    similarities[n] = dot / Math.sqrt(norm * queryNorm);
  }
  let max = -Infinity;
  for (const s of similarities) max = Math.max(max, s);
  const weights = similarities.map((s) => 10 * Math.pow(10, s / max));
  const battles = Array.from(index.battleWinner, (winner, n) => ({ a: tiers[index.battleModelA[n]], b: tiers[index.battleModelB[n]], winner }));
  const ratings = referenceEloFit(battles, weights, Math.max(...tiers) + 1);
  return eloWinProbability(ratings[strongTier], ratings[weakTier]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Writes the synthetic index of `size` battles to `dir` (its own process, so that the measuring one starts clean). */
async function buildChild(size: number, storage: 'int8' | 'float32', dir: string): Promise<void> {
  await saveBattleIndex(dir, syntheticIndex(size), { embeddings: storage });
}

/** The float32 index on the cpu backend takes ~1 s a query: fewer runs there. */
function isSlowPath(backend: 'wasm' | 'cpu', storage: 'int8' | 'float32'): boolean {
  return backend === 'cpu' && storage === 'float32';
}

async function runChild(size: number, backend: 'wasm' | 'cpu', storage: 'int8' | 'float32', dir: string): Promise<void> {
  await initBackend(backend);
  const random = mulberry32(7);
  const embedder = { id: 'bench-random', dimension: DIMENSION, embed: async () => new Float32Array(0), dispose() {} };
  global.gc?.();
  const before = process.memoryUsage().rss;
  const router = await SwRankingRouter.create({ weightsDir: dir, embedder, strongModel: 'model-02', weakModel: 'model-20' });
  global.gc?.();
  const loaded = process.memoryUsage().rss;
  const queries = Float32Array.from({ length: 64 * DIMENSION }, () => gaussian(random));

  // Warm-up (the same for every path): the JavaScript and WebAssembly compilers tier up over the
  // first calls, and the times below are for a router that has served a few queries.
  const slow = isSlowPath(backend, storage);
  for (let r = 0; r < (slow ? 1 : 5); r++) await router.strongWinRatesFromEmbeddings(queries.subarray(r * DIMENSION, (r + 1) * DIMENSION), 1);
  if (!slow) await router.strongWinRatesFromEmbeddings(queries.subarray(0, 16 * DIMENSION), 16);
  const singleRuns = slow ? 3 : 15;
  const single: number[] = [];
  for (let r = 0; r < singleRuns; r++) {
    const q = r % 64;
    const start = performance.now();
    await router.strongWinRatesFromEmbeddings(queries.subarray(q * DIMENSION, (q + 1) * DIMENSION), 1);
    single.push(performance.now() - start);
  }
  const batchRuns = slow ? 1 : 3;
  const batch: number[] = [];
  let batchScores: Float32Array = new Float32Array(0);
  for (let r = 0; r < batchRuns; r++) {
    const start = performance.now();
    batchScores = await router.strongWinRatesFromEmbeddings(queries, 64);
    batch.push(performance.now() - start);
  }
  const peak = process.memoryUsage().rss;

  // The reference reads the embeddings the router holds: the dequantised int8 codes, or the float32
  // rows. A plain object, as the reference was written for (the loaded index defines promptEmbeddings
  // lazily for int8 storage).
  const loadedIndex = await loadBattleIndex(dir);
  const index: BattleIndex = { ...loadedIndex, promptEmbeddings: loadedIndex.promptEmbeddings };

  // Three timed reference queries at every size (median): one alone varied 350-840 ms at 100k on a shared machine.
  const referenceQueries = 3;
  const reference: number[] = [];
  let agreement = 0;
  const modelTiers = index.models.map((model) => router.tiers[model]);
  for (let q = 0; q < referenceQueries; q++) {
    const start = performance.now();
    const score = referenceScore(index, Int32Array.from(modelTiers), queries.subarray(q * DIMENSION, (q + 1) * DIMENSION), router.strongTier, router.weakTier);
    reference.push(performance.now() - start);
    agreement = Math.max(agreement, Math.abs(score - batchScores[q]));
  }
  await router.dispose();

  // The share of the similarity product alone (the rest is weights, counts and the Newton fit).
  const vectors: SimilarityIndex = index.promptCodes
    ? Int8VectorIndex.create(index.promptCodes, index.promptCount, DIMENSION)
    : await VectorIndex.create(index.promptEmbeddings, index.promptCount, DIMENSION);
  await vectors.similarities(queries.subarray(0, DIMENSION), 1);
  const similaritySingle: number[] = [];
  for (let r = 0; r < Math.min(singleRuns, 5); r++) {
    const start = performance.now();
    await vectors.similarities(queries.subarray(r * DIMENSION, (r + 1) * DIMENSION), 1);
    similaritySingle.push(performance.now() - start);
  }
  const similarityBatch: number[] = [];
  for (let r = 0; r < batchRuns; r++) {
    const start = performance.now();
    await vectors.similarities(queries, 64);
    similarityBatch.push(performance.now() - start);
  }
  vectors.dispose();
  const singleMs = median(single);
  const batchPerQueryMs = median(batch) / 64;
  const referenceMs = median(reference);
  console.log(
    JSON.stringify({
      size,
      backend,
      storage,
      singleMs,
      batchPerQueryMs,
      referenceMs,
      referenceQueries,
      similaritySingleMs: median(similaritySingle),
      similarityBatchPerQueryMs: median(similarityBatch) / 64,
      speedupSingle: referenceMs / singleMs,
      speedupBatch: referenceMs / batchPerQueryMs,
      maxScoreDifferenceVsReference: agreement,
      rssBeforeMb: before / 2 ** 20,
      rssLoadedMb: loaded / 2 ** 20,
      rssPeakMb: peak / 2 ** 20,
    }),
  );
}

if (values.build) {
  await buildChild(Number(values.size), values.storage as 'int8' | 'float32', values.dir!);
} else if (values.child) {
  await runChild(Number(values.size), values.backend as 'wasm' | 'cpu', values.storage as 'int8' | 'float32', values.dir!);
} else {
  const self = fileURLToPath(import.meta.url);
  console.log('sw_ranking: per-query time excluding the query embedding (512-d, N battles = N distinct prompts, 10 tiers)');
  console.log(`machine: ${os.cpus().length} cores, load average at start ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(
    'backend  storage  battles  single ms (sim)     q/s  batch64 ms/q (sim)  q/s  reference ms  ref/single  ref/batch  |fast-ref|  RSS loaded MB (+delta)  RSS peak MB',
  );
  const run = (args: string[]) =>
    execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  for (const storage of values.storage.split(',')) {
    for (const size of values.sizes.split(',').map(Number)) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'sw-bench-'));
      run(['--build', '--size', String(size), '--storage', storage, '--dir', dir]);
      for (const backend of values.backends.split(',')) {
        const output = run(['--child', '--size', String(size), '--backend', backend, '--storage', storage, '--dir', dir]);
        const result = JSON.parse(output.trim().split('\n').pop()!);
        console.log(
          [
            backend.padEnd(7),
            storage.padEnd(8),
            String(size).padStart(7),
            `${result.singleMs.toFixed(2)} (${result.similaritySingleMs.toFixed(1)})`.padStart(16),
            (1000 / result.singleMs).toFixed(0).padStart(5),
            `${result.batchPerQueryMs.toFixed(2)} (${result.similarityBatchPerQueryMs.toFixed(1)})`.padStart(18),
            (1000 / result.batchPerQueryMs).toFixed(0).padStart(5),
            result.referenceMs.toFixed(0).padStart(13) + ` (${result.referenceQueries}q)`,
            `${result.speedupSingle.toFixed(0)}x`.padStart(8),
            `${result.speedupBatch.toFixed(0)}x`.padStart(10),
            result.maxScoreDifferenceVsReference.toExponential(1).padStart(11),
            `${result.rssLoadedMb.toFixed(0)} (+${(result.rssLoadedMb - result.rssBeforeMb).toFixed(0)})`.padStart(22),
            result.rssPeakMb.toFixed(0).padStart(12),
          ].join(' '),
        );
      }
      await rm(dir, { recursive: true, force: true });
    }
  }
}
