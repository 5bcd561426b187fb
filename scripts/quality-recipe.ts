/**
 * The recipe of the \`quality\` router's heads, shared by scripts/build-quality-weights.ts and the
 * experiments of docs/experiments.md: reading the score tables with their use-lite embeddings
 * (disk cache), subsets and unions of rows, folds by prompt, out-of-fold predictions, and the
 * choice of a head by cross-validated AIQ.
 */
import path from 'node:path';
import { withDiskCache } from '../src/embedders/disk-cache.js';
import { createEmbedder } from '../src/embedders/registry.js';
import { areaMeasure, knobSweep, shareAbove, singleModelPoints, singleModelRange, upperHull } from '../src/eval/cost-quality.js';
import type { CostScale } from '../src/policy/index.js';
import { meanCostColumns, readNModelTable, type NModelTable } from '../src/eval/n-model-table.js';
import { readPrices } from '../src/eval/prices.js';
import { fitQualityHead, predictQuality, type QualityHead, type QualityHeadSettings } from '../src/routers/quality/head.js';
import { neighbourIndex } from '../src/routers/quality/index.js';
import { createRng, shuffled } from '../src/train/random.js';
import { defaultDataDir } from '../src/weights-format/paths.js';

export const TRAIN = path.join(defaultDataDir(), 'train');
export const CANDIDATES: QualityHeadSettings[] = [
  ...[1, 3, 10, 30, 100].map((lambda) => ({ kind: 'ridge' as const, lambda })),
  ...[25, 100].map((k) => ({ kind: 'knn' as const, k, prior: 5 })),
];
export const embedder = withDiskCache(await createEmbedder('use-lite'));

export interface Split {
  table: NModelTable;
  embeddings: Float32Array;
  files: string[];
}

export async function load(files: string[], prices?: string): Promise<Split> {
  const parts: Split[] = [];
  for (const file of files) {
    const table = await readNModelTable(path.join(TRAIN, file), { prices: prices ? await readPrices(prices) : undefined });
    parts.push({ table, embeddings: await embedder.embed(table.prompts), files: [file] });
  }
  return parts.length === 1 ? parts[0] : concat(parts);
}

export function pickRows(values: Float64Array | Float32Array, rows: readonly number[], width: number): Float64Array {
  const out = new Float64Array(rows.length * width);
  rows.forEach((row, i) => out.set(values.subarray(row * width, (row + 1) * width), i * width));
  return out;
}

export function subset(split: Split, rows: readonly number[]): Split {
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

export function concat(parts: Split[]): Split {
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
  const count = parts.reduce((sum, p) => sum + p.table.count, 0);
  const cost = join(parts.map((p) => p.table.cost), (n) => new Float64Array(n));
  return {
    table: {
      ...parts[0].table,
      prompts: parts.flatMap((p) => p.table.prompts),
      count,
      quality: join(parts.map((p) => p.table.quality), (n) => new Float64Array(n)),
      cost,
      // As `routellm eval` reads the files joined into one: the policy sees each model's mean cost over all of them.
      decisionCost: meanCostColumns(cost, count, models.length),
      skippedRows: parts.reduce((sum, p) => sum + p.table.skippedRows, 0),
    },
    embeddings: join(parts.map((p) => p.embeddings), (n) => new Float32Array(n)),
    files: parts.flatMap((p) => p.files),
  };
}

export function foldsOf(count: number, folds: number, seed: number): number[] {
  const out = new Array<number>(count);
  shuffled(Array.from({ length: count }, (_, i) => i), createRng(seed)).forEach((row, position) => (out[row] = position % folds));
  return out;
}

export function predictFolds(split: Split, settings: QualityHeadSettings, folds: number[], settingsFor?: (train: Split, fold: number) => QualityHeadSettings): Float32Array {
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
/** A head and the knob's cost scale, as chosen. */
export interface Choice {
  settings: QualityHeadSettings;
  costScale: CostScale;
}

/**
 * The head and cost scale with the best out-of-fold AIQ on `split` (5 folds by prompt, seed 1;
 * each candidate's out-of-fold predictions are swept with every scale in `scales`), and the AIQ
 * of every pair.
 */
export function choose(
  split: Split,
  log: (line: string) => void,
  scales: readonly CostScale[] = ['log', 'linear'],
  candidates: readonly QualityHeadSettings[] = CANDIDATES,
): Choice & { table: Record<string, number> } {
  const folds = foldsOf(split.table.count, 5, 1);
  const singles = singleModelPoints(split.table);
  const range = singleModelRange(singles);
  const hull = upperHull(singles);
  const table: Record<string, number> = {};
  let best: (Choice & { aiq: number }) | undefined;
  for (const settings of candidates) {
    const predicted = predictFolds(split, settings, folds);
    for (const costScale of scales) {
      const curve = upperHull(knobSweep(split.table, predicted, undefined, { costScale }));
      const aiq = areaMeasure(curve, range);
      const key = `${JSON.stringify(settings)} ${costScale}`;
      table[key] = aiq;
      log(`  cv ${key.padEnd(44)} out-of-fold AIQ ${aiq.toFixed(4)} (single-model hull ${areaMeasure(hull, range).toFixed(4)}; above it on ${(100 * shareAbove(curve, hull, range)).toFixed(0)}% of the costs)`);
      if (!best || aiq > best.aiq) best = { settings, costScale, aiq };
    }
  }
  return { settings: best!.settings, costScale: best!.costScale, table };
}

/**
 * A head's predictions for a split, in the split's model order (files may list the models in another
 * order), found as the router finds them (a kNN head through the int8 kernel where it runs).
 */
export function predictSplit(head: QualityHead, split: Split): Float32Array {
  const index = neighbourIndex(head);
  const all = predictQuality(head, split.embeddings, split.table.count, index && ((queries, count) => index.similaritiesSync(queries, count)));
  index?.dispose();
  const columns = split.table.models.map((model) => {
    const index = head.models.indexOf(model);
    if (index < 0) throw new Error(`the head does not know ${model}`);
    return index;
  });
  const out = new Float32Array(split.table.count * columns.length);
  for (let row = 0; row < split.table.count; row++) columns.forEach((index, j) => (out[row * columns.length + j] = all[row * head.models.length + index]));
  return out;
}

