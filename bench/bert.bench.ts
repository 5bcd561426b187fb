/**
 * Decisions per second of the bert router:
 *   - head mode (shipped weights/bert, use-lite encoder), batch 1 and batch 64, end to end;
 *   - the head alone on precomputed embeddings (its overhead on top of the encoder);
 *   - ONNX mode on the tiny random-weight BERT classifier the tests generate (hidden 16), batch 1 and 64.
 * Prompts: GSM8K questions from the data folder when present, else generated sentences. Each
 * prompt is distinct and new to the router, so the use-lite LRU cache never answers.
 *
 *   npx tsx bench/bert.bench.ts [--prompts 256] [--rounds 3]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeTinyBertModel } from '../test/helpers/onnx-bert.js';
import { backendInfo } from '../src/core/backend.js';
import { loadGsm8k } from '../src/data/evals.js';
import { createBertRouter, type BertHeadRouter } from '../src/routers/bert/index.js';
import type { Router } from '../src/routers/types.js';
import { shippedWeightsDir } from '../src/weights-format/index.js';

const { values } = parseArgs({ options: { prompts: { type: 'string', default: '256' }, rounds: { type: 'string', default: '3' } } });
const count = Number(values.prompts);
const rounds = Number(values.rounds);

async function benchPrompts(round: number): Promise<string[]> {
  let base: string[];
  try {
    base = (await loadGsm8k()).rows.map((row) => row.prompt);
  } catch {
    base = Array.from({ length: 500 }, (_, i) => `Explain topic number ${i} in ${10 + (i % 40)} words, with an example about ${i % 13} apples.`);
  }
  return Array.from({ length: count }, (_, i) => `[${round}] ${base[i % base.length]}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Decisions/s scoring `prompts` in batches of `batch`. */
async function throughput(router: Router, prompts: string[], batch: number): Promise<number> {
  const started = performance.now();
  for (let start = 0; start < prompts.length; start += batch) await router.strongWinRates(prompts.slice(start, start + batch));
  return prompts.length / ((performance.now() - started) / 1000);
}

async function measure(label: string, router: Router, batch: number, promptsFor: (round: number) => Promise<string[]>): Promise<number> {
  await router.strongWinRates((await promptsFor(-1)).slice(0, Math.min(batch, 16)));
  const results: number[] = [];
  for (let round = 0; round < rounds; round++) results.push(await throughput(router, await promptsFor(round * 100 + batch), batch));
  const value = median(results);
  console.log(`${label.padEnd(44)} ${value.toFixed(1).padStart(10)} decisions/s  (runs: ${results.map((r) => r.toFixed(1)).join(', ')})`);
  return value;
}

async function main(): Promise<void> {
  console.log(`bert router throughput, ${count} prompts per run, median of ${rounds} runs, ${os.cpus().length} CPUs, node ${process.version}`);
  const results: Record<string, number> = {};
  const weightsDir = shippedWeightsDir('bert');
  if (existsSync(path.join(weightsDir, 'manifest.json'))) {
    const head = (await createBertRouter({})) as BertHeadRouter;
    console.log(`head mode: ${weightsDir}, encoder ${head.embedder.id}, tfjs backend ${backendInfo()?.name}`);
    results.head1 = await measure('head mode, use-lite, batch 1', head, 1, benchPrompts);
    results.head64 = await measure('head mode, use-lite, batch 64', head, 64, benchPrompts);
    const dimension = head.embedder.dimension;
    const embeddings = await head.embedder.embed(await benchPrompts(999));
    for (const batch of [1, 64]) {
      const runs: number[] = [];
      for (let round = 0; round < rounds + 1; round++) {
        // Repeat passes for at least 0.5 s so the timer resolution does not matter; round 0 warms up.
        const started = performance.now();
        let decisions = 0;
        while (performance.now() - started < 500) {
          for (let start = 0; start < count; start += batch) {
            const rows = Math.min(batch, count - start);
            await head.strongWinRatesFromEmbeddings(embeddings.subarray(start * dimension, (start + rows) * dimension), rows);
          }
          decisions += count;
        }
        if (round > 0) runs.push(decisions / ((performance.now() - started) / 1000));
      }
      results[`headOnly${batch}`] = median(runs);
      console.log(`${`head alone on embeddings, batch ${batch}`.padEnd(44)} ${median(runs).toFixed(1).padStart(10)} decisions/s`);
    }
    await head.dispose();
  } else {
    console.log(`head mode skipped: no ${weightsDir}/manifest.json (run scripts/build-bert-weights.ts)`);
  }
  const folder = mkdtempSync(path.join(os.tmpdir(), 'routellm-bert-bench-'));
  try {
    const model = writeTinyBertModel(path.join(folder, 'tiny'), { variant: 'sequence-classification' });
    const onnx = await createBertRouter({ mode: 'onnx', model, batchSize: 64 });
    results.onnx1 = await measure('onnx mode, tiny BERT (hidden 16), batch 1', onnx, 1, benchPrompts);
    results.onnx64 = await measure('onnx mode, tiny BERT (hidden 16), batch 64', onnx, 64, benchPrompts);
    await onnx.dispose();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  console.log('ratios:');
  if (results.head1) {
    console.log(`  head batch 64 / batch 1: ${(results.head64 / results.head1).toFixed(2)}x`);
    console.log(`  head alone / head end to end (batch 64): ${(results.headOnly64 / results.head64).toFixed(0)}x (the encoder dominates)`);
  }
  console.log(`  onnx tiny batch 64 / batch 1: ${(results.onnx64 / results.onnx1).toFixed(2)}x`);
}

await main();
