/**
 * Embedding throughput of the `use-lite` embedder: prompts per second one at a time and in
 * batches of 1, 8, 32 and 128, on the wasm and cpu tensor backends, on worker threads, and the
 * disk cache's hit rate.
 *
 *   npx tsx bench/embedding.bench.ts [--prompts N] [--cpu-prompts N] [--skip-cpu]
 *
 * Prompts are real ones from ../shared/data (MMLU and training prompts, fixed sample) when the
 * data folder is there, else generated sentences. The in-memory cache is off, so every prompt is
 * computed. The `workers` option (model on worker threads) is measured on wasm with 0..cpus workers.
 * The cpu backend is ~50x slower: it gets few prompts (`--cpu-prompts`, default 16).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, type BackendPreference } from '../src/core/backend.js';
import { parseCsv } from '../src/data/csv.js';
import { readJsonLines, readTextFile } from '../src/data/jsonl.js';
import { withDiskCache } from '../src/embedders/disk-cache.js';
import type { Embedder } from '../src/embedders/types.js';
import { createUseLiteEmbedder } from '../src/embedders/use-lite/index.js';
import { createRng, shuffleInPlace } from '../src/train/random.js';
import { defaultDataDir } from '../src/weights-format/paths.js';

const BATCH_SIZES = [1, 8, 32, 128];

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

interface Measurement {
  label: string;
  promptsPerSecond: number;
  prompts: number;
}

async function measureBackend(backend: BackendPreference, prompts: string[], batchSizes: number[]): Promise<Measurement[]> {
  const info = await initBackend(backend);
  console.log(`\n== backend ${info.name} (${info.tfjsBackend}): ${prompts.length} prompts ==`);
  const results: Measurement[] = [];
  const loadStarted = performance.now();
  const warmup = createUseLiteEmbedder({ cacheSize: 0 });
  await warmup.embed(['warm up the graph']);
  console.log(`model load + first prompt: ${(performance.now() - loadStarted).toFixed(0)} ms`);

  const singleTimes: number[] = [];
  const singleStarted = performance.now();
  for (const prompt of prompts) {
    const started = performance.now();
    await warmup.embed([prompt]);
    singleTimes.push(performance.now() - started);
  }
  const single = (prompts.length / (performance.now() - singleStarted)) * 1000;
  console.log(`single prompts: ${single.toFixed(1)} prompts/s (median ${median(singleTimes).toFixed(1)} ms per prompt)`);
  results.push({ label: 'single', promptsPerSecond: single, prompts: prompts.length });
  await warmup.dispose();

  for (const batchSize of batchSizes) {
    const embedder = createUseLiteEmbedder({ cacheSize: 0, batchSize });
    await embedder.embed(['warm up']);
    const rounds = Math.max(1, Math.floor(prompts.length / batchSize));
    const started = performance.now();
    for (let round = 0; round < rounds; round++) {
      await embedder.embed(prompts.slice(round * batchSize, (round + 1) * batchSize));
    }
    const done = Math.min(prompts.length, rounds * batchSize);
    const rate = (done / (performance.now() - started)) * 1000;
    console.log(`batch ${String(batchSize).padStart(3)}: ${rate.toFixed(1)} prompts/s (${rounds} calls of ${batchSize})`);
    results.push({ label: `batch ${batchSize}`, promptsPerSecond: rate, prompts: done });
    await embedder.dispose();
  }
  const grouped = createUseLiteEmbedder({ cacheSize: 0 });
  await grouped.embed(['warm up']);
  const groupedStarted = performance.now();
  await grouped.embed(prompts);
  const groupedRate = (prompts.length / (performance.now() - groupedStarted)) * 1000;
  console.log(`one call of ${prompts.length} (default: length-grouped batches of 32): ${groupedRate.toFixed(1)} prompts/s`);
  results.push({ label: 'one call', promptsPerSecond: groupedRate, prompts: prompts.length });
  await grouped.dispose();
  return results;
}

/**
 * Runs `work` while a 1 ms interval timer ticks; returns the work's result and the longest gap
 * between ticks (ms): how long the event loop was kept from other work. (perf_hooks'
 * monitorEventLoopDelay records nothing when the loop never reaches its timers phase.)
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

/**
 * The `workers` option: one call of every prompt, and the prompts sent as concurrent single-prompt
 * calls (8 in flight, as a server sees them), for 0 (in-thread) and 1..cpus workers; with the
 * event loop's delay while it runs (in-thread embedding blocks it for a whole batch).
 */
async function measureWorkers(prompts: string[]): Promise<void> {
  console.log(`\n== worker threads (wasm): ${prompts.length} prompts, ${os.cpus().length} CPUs ==`);
  console.log('workers | one call prompts/s | 8 concurrent single calls prompts/s | longest event-loop stall ms (concurrent)');
  const counts = [0, ...Array.from({ length: Math.min(os.cpus().length, 4) }, (_, index) => index + 1)];
  let baseline = 0;
  for (const workers of counts) {
    const embedder = createUseLiteEmbedder({ cacheSize: 0, workers });
    await embedder.embed(['warm up']);
    let started = performance.now();
    await embedder.embed(prompts);
    const oneCall = (prompts.length / (performance.now() - started)) * 1000;
    let next = 0;
    started = performance.now();
    const { longestGap } = await withLoopDelay(() =>
      Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < prompts.length) await embedder.embed([prompts[next++]]);
        }),
      ),
    );
    const concurrent = (prompts.length / (performance.now() - started)) * 1000;
    if (workers === 0) baseline = concurrent;
    console.log(
      `${String(workers).padStart(7)} | ${oneCall.toFixed(1).padStart(18)} | ${concurrent.toFixed(1).padStart(24)} (${(concurrent / baseline).toFixed(2)}x) | ${longestGap.toFixed(1)}`,
    );
    await embedder.dispose();
  }
}

/**
 * Disk-cache lookups alone: the cache is filled through a trivial 512-d embedder (so filling is
 * cheap), then a fresh wrapper reads every vector back.
 */
async function measureDiskCache(count: number): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'routellm-bench-cache-'));
  const trivial: Embedder = {
    id: 'bench-trivial',
    dimension: 512,
    embed: async (texts) => new Float32Array(texts.length * 512).fill(0.5),
    dispose: () => undefined,
  };
  try {
    const texts = Array.from({ length: count }, (_, index) => `cached prompt number ${index}`);
    let started = performance.now();
    await withDiskCache(trivial, dir).embed(texts);
    const writeRate = (count / (performance.now() - started)) * 1000;
    started = performance.now();
    await withDiskCache(trivial, dir).embed(texts);
    const hitRate = (count / (performance.now() - started)) * 1000;
    console.log(`\n== disk cache, ${count} vectors of 512 floats ==`);
    console.log(`writes: ${writeRate.toFixed(0)} vectors/s; hits (one batch): ${hitRate.toFixed(0)} vectors/s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      prompts: { type: 'string', default: '256' },
      'cpu-prompts': { type: 'string', default: '16' },
      'skip-cpu': { type: 'boolean', default: false },
    },
  });
  const count = Number(values.prompts);
  const cpuCount = Number(values['cpu-prompts']);
  const { prompts, source } = await loadPrompts(Math.max(count, cpuCount));
  const lengths = prompts.map((prompt) => prompt.length);
  console.log(`prompts from ${source}; median ${median(lengths)} characters; ${os.cpus().length} CPUs, Node ${process.version}`);

  const wasm = await measureBackend('wasm', prompts.slice(0, count), BATCH_SIZES);
  await measureWorkers(prompts.slice(0, count));
  if (!values['skip-cpu']) {
    const cpu = await measureBackend('cpu', prompts.slice(0, cpuCount), BATCH_SIZES.filter((size) => size <= cpuCount));
    console.log('\n== wasm / cpu ==');
    for (const row of cpu) {
      const other = wasm.find((candidate) => candidate.label === row.label);
      if (other) {
        console.log(
          `${row.label.padEnd(9)} wasm ${other.promptsPerSecond.toFixed(1)} / cpu ${row.promptsPerSecond.toFixed(2)} prompts/s = ${(other.promptsPerSecond / row.promptsPerSecond).toFixed(1)}x`,
        );
      }
    }
  }
  await measureDiskCache(5000);
}

await main();
