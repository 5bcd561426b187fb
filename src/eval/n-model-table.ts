/**
 * A benchmark for routing among N models: per prompt, each model's quality (RouterBench `correct`
 * 0/1, `scores` in [0, 1] or 1-10 grades) and cost (the file's `cost_usd` per answer, or prices
 * per 1M tokens times the estimated tokens).
 */
import { DataError } from '../data/errors.js';
import { readJsonLines } from '../data/jsonl.js';
import { canonicalModelName, findModel } from '../data/models.js';
import { scoreRowFromRecord } from '../data/scores.js';
import { InvalidInputError } from '../errors.js';
import { estimateTokens, expectedCosts, type TokenPrice } from '../policy/index.js';
import type { SweepTable } from './cost-quality.js';

/** A benchmark table: prompts x models, row-major. */
export interface NModelTable extends SweepTable {
  /** Canonical model names, in column order. */
  models: string[];
  prompts: string[];
  /** Where the costs came from. */
  costSource: 'file' | 'prices';
  /** Rows of the file left out because a chosen model has no result on them. */
  skippedRows: number;
}

/** Options of `readNModelTable`. */
export interface ReadNModelTableOptions {
  /** The models to route among (names or aliases). Default: every model of the first row. */
  models?: readonly string[];
  /**
   * Prices per 1M tokens by model. Needed when the file has no `cost_usd`; with one, they replace
   * the policy's view of cost (the file's costs are still what is paid).
   */
  prices?: Readonly<Record<string, TokenPrice>>;
  /** Output tokens per answer for price-based costs (default the policy's `DEFAULT_OUTPUT_TOKENS`). */
  outputTokens?: number;
}

function costsOf(value: unknown, file: string, line: number): Record<string, number> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DataError('invalid', file, 'expected "cost_usd" to be an object (model -> dollars)', line);
  const out: Record<string, number> = {};
  for (const [model, raw] of Object.entries(value as Record<string, unknown>)) {
    if (raw === null) continue;
    if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0) throw new DataError('invalid', file, `cost_usd[${JSON.stringify(model)}] must be a number >= 0, got ${JSON.stringify(raw)}`, line);
    out[canonicalModelName(model)] = raw;
  }
  return out;
}

/**
 * Reads a JSON Lines benchmark into a table. Rows where a chosen model has no result (or, with
 * file costs, no cost) are skipped and counted. Throws `InvalidInputError` for fewer than two
 * models, a model no row has, or a missing price; `DataError` for a malformed file.
 */
export async function readNModelTable(file: string, options: ReadNModelTableOptions = {}): Promise<NModelTable> {
  const records = await readJsonLines(file);
  if (records.length === 0) throw new DataError('invalid', file, 'no rows');
  const rows = records.map((record) => ({ row: scoreRowFromRecord(record, file, 'benchmark'), costs: costsOf(record.value.cost_usd, file, record.line) }));
  const models = (options.models ?? Object.keys(rows[0].row.scores)).map(canonicalModelName);
  if (models.length < 2) throw new InvalidInputError('models', `at least two models to route among, got ${models.length}`);
  if (new Set(models).size !== models.length) throw new InvalidInputError('models', 'distinct models');
  for (const model of models) {
    if (!rows.some(({ row }) => model in row.scores)) {
      throw new InvalidInputError(`model "${model}"`, `a model with results in ${file} (it has: ${Object.keys(rows[0].row.scores).join(', ')})`);
    }
  }
  const fileCosts = rows.every(({ costs }) => costs !== undefined);
  if (!fileCosts && !options.prices) throw new InvalidInputError('prices', `a price per model (${file} has no "cost_usd" on every row)`);
  const kept = rows.filter(({ row, costs }) => models.every((model) => model in row.scores && (!fileCosts || (costs && model in costs))));
  if (kept.length === 0) throw new DataError('invalid', file, `no row has results for all of ${models.join(', ')}`);
  const width = models.length;
  const quality = new Float64Array(kept.length * width);
  const cost = new Float64Array(kept.length * width);
  const priced = options.prices ? pricedCosts(kept.map(({ row }) => row.prompt), models, options.prices, options.outputTokens) : undefined;
  kept.forEach(({ row, costs }, i) => {
    models.forEach((model, j) => {
      quality[i * width + j] = row.scores[model];
      cost[i * width + j] = fileCosts ? costs![model] : priced![i * width + j];
    });
  });
  return {
    models,
    prompts: kept.map(({ row }) => row.prompt),
    count: kept.length,
    quality,
    cost,
    decisionCost: priced ?? (fileCosts ? meanCostColumns(cost, kept.length, width) : undefined),
    costSource: fileCosts ? 'file' : 'prices',
    skippedRows: rows.length - kept.length,
  };
}

function pricedCosts(prompts: readonly string[], models: readonly string[], prices: Readonly<Record<string, TokenPrice>>, outputTokens?: number): Float64Array {
  // Prices may be keyed by any spelling of a model's name.
  const byCanonical: Record<string, TokenPrice> = {};
  for (const model of models) {
    const key = Object.keys(prices)[findModel(Object.keys(prices), model)];
    if (key !== undefined) byCanonical[model] = prices[key];
  }
  const out = new Float64Array(prompts.length * models.length);
  prompts.forEach((prompt, i) => {
    expectedCosts(models, byCanonical, estimateTokens(prompt), { defaultOutputTokens: outputTokens }).forEach((value, j) => (out[i * models.length + j] = value));
  });
  return out;
}

/**
 * The policy's view of file costs: each model's mean cost per answer over the table (a price
 * list's information, not the length of the answer it has not written yet).
 */
export function meanCostColumns(cost: Float64Array, count: number, width: number): Float64Array {
  const means = new Float64Array(width);
  for (let i = 0; i < count; i++) for (let j = 0; j < width; j++) means[j] += cost[i * width + j] / count;
  const out = new Float64Array(count * width);
  for (let i = 0; i < count; i++) out.set(means, i * width);
  return out;
}
