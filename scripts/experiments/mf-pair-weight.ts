/**
 * mf lever: how much weight the rows with the exact benchmark pair (RouterBench, MMLU gold) get.
 * Trains on every train file except the RouterBench *_test files, which are the validation set
 * (947 rows with both benchmark models); benchmark columns are printed for the log only.
 * Run: `npx tsx scripts/experiments/mf-pair-weight.ts`.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL } from '../../src/data/index.js';
import { createRouter } from '../../src/routers/registry.js';
import { prepareMfData, trainMf, type TrainMfOptions } from '../../src/routers/mf/train.js';
import type { EmbeddingRouter } from '../../src/routers/types.js';
import { defaultDataDir } from '../../src/weights-format/paths.js';
import { MF_RECIPE } from '../mf-recipe.js';
import { embedAll, evaluateScores, loadBenchmarks, loadRouterBenchTest, pairBenchmark } from './features.js';

const trainDir = path.join(defaultDataDir(), 'train');
const { files: validationFiles, rows: validationRows } = await loadRouterBenchTest();
const trainingFiles = readdirSync(trainDir)
  .filter((name) => name.endsWith('.jsonl') && !validationFiles.includes(name))
  .sort()
  .map((name) => path.join(trainDir, name));
const validation = pairBenchmark(validationRows);
const sets = [['validation', validation] as const, ...Object.entries(await loadBenchmarks())];
const embeddings = new Map<string, Float32Array>();
for (const [name, set] of sets) embeddings.set(name, await embedAll(set.rows.map((row) => row.prompt)));

const base: TrainMfOptions = {
  data: trainingFiles,
  output: path.join(os.tmpdir(), 'routellm-mf-pair'),
  embedder: 'use-lite',
  mmluGold: true,
  keepPairs: [[DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL]],
  decontaminate: true,
  seed: 0,
  validationFraction: 0.05,
  patience: 4,
  epochs: 25,
  ...MF_RECIPE,
};
const prepared = await prepareMfData(base);
for (const weight of [1, 10, 30]) {
  const output = path.join(os.tmpdir(), `routellm-mf-pair-${weight}`);
  const sourceWeights: Record<string, number> = weight === 1 ? {} : { routerbench: weight, 'mmlu-gold': weight };
  await trainMf({ ...base, output, sourceWeights }, prepared);
  const router = (await createRouter('mf', { weightsDir: output })) as EmbeddingRouter;
  const cells = [`exact-pair sources x${weight}`];
  for (const [name, set] of sets) {
    const metrics = evaluateScores(set, await router.strongWinRatesFromEmbeddings(embeddings.get(name)!, set.rows.length));
    cells.push(`${name} ${metrics.apgr?.toFixed(3)} / ${metrics.cpt50?.toFixed(1)}%`);
  }
  console.log(cells.join(' | '));
  await router.dispose();
}
