/**
 * Which per-model quality predictor routes best among N models (docs/experiments.md, section
 * "N models"). Candidates: ridge per model on the use-lite embedding (one penalty for all models)
 * and k nearest training prompts (cosine) with the per-model mean shrunk toward the model's global
 * mean. Each candidate is scored by its out-of-fold AIQ on the training split (5 folds by prompt;
 * arenabench: inside each outer fold's nine training folds), the best is refitted on the whole
 * training split and evaluated once on the held-out split.
 *
 *   nice -n 10 npx tsx scripts/experiments/n-models.ts [routerbench|nvidia9|arenabench]
 */
import path from 'node:path';
import { readNModelTable, type NModelTable } from '../../src/eval/n-model-table.js';
import { areaMeasure, knobSweep, shareAbove, singleModelPoints, singleModelRange, upperHull } from '../../src/eval/cost-quality.js';
import { createEmbedder } from '../../src/embedders/registry.js';
import { withDiskCache } from '../../src/embedders/disk-cache.js';
import { createRng, shuffled } from '../../src/train/random.js';
import { defaultDataDir } from '../../src/weights-format/paths.js';
import { fitQualityHead, predictQuality, type QualityHeadSettings } from '../../src/routers/quality/head.js';
import { readPrices } from '../../src/eval/prices.js';

const TRAIN = path.join(defaultDataDir(), 'train');
const embedder = withDiskCache(await createEmbedder('use-lite'));

interface Split {
  table: NModelTable;
  embeddings: Float32Array;
}

async function load(file: string, prices?: string, models?: string[]): Promise<Split> {
  const table = await readNModelTable(path.join(TRAIN, file), { prices: prices ? await readPrices(prices) : undefined, models });
  return { table, embeddings: await embedder.embed(table.prompts) };
}

function subset(split: Split, rows: readonly number[]): Split {
  const { table } = split;
  const width = table.models.length;
  const dim = split.embeddings.length / table.count;
  const pick = (values: Float64Array) => Float64Array.from(rows.flatMap((row) => Array.from(values.subarray(row * width, (row + 1) * width))));
  return {
    table: { ...table, prompts: rows.map((row) => table.prompts[row]), count: rows.length, quality: pick(table.quality), cost: pick(table.cost), decisionCost: table.decisionCost && pick(table.decisionCost) },
    embeddings: Float32Array.from(rows.flatMap((row) => Array.from(split.embeddings.subarray(row * dim, (row + 1) * dim)))),
  };
}

function concat(splits: Split[]): Split {
  const [first] = splits;
  const cat64 = (parts: Float64Array[]) => Float64Array.from(parts.flatMap((part) => Array.from(part)));
  return {
    table: {
      ...first.table,
      prompts: splits.flatMap((s) => s.table.prompts),
      count: splits.reduce((sum, s) => sum + s.table.count, 0),
      quality: cat64(splits.map((s) => s.table.quality)),
      cost: cat64(splits.map((s) => s.table.cost)),
      decisionCost: cat64(splits.map((s) => s.table.decisionCost ?? s.table.cost)),
    },
    embeddings: Float32Array.from(splits.flatMap((s) => Array.from(s.embeddings))),
  };
}

const CANDIDATES: QualityHeadSettings[] = [
  ...[1, 3, 10, 30, 100].map((lambda) => ({ kind: 'ridge' as const, lambda })),
  ...[10, 25, 50, 100].flatMap((k) => [0, 5].map((prior) => ({ kind: 'knn' as const, k, prior }))),
];

interface Scored {
  aiq: number;
  hullAiq: number;
  above: number;
  oracleAiq: number;
}

function score(split: Split, predicted: Float32Array): Scored {
  const singles = singleModelPoints(split.table);
  const range = singleModelRange(singles);
  const hull = upperHull(singles);
  const curve = upperHull(knobSweep(split.table, predicted));
  const oracle = upperHull(knobSweep(split.table, Float32Array.from(split.table.quality)));
  return { aiq: areaMeasure(curve, range), hullAiq: areaMeasure(hull, range), above: shareAbove(curve, hull, range), oracleAiq: areaMeasure(oracle, range) };
}

function foldsOf(count: number, folds: number, seed: number): number[] {
  const out = new Array<number>(count);
  shuffled(Array.from({ length: count }, (_, i) => i), createRng(seed)).forEach((row, position) => (out[row] = position % folds));
  return out;
}

/** Out-of-fold predictions of `settings` on `split`. */
function outOfFold(split: Split, settings: QualityHeadSettings, folds: number[], foldCount: number): Float32Array {
  const width = split.table.models.length;
  const out = new Float32Array(split.table.count * width);
  for (let fold = 0; fold < foldCount; fold++) {
    const trainRows = folds.flatMap((f, row) => (f === fold ? [] : [row]));
    const heldRows = folds.flatMap((f, row) => (f === fold ? [row] : []));
    const head = fitQualityHead(subset(split, trainRows).table, subset(split, trainRows).embeddings, settings);
    const held = subset(split, heldRows);
    const predicted = predictQuality(head, held.embeddings, heldRows.length);
    heldRows.forEach((row, i) => out.set(predicted.subarray(i * width, (i + 1) * width), row * width));
  }
  return out;
}

function choose(split: Split, log: boolean): QualityHeadSettings {
  const folds = foldsOf(split.table.count, 5, 1);
  let best: { settings: QualityHeadSettings; aiq: number } | undefined;
  for (const settings of CANDIDATES) {
    const result = score(split, outOfFold(split, settings, folds, 5));
    if (log) console.log(`  cv ${JSON.stringify(settings).padEnd(40)} AIQ ${result.aiq.toFixed(4)} (hull ${result.hullAiq.toFixed(4)}, above ${(100 * result.above).toFixed(0)}%)`);
    if (!best || result.aiq > best.aiq) best = { settings, aiq: result.aiq };
  }
  return best!.settings;
}

function report(name: string, split: Split, predicted: Float32Array): void {
  const r = score(split, predicted);
  console.log(`${name.padEnd(28)} n=${split.table.count} AIQ router ${r.aiq.toFixed(4)} hull ${r.hullAiq.toFixed(4)} oracle ${r.oracleAiq.toFixed(4)}; router above hull on ${(100 * r.above).toFixed(0)}% of the cost range`);
}

const which = process.argv[2] ?? 'routerbench';
if (which === 'routerbench') {
  const tasks = ['arc_challenge', 'mbpp', 'winogrande'];
  const train = concat(await Promise.all(tasks.map((task) => load(`routerbench-${task}_train.jsonl`))));
  const tests = await Promise.all(tasks.map((task) => load(`routerbench-${task}_test.jsonl`)));
  const settings = choose(train, true);
  console.log(`chosen ${JSON.stringify(settings)}`);
  const head = fitQualityHead(train.table, train.embeddings, settings);
  tests.forEach((test, i) => report(`routerbench-${tasks[i]}_test`, test, predictQuality(head, test.embeddings, test.table.count)));
  const all = concat(tests);
  report('routerbench-*_test (all)', all, predictQuality(head, all.embeddings, all.table.count));
} else if (which === 'nvidia9') {
  const prices = 'docs/results/prices/nvidia9.json';
  const train = await load('nvidia9-train.jsonl', prices);
  const test = await load('nvidia9-test.jsonl', prices);
  const settings = choose(train, true);
  console.log(`chosen ${JSON.stringify(settings)}`);
  const head = fitQualityHead(train.table, train.embeddings, settings);
  report('nvidia9-test', test, predictQuality(head, test.embeddings, test.table.count));
} else {
  const set = await load('arenabench-scores.jsonl', 'docs/results/prices/arenabench.json');
  const width = set.table.models.length;
  const outer = foldsOf(set.table.count, 10, 100);
  const predicted = new Float32Array(set.table.count * width);
  for (let fold = 0; fold < 10; fold++) {
    const trainRows = outer.flatMap((f, row) => (f === fold ? [] : [row]));
    const heldRows = outer.flatMap((f, row) => (f === fold ? [row] : []));
    const train = subset(set, trainRows);
    const settings = choose(train, false);
    console.log(`fold ${fold}: chosen ${JSON.stringify(settings)}`);
    const head = fitQualityHead(train.table, train.embeddings, settings);
    const held = subset(set, heldRows);
    const scores = predictQuality(head, held.embeddings, heldRows.length);
    heldRows.forEach((row, i) => predicted.set(scores.subarray(i * width, (i + 1) * width), row * width));
  }
  report('arenabench (out-of-fold)', set, predicted);
}
await embedder.dispose();
