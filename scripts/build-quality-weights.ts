/**
 * Builds the `quality` router's shipped heads and the N-model results of docs/results.md:
 *
 *   nice -n 10 npx tsx scripts/build-quality-weights.ts [routerbench] [nvidia9] [arenabench]
 *
 * For each set: read the training split (RouterBench: the three `*_train` files, real costs;
 * nvidia9: `nvidia9-train`; arenabench: all 299 prompts, prices from docs/results/prices), embed
 * with use-lite through the disk cache, and choose the head (ridge penalty, or k and prior of the
 * nearest-prompt head) by 5-fold cross-validation by prompt on the training split, maximising the
 * out-of-fold AIQ. The chosen head is refitted on the whole split and written to `weights/quality`
 * (RouterBench), `weights/quality/nvidia9` or `weights/quality/arenabench`.
 *
 * Then the held-out evaluation, written to docs/results/n-models/<set>/{results.json,plot.svg}:
 * RouterBench on the union of the `*_test` files (and each file alone), nvidia9 on
 * `nvidia9-test`; arenabench out-of-fold only: 10 folds by prompt, each fold scored by a head
 * chosen (5-fold CV) and fitted on the other nine folds alone. No test row is read before the
 * head is fixed. Fold assignments are seeded (CV seed 1, arenabench outer folds seed 100).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withDiskCache } from '../src/embedders/disk-cache.js';
import { createEmbedder } from '../src/embedders/registry.js';
import { areaMeasure, knobSweep, shareAbove, singleModelPoints, singleModelRange, upperHull } from '../src/eval/cost-quality.js';
import { evaluateNModels, formatNModelTable } from '../src/eval/evaluate-n-models.js';
import { renderNModelPlotSvg } from '../src/eval/n-model-plot.js';
import { readNModelTable, type NModelTable } from '../src/eval/n-model-table.js';
import { readPrices } from '../src/eval/prices.js';
import { fitQualityHead, predictQuality, type QualityHeadSettings } from '../src/routers/quality/head.js';
import { saveQualityHead } from '../src/routers/quality/weights.js';
import { createRng, shuffled } from '../src/train/random.js';
import { defaultDataDir, shippedWeightsDir } from '../src/weights-format/paths.js';

const TRAIN = path.join(defaultDataDir(), 'train');
const RESULTS = path.join('docs', 'results', 'n-models');
const CANDIDATES: QualityHeadSettings[] = [
  ...[1, 3, 10, 30, 100].map((lambda) => ({ kind: 'ridge' as const, lambda })),
  ...[25, 100].map((k) => ({ kind: 'knn' as const, k, prior: 5 })),
];
const embedder = withDiskCache(await createEmbedder('use-lite'));

interface Split {
  table: NModelTable;
  embeddings: Float32Array;
  files: string[];
}

async function load(files: string[], prices?: string): Promise<Split> {
  const parts: Split[] = [];
  for (const file of files) {
    const table = await readNModelTable(path.join(TRAIN, file), { prices: prices ? await readPrices(prices) : undefined });
    parts.push({ table, embeddings: await embedder.embed(table.prompts), files: [file] });
  }
  return parts.length === 1 ? parts[0] : concat(parts);
}

function pickRows(values: Float64Array | Float32Array, rows: readonly number[], width: number): Float64Array {
  const out = new Float64Array(rows.length * width);
  rows.forEach((row, i) => out.set(values.subarray(row * width, (row + 1) * width), i * width));
  return out;
}

function subset(split: Split, rows: readonly number[]): Split {
  const { table } = split;
  const width = table.models.length;
  const dimension = split.embeddings.length / table.count;
  return {
    table: {
      ...table,
      prompts: rows.map((row) => table.prompts[row]),
      count: rows.length,
      quality: pickRows(table.quality, rows, width),
      cost: pickRows(table.cost, rows, width),
      decisionCost: table.decisionCost && pickRows(table.decisionCost, rows, width),
    },
    embeddings: Float32Array.from(pickRows(split.embeddings, rows, dimension)),
    files: split.files,
  };
}

function concat(parts: Split[]): Split {
  const join = <T extends Float64Array | Float32Array>(arrays: T[], make: (n: number) => T): T => {
    const out = make(arrays.reduce((sum, a) => sum + a.length, 0));
    let at = 0;
    for (const a of arrays) {
      out.set(a, at);
      at += a.length;
    }
    return out;
  };
  const models = parts[0].table.models;
  for (const part of parts) if (part.table.models.join() !== models.join()) throw new Error(`model lists differ: ${part.files.join()}`);
  return {
    table: {
      ...parts[0].table,
      prompts: parts.flatMap((p) => p.table.prompts),
      count: parts.reduce((sum, p) => sum + p.table.count, 0),
      quality: join(parts.map((p) => p.table.quality), (n) => new Float64Array(n)),
      cost: join(parts.map((p) => p.table.cost), (n) => new Float64Array(n)),
      // Each file's policy costs stay its own (the mean cost of each model on that file).
      decisionCost: join(parts.map((p) => p.table.decisionCost ?? p.table.cost), (n) => new Float64Array(n)),
      skippedRows: parts.reduce((sum, p) => sum + p.table.skippedRows, 0),
    },
    embeddings: join(parts.map((p) => p.embeddings), (n) => new Float32Array(n)),
    files: parts.flatMap((p) => p.files),
  };
}

function foldsOf(count: number, folds: number, seed: number): number[] {
  const out = new Array<number>(count);
  shuffled(Array.from({ length: count }, (_, i) => i), createRng(seed)).forEach((row, position) => (out[row] = position % folds));
  return out;
}

function predictFolds(split: Split, settings: QualityHeadSettings, folds: number[], settingsFor?: (train: Split, fold: number) => QualityHeadSettings): Float32Array {
  const width = split.table.models.length;
  const out = new Float32Array(split.table.count * width);
  for (let fold = 0; fold <= Math.max(...folds); fold++) {
    const train = subset(split, folds.flatMap((f, row) => (f === fold ? [] : [row])));
    const heldRows = folds.flatMap((f, row) => (f === fold ? [row] : []));
    const held = subset(split, heldRows);
    const head = fitQualityHead(train.table, train.embeddings, settingsFor ? settingsFor(train, fold) : settings);
    const predicted = predictQuality(head, held.embeddings, held.table.count);
    heldRows.forEach((row, i) => out.set(predicted.subarray(i * width, (i + 1) * width), row * width));
  }
  return out;
}

/** The candidate with the best out-of-fold AIQ on `split` (5 folds, seed 1), and the table of all. */
function choose(split: Split, log: (line: string) => void): { settings: QualityHeadSettings; table: Record<string, number> } {
  const folds = foldsOf(split.table.count, 5, 1);
  const singles = singleModelPoints(split.table);
  const range = singleModelRange(singles);
  const hull = upperHull(singles);
  const table: Record<string, number> = {};
  let best: { settings: QualityHeadSettings; aiq: number } | undefined;
  for (const settings of CANDIDATES) {
    const curve = upperHull(knobSweep(split.table, predictFolds(split, settings, folds)));
    const aiq = areaMeasure(curve, range);
    table[JSON.stringify(settings)] = aiq;
    log(`  cv ${JSON.stringify(settings).padEnd(38)} out-of-fold AIQ ${aiq.toFixed(4)} (single-model hull ${areaMeasure(hull, range).toFixed(4)}; above it on ${(100 * shareAbove(curve, hull, range)).toFixed(0)}% of the costs)`);
    if (!best || aiq > best.aiq) best = { settings, aiq };
  }
  return { settings: best!.settings, table };
}

function modelMeans(table: NModelTable): Record<string, number> {
  return Object.fromEntries(singleModelPoints(table).map((p) => [p.model, p.quality]));
}

async function ship(name: string, dir: string, split: Split, prices: string | undefined, note: string): Promise<QualityHeadSettings> {
  console.log(`${name}: ${split.table.count} training prompts, ${split.table.models.length} models`);
  const { settings, table } = choose(split, console.log);
  console.log(`${name}: chosen ${JSON.stringify(settings)}`);
  const head = fitQualityHead(split.table, split.embeddings, settings);
  await saveQualityHead(dir, head, {
    embedder: { id: embedder.id, dimension: embedder.dimension },
    data: { sources: split.files.map((file) => ({ name: path.basename(file, '.jsonl'), file: `train/${file}` })), rows: split.table.count, prices: prices ?? null },
    metrics: { crossValidatedAiq: table[JSON.stringify(settings)] },
    notes: `${note} Made by \`nice -n 10 npx tsx scripts/build-quality-weights.ts ${name}\`: use-lite embeddings (disk cache), head chosen by 5-fold cross-validation by prompt (seed 1) on the training split, maximising out-of-fold AIQ; then refitted on the whole split.`,
    extra: { modelMeans: modelMeans(split.table), crossValidation: table },
  });
  return settings;
}

async function report(name: string, split: Split, scores: ArrayLike<number>): Promise<void> {
  const result = await evaluateNModels({ table: split.table, routers: [{ name: 'quality', scores }] });
  const dir = path.join(RESULTS, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'results.json'), `${JSON.stringify({ benchmark: split.files, ...result }, null, 2)}\n`);
  writeFileSync(path.join(dir, 'plot.svg'), renderNModelPlotSvg(result, { title: `Routing among ${split.table.models.length} models: ${name}` }));
  console.log(`\n== ${name} (${split.files.join(', ')})\n${formatNModelTable(result)}\n`);
}

const sets = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['routerbench', 'nvidia9', 'arenabench'];
const TASKS = ['arc_challenge', 'mbpp', 'winogrande'];
if (sets.includes('routerbench')) {
  const train = await load(TASKS.map((task) => `routerbench-${task}_train.jsonl`));
  const settings = await ship('routerbench', shippedWeightsDir('quality'), train, undefined, 'RouterBench (11 models, correctness 0/1, real per-answer costs).');
  const head = fitQualityHead(train.table, train.embeddings, settings);
  const tests = await Promise.all(TASKS.map((task) => load([`routerbench-${task}_test.jsonl`])));
  const all = concat(tests);
  await report('routerbench-test', all, predictQuality(head, all.embeddings, all.table.count));
  for (const [i, test] of tests.entries()) await report(`routerbench-${TASKS[i]}_test`, test, predictQuality(head, test.embeddings, test.table.count));
}
if (sets.includes('nvidia9')) {
  const prices = 'docs/results/prices/nvidia9.json';
  const train = await load(['nvidia9-train.jsonl'], prices);
  const settings = await ship('nvidia9', path.join(shippedWeightsDir('quality'), 'nvidia9'), train, prices, 'nvidia9 (9 open models, scores in [0, 1]).');
  const head = fitQualityHead(train.table, train.embeddings, settings);
  const test = await load(['nvidia9-test.jsonl'], prices);
  await report('nvidia9-test', test, predictQuality(head, test.embeddings, test.table.count));
}
if (sets.includes('arenabench')) {
  const prices = 'docs/results/prices/arenabench.json';
  const all = await load(['arenabench-scores.jsonl'], prices);
  const outer = foldsOf(all.table.count, 10, 100);
  const chosen: string[] = [];
  const scores = predictFolds(all, CANDIDATES[0], outer, (train, fold) => {
    const { settings } = choose(train, () => {});
    chosen.push(`fold ${fold}: ${JSON.stringify(settings)}`);
    return settings;
  });
  console.log(chosen.join('\n'));
  await report('arenabench-out-of-fold', all, scores);
  await ship('arenabench', path.join(shippedWeightsDir('quality'), 'arenabench'), all, prices, 'arena-bench (16 models, GPT-4 grades 1-10 on 299 open-ended prompts; rows lacking a grade of any model dropped).');
}
await embedder.dispose();
