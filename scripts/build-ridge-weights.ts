/**
 * Rebuilds the shipped ridge router (weights/ridge) from ../shared/data:
 *
 *   npx tsx scripts/build-ridge-weights.ts [--data-dir DIR] [--output DIR]
 *
 * Training files: every score table under train/ except the test splits (`*_test.jsonl`,
 * `*-test.jsonl`, kept for validation) and the battle files (no per-model results), plus the MMLU
 * gold split. Heads: trainRidge's defaults. Multiple choice: pair gap, lambda 1, text features, on
 * every source but arenabench (chosen by scripts/experiments/gated.ts, docs/experiments.md section
 * 10). Open: weak fails fitted as midranks, lambda 3, embedding only, on the arenabench scores alone (chosen
 * out-of-fold by scripts/experiments/open-ended.ts, sections 11 and 13). use-lite embeddings through the
 * shared disk cache; decontaminated against MMLU-rest, GSM8K and MT-Bench (cosine >= 0.95).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { resolveDataDir } from '../src/data/evals.js';
import { trainRidge } from '../src/routers/ridge/train.js';
import { shippedWeightsDir } from '../src/weights-format/index.js';
import { flagValues } from './flags.js';

const dataDir = resolveDataDir(flagValues('data-dir')?.[0]);
const trainDir = path.join(dataDir, 'train');
const files = readdirSync(trainDir)
  .filter((file) => file.endsWith('.jsonl') && !/[_-]test\.jsonl$/.test(file) && !file.endsWith('battles.jsonl'))
  .sort()
  .map((file) => path.join(trainDir, file));
const output = flagValues('output')?.[0] ?? shippedWeightsDir('ridge');
process.stderr.write(`build-ridge-weights: ${files.length} files -> ${output}\n`);
const started = Date.now();
const result = await trainRidge({ data: files, output, mmluGold: true, dataDir, embedder: 'use-lite', open: { sources: ['arenabench-scores'] }, progress: true, notes: 'Reproduce: npx tsx scripts/build-ridge-weights.ts. Head settings: multiple choice chosen by scripts/experiments/gated.ts, open chosen out-of-fold on arenabench by scripts/experiments/open-ended.ts (docs/experiments.md, sections 10, 11 and 13).' });
console.log(JSON.stringify({ output: result.output, seconds: Math.round((Date.now() - started) / 1000), trainRows: result.details.trainRows, droppedContaminated: result.droppedContaminated }, null, 2));
