/**
 * The `use-lite` embedder's int16 forward pass against the exact path (the float32 tfjs graph,
 * `use-lite-exact`), measured in one run: prompts/s one prompt per call and in batches, the
 * ratio of the two, cosine of the vectors, routing decisions of the shipped routers on each
 * path's vectors, and throughput and event-loop stalls under concurrent single-prompt calls.
 *
 *   npx tsx bench/embedding.bench.ts [--prompts 2000] [--single 300] [--chunk 64] [--skip-routers] [--skip-concurrency]
 *
 * The machine is shared, so absolute numbers drift: the two paths are interleaved (chunk by chunk,
 * prompt by prompt, alternating which goes first) and the ratios are the result. Prompts are real
 * ones from ../shared/data (MMLU and training prompts, fixed sample) when the data folder is
 * there, else generated sentences. The in-memory caches are off, so every prompt is computed.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readCalibrationFile, thresholdFromScores, CALIBRATION_FILE } from '../src/calibration/index.js';
import { initBackend } from '../src/core/backend.js';
import { cosineRows } from '../src/core/ops.js';
import { parseCsv } from '../src/data/csv.js';
import { readJsonLines, readTextFile } from '../src/data/jsonl.js';
import { createUseLiteEmbedder, type UseLiteEmbedder, type UseLiteOptions } from '../src/embedders/use-lite/index.js';
import { createRouter } from '../src/routers/registry.js';
import { isEmbeddingRouter } from '../src/routers/types.js';
import { createRng, shuffleInPlace } from '../src/train/random.js';
import { defaultDataDir, shippedWeightsDir } from '../src/weights-format/paths.js';

/** Strong-model shares at which routing decisions are compared (thresholds from each router's calibration file). */
const STRONG_SHARES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

async function loadPrompts(count: number): Promise<{ prompts: string[]; source: string }> {
  const dataDir = defaultDataDir();
  const mmluDir = path.join(dataDir, 'evals', 'mmlu', 'responses');
  const arena = path.join(dataDir, 'train', 'nvidia9-train.jsonl');
  if (existsSync(mmluDir) && existsSync(arena)) {
    const prompts: string[] = [];
    for (const name of (await readdir(mmluDir)).filter((file) => file.endsWith('.csv')).sort().slice(0, 10)) {
      const file = path.join(mmluDir, name);
      for (const record of parseCsv(await readTextFile(file), file).records) prompts.push(record.prompt);
    }
    for (const record of await readJsonLines(arena)) {
      if (typeof record.value.prompt === 'string') prompts.push(record.value.prompt);
    }
    const unique = shuffleInPlace([...new Set(prompts)], createRng(7)).slice(0, count);
    return { prompts: unique, source: `${dataDir} (MMLU + nvidia9 train, seeded sample)` };
  }
  const words = 'the a model router question answer write explain code python data cost quality strong weak fast slow'.split(' ');
  const prompts = Array.from({ length: count }, (_, index) =>
    Array.from({ length: 8 + (index % 40) }, (_, k) => words[(index * 7 + k * 13) % words.length]).join(' ') + ` ${index}?`,
  );
  return { prompts, source: 'generated sentences (data folder not found)' };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

interface Paths {
  exact: UseLiteEmbedder;
  fast: UseLiteEmbedder;
}

/** Both paths on the same chunks, alternating which goes first; returns every prompt's vectors from each. */
async function measureBatched(paths: Paths, prompts: string[], chunk: number): Promise<{ exact: Float32Array; fast: Float32Array; ratio: number }> {
  const exact = new Float32Array(prompts.length * 512);
  const fast = new Float32Array(prompts.length * 512);
  let exactMs = 0;
  let fastMs = 0;
  const chunkRatios: number[] = [];
  for (let start = 0, round = 0; start < prompts.length; start += chunk, round++) {
    const texts = prompts.slice(start, start + chunk);
    const order: ('exact' | 'fast')[] = round % 2 === 0 ? ['exact', 'fast'] : ['fast', 'exact'];
    const times: Record<string, number> = {};
    for (const which of order) {
      const { result, ms } = await timed(() => paths[which].embed(texts));
      (which === 'exact' ? exact : fast).set(result, start * 512);
      times[which] = ms;
    }
    exactMs += times.exact;
    fastMs += times.fast;
    chunkRatios.push(times.exact / times.fast);
  }
  const exactRate = (prompts.length / exactMs) * 1000;
  const fastRate = (prompts.length / fastMs) * 1000;
  console.log(`\n== batched: ${prompts.length} prompts in calls of ${chunk} (length-grouped batches of 32), interleaved ==`);
  console.log(`exact (tfjs graph, float32): ${exactRate.toFixed(1)} prompts/s`);
  console.log(`int16 (wasm forward pass):   ${fastRate.toFixed(1)} prompts/s`);
  console.log(`ratio int16 / exact: ${(fastRate / exactRate).toFixed(2)}x (median of ${chunkRatios.length} chunks: ${median(chunkRatios).toFixed(2)}x)`);
  return { exact, fast, ratio: fastRate / exactRate };
}

/** One prompt per call, both paths on each prompt in turn (alternating which goes first). */
async function measureSingle(paths: Paths, prompts: string[]): Promise<number> {
  let exactMs = 0;
  let fastMs = 0;
  const ratios: number[] = [];
  for (const [index, prompt] of prompts.entries()) {
    const order: ('exact' | 'fast')[] = index % 2 === 0 ? ['exact', 'fast'] : ['fast', 'exact'];
    const times: Record<string, number> = {};
    for (const which of order) times[which] = (await timed(() => paths[which].embed([prompt]))).ms;
    exactMs += times.exact;
    fastMs += times.fast;
    ratios.push(times.exact / times.fast);
  }
  const exactRate = (prompts.length / exactMs) * 1000;
  const fastRate = (prompts.length / fastMs) * 1000;
  console.log(`\n== single: ${prompts.length} prompts, one per call, interleaved ==`);
  console.log(`exact: ${exactRate.toFixed(1)} prompts/s (${(exactMs / prompts.length).toFixed(1)} ms mean)`);
  console.log(`int16: ${fastRate.toFixed(1)} prompts/s (${(fastMs / prompts.length).toFixed(1)} ms mean)`);
  console.log(`ratio int16 / exact: ${(fastRate / exactRate).toFixed(2)}x (median per prompt ${median(ratios).toFixed(2)}x)`);
  return fastRate / exactRate;
}

function reportCosines(prompts: string[], exact: Float32Array, fast: Float32Array): { mean: number; worst: number } {
  const cosines = Array.from(cosineRows(exact, fast, 512));
  const mean = cosines.reduce((sum, value) => sum + value, 0) / cosines.length;
  const sorted = [...cosines].sort((a, b) => a - b);
  const worst = sorted[0];
  console.log(`\n== vectors: cosine of int16 to exact on ${prompts.length} prompts ==`);
  console.log(`mean ${mean.toFixed(6)}, worst ${worst.toFixed(6)}, 1st percentile ${sorted[Math.floor(sorted.length / 100)].toFixed(6)}, below 0.999: ${sorted.filter((value) => value < 0.999).length}`);
  return { mean, worst };
}

/** Routing decisions of each shipped embedding router on exact and int16 vectors, at calibrated thresholds. */
async function reportRouting(prompts: string[], exact: Float32Array, fast: Float32Array): Promise<number> {
  console.log(`\n== routing decisions on ${prompts.length} prompts: int16 vectors vs exact vectors ==`);
  console.log(`thresholds: each router's ${CALIBRATION_FILE} at strong-model shares ${STRONG_SHARES.join(', ')}`);
  let lowest = 1;
  for (const name of ['ridge', 'mf', 'sw_ranking', 'bert']) {
    const dir = shippedWeightsDir(name);
    if (!existsSync(path.join(dir, CALIBRATION_FILE))) continue;
    const router = await createRouter(name);
    try {
      if (!isEmbeddingRouter(router)) continue;
      const calibration = await readCalibrationFile(path.join(dir, CALIBRATION_FILE));
      const exactScores = await router.strongWinRatesFromEmbeddings(exact, prompts.length, prompts);
      const fastScores = await router.strongWinRatesFromEmbeddings(fast, prompts.length, prompts);
      let largestGap = 0;
      for (let i = 0; i < prompts.length; i++) largestGap = Math.max(largestGap, Math.abs(exactScores[i] - fastScores[i]));
      const agreements = STRONG_SHARES.map((share) => {
        const { threshold } = thresholdFromScores(calibration.scores, share);
        let same = 0;
        for (let i = 0; i < prompts.length; i++) if (exactScores[i] >= threshold === fastScores[i] >= threshold) same++;
        return same / prompts.length;
      });
      const worst = Math.min(...agreements);
      lowest = Math.min(lowest, worst);
      console.log(`${name.padEnd(10)} agreement ${agreements.map((value) => `${(value * 100).toFixed(1)}%`).join(' ')} (worst ${(worst * 100).toFixed(2)}%); largest score difference ${largestGap.toFixed(4)}`);
    } finally {
      await router.dispose();
    }
  }
  return lowest;
}

/**
 * Runs `work` while a 1 ms interval timer ticks; returns the work's result and the longest gap
 * between ticks (ms): how long the event loop was kept from other work.
 */
async function withLoopDelay<T>(work: () => Promise<T>): Promise<{ result: T; longestGap: number }> {
  let last = performance.now();
  let longestGap = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  }, 1);
  const result = await work();
  clearInterval(ticker);
  return { result, longestGap: Math.max(longestGap, performance.now() - last) };
}

/** Prompts sent as concurrent single-prompt calls (16 in flight, as a server sees them), per configuration. */
async function measureConcurrency(prompts: string[]): Promise<void> {
  const workers = Math.min(Math.max(os.availableParallelism() - 1, 1), 4);
  const configurations: [string, UseLiteOptions][] = [
    ['exact, in thread', { exact: true }],
    ['int16, in thread', {}],
    ['int16, in thread, 2 ms batches', { batchWindowMs: 2 }],
    [`int16, ${workers} worker(s), 2 ms batches (serve default)`, { workers, batchWindowMs: 2 }],
  ];
  console.log(`\n== 16 concurrent single-prompt callers: ${prompts.length} prompts, ${os.availableParallelism()} CPUs ==`);
  console.log('configuration | prompts/s | vs exact | longest event-loop stall ms');
  let baseline = 0;
  for (const [label, options] of configurations) {
    const embedder = createUseLiteEmbedder({ cacheSize: 0, ...options });
    await embedder.embed(['warm up']);
    let next = 0;
    const started = performance.now();
    const { longestGap } = await withLoopDelay(() =>
      Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < prompts.length) await embedder.embed([prompts[next++]]);
        }),
      ),
    );
    const rate = (prompts.length / (performance.now() - started)) * 1000;
    if (baseline === 0) baseline = rate;
    console.log(`${label} | ${rate.toFixed(1)} | ${(rate / baseline).toFixed(2)}x | ${longestGap.toFixed(1)}`);
    await embedder.dispose();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      prompts: { type: 'string', default: '2000' },
      single: { type: 'string', default: '300' },
      chunk: { type: 'string', default: '64' },
      'skip-routers': { type: 'boolean', default: false },
      'skip-concurrency': { type: 'boolean', default: false },
    },
  });
  const { prompts, source } = await loadPrompts(Number(values.prompts));
  console.log(`prompts from ${source}; ${prompts.length} prompts, median ${median(prompts.map((prompt) => prompt.length))} characters; ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), Node ${process.version}, load average ${os.loadavg()[0].toFixed(1)}`);
  const info = await initBackend('wasm');
  console.log(`exact path on tfjs backend ${info.name}`);
  const paths: Paths = { exact: createUseLiteEmbedder({ exact: true, cacheSize: 0 }), fast: createUseLiteEmbedder({ cacheSize: 0 }) };
  for (const [which, embedder] of Object.entries(paths)) {
    const { ms } = await timed(() => embedder.embed(prompts.slice(0, 32)));
    console.log(`${which}: model load + first 32 prompts ${ms.toFixed(0)} ms`);
  }
  const tokens = await Promise.all(prompts.map((prompt) => paths.fast.tokenize(prompt)));
  const clipped = tokens.map((row) => Math.min(row.length, 128));
  console.log(`tokens the model reads per prompt (first 128): mean ${(clipped.reduce((a, b) => a + b, 0) / clipped.length).toFixed(1)}, median ${median(clipped)}`);

  const batched = await measureBatched(paths, prompts, Number(values.chunk));
  const single = await measureSingle(paths, prompts.slice(0, Number(values.single)));
  const { mean, worst } = reportCosines(prompts, batched.exact, batched.fast);
  await Promise.all([paths.exact.dispose(), paths.fast.dispose()]);
  const agreement = values['skip-routers'] ? undefined : await reportRouting(prompts, batched.exact, batched.fast);
  if (!values['skip-concurrency']) await measureConcurrency(prompts.slice(0, 400));

  console.log('\n== issue 22 targets ==');
  console.log(`batched ${batched.ratio.toFixed(2)}x (>= 3), single ${single.toFixed(2)}x (>= 2), mean cosine ${mean.toFixed(6)} (>= 0.999), worst ${worst.toFixed(6)} (>= 0.99)`);
  if (agreement !== undefined) console.log(`routing agreement, worst router and threshold: ${(agreement * 100).toFixed(2)}% (>= 99%)`);
}

await main();
