/**
 * Embeds every prompt of the training and evaluation data through the disk-cached embedder, so
 * later training, evaluation and benchmarks find the vectors on disk.
 *
 *   npx tsx scripts/warm-embeddings.ts [--data-dir DIR] [--cache-dir DIR] [--chunk N]
 *
 * Prompts: `prompt` of every train/*.jsonl, `prompt` of every evals/mmlu/responses/*.csv and of
 * evals/gsm8k/gsm8k_responses.csv, and the first of `turns` of evals/mt_bench/question.jsonl.
 * Embedder: `use-lite`; cache: `--cache-dir`, else `<cacheDir()>/embeddings`.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseCsv } from '../src/data/csv.js';
import { readJsonLines, readTextFile } from '../src/data/jsonl.js';
import { defaultEmbeddingCacheDir, withDiskCache } from '../src/embedders/disk-cache.js';
import { createUseLiteEmbedder } from '../src/embedders/use-lite/index.js';
import { defaultDataDir } from '../src/weights-format/paths.js';

async function listFiles(folder: string, extension: string): Promise<string[]> {
  const names = await readdir(folder);
  return names.filter((name) => name.endsWith(extension)).sort().map((name) => path.join(folder, name));
}

async function jsonlPrompts(file: string, pick: (record: Record<string, unknown>) => unknown): Promise<string[]> {
  const records = await readJsonLines(file);
  return records.map((record) => pick(record.value)).filter((value): value is string => typeof value === 'string');
}

async function csvPrompts(file: string): Promise<string[]> {
  return parseCsv(await readTextFile(file), file).records.map((record) => record.prompt).filter((value) => typeof value === 'string');
}

/** The distinct prompts of the data folder, in first-seen order. */
async function collectPrompts(dataDir: string): Promise<string[]> {
  const counts = new Map<string, number>();
  const unique = new Set<string>();
  const add = (source: string, prompts: string[]): void => {
    counts.set(source, (counts.get(source) ?? 0) + prompts.length);
    for (const prompt of prompts) unique.add(prompt);
  };
  for (const file of await listFiles(path.join(dataDir, 'train'), '.jsonl')) {
    add('train', await jsonlPrompts(file, (record) => record.prompt));
  }
  for (const file of await listFiles(path.join(dataDir, 'evals', 'mmlu', 'responses'), '.csv')) {
    add('mmlu', await csvPrompts(file));
  }
  add('gsm8k', await csvPrompts(path.join(dataDir, 'evals', 'gsm8k', 'gsm8k_responses.csv')));
  const mtBench = path.join(dataDir, 'evals', 'mt_bench', 'question.jsonl');
  add('mt_bench', await jsonlPrompts(mtBench, (record) => (Array.isArray(record.turns) ? record.turns[0] : undefined)));
  console.log(`prompts: ${[...counts].map(([source, count]) => `${source} ${count}`).join(', ')}; ${unique.size} distinct`);
  return [...unique];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      'cache-dir': { type: 'string' },
      chunk: { type: 'string', default: '512' },
    },
  });
  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  const cacheFolder = path.resolve(values['cache-dir'] ?? defaultEmbeddingCacheDir());
  const chunk = Number(values.chunk);
  const prompts = await collectPrompts(dataDir);
  const embedder = withDiskCache(createUseLiteEmbedder({ cacheSize: 0 }), cacheFolder);
  console.log(`embedder ${embedder.id} (${embedder.dimension}-d), cache ${cacheFolder}`);
  const started = performance.now();
  for (let start = 0; start < prompts.length; start += chunk) {
    const batchStarted = performance.now();
    await embedder.embed(prompts.slice(start, start + chunk));
    const done = Math.min(start + chunk, prompts.length);
    const elapsed = (performance.now() - started) / 1000;
    console.log(
      `${done}/${prompts.length} prompts, ${elapsed.toFixed(0)} s, last chunk ${(((performance.now() - batchStarted) / 1000)).toFixed(1)} s`,
    );
  }
  await embedder.dispose();
  console.log(`done: ${prompts.length} prompts in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

await main();
