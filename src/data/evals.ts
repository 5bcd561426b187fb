/**
 * Loaders of the three benchmarks of the paper (from the original RouteLLM repository): MMLU,
 * GSM8K and MT-Bench, each with the original's contaminated prompts removed, in one shape:
 * a prompt and a result per model (higher is better).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { defaultDataDir } from '../weights-format/paths.js';
import { parseCsv } from './csv.js';
import { DataError } from './errors.js';
import { readJsonLines, readTextFile, stringField } from './jsonl.js';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL, canonicalModelName } from './models.js';

/** The benchmarks, and the two halves of MMLU (`mmlu-gold` may be trained on; report on `mmlu-rest`). */
export type BenchmarkName = 'mmlu' | 'mmlu-gold' | 'mmlu-rest' | 'gsm8k' | 'mt-bench';
export const BENCHMARK_NAMES: readonly BenchmarkName[] = Object.freeze(['mmlu', 'mmlu-gold', 'mmlu-rest', 'gsm8k', 'mt-bench']);

/** Number of MMLU rows (after decontamination, sorted by SHA-256 of the prompt) in the gold split. */
export const MMLU_GOLD_SIZE = 1500;

/** One benchmark question. */
export interface BenchmarkRow {
  /** Stable id inside the benchmark (`<subject>:<row>` for MMLU, the row for GSM8K, the question id for MT-Bench). */
  id: string;
  /** The prompt a router sees (MT-Bench: the first turn). */
  prompt: string;
  /** Canonical model name -> result: 1/0 correctness (MMLU, GSM8K) or the mean 1-10 grade of both turns (MT-Bench). */
  scores: Record<string, number>;
  /** MMLU subject or MT-Bench category. */
  category?: string;
  /** GSM8K: each model's answer text. */
  responses?: Record<string, string>;
  /** MT-Bench: both turns. */
  turns?: string[];
}

/** A loaded benchmark. */
export interface Benchmark {
  name: BenchmarkName;
  rows: BenchmarkRow[];
  /** Canonical names of the models with results, strong first. */
  models: string[];
  strongModel: string;
  weakModel: string;
  /** Range of a result: [0, 1] for correctness, [1, 10] for MT-Bench grades. */
  scoreRange: [number, number];
  /** Rows removed as contaminated (listed in the benchmark's `contaminated_prompts.jsonl`). */
  contaminatedRemoved: number;
  /** The folder the benchmark was read from. */
  folder: string;
}

/** Where the data lives: `dataDir` if given, else `defaultDataDir()` (`ROUTELLM_DATA_DIR`; `../shared/data` in a source checkout). */
export function resolveDataDir(dataDir?: string): string {
  return dataDir ? path.resolve(dataDir) : defaultDataDir();
}

/** Options of the benchmark loaders. */
export interface LoadBenchmarkOptions {
  /** The data folder (holding `evals/`). Default: see `resolveDataDir`. */
  dataDir?: string;
}

function benchmarkFolder(dataDir: string | undefined, benchmark: 'mmlu' | 'gsm8k' | 'mt_bench'): string {
  const root = resolveDataDir(dataDir);
  const folder = path.join(root, 'evals', benchmark);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new DataError(
      'missing',
      folder,
      `the ${benchmark} benchmark data was not found. Expected ${path.join(root, 'evals', benchmark)} ` +
        `(set ROUTELLM_DATA_DIR or pass --data-dir / dataDir to the folder that holds evals/). ` +
        `The files come from the original RouteLLM repository (https://github.com/lm-sys/RouteLLM, ` +
        `routellm/evals/${benchmark}/): copy that folder to <data dir>/evals/${benchmark}.`,
    );
  }
  return folder;
}

async function contaminatedPrompts(folder: string): Promise<Set<string>> {
  const file = path.join(folder, 'contaminated_prompts.jsonl');
  if (!existsSync(file)) return new Set();
  const records = await readJsonLines(file);
  return new Set(records.map((record) => stringField(record, 'eval_prompt', file)));
}

function correctness(value: string, file: string, line: number, column: string): number {
  const normalized = value.trim().toLowerCase();
  if (normalized === 'true' || normalized === '1') return 1;
  if (normalized === 'false' || normalized === '0') return 0;
  throw new DataError('invalid', file, `column "${column}": expected True or False, got ${JSON.stringify(value)}`, line);
}

function orderModels(models: string[]): string[] {
  return [...models].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function rank(model: string): number {
  return model === DEFAULT_STRONG_MODEL ? 0 : model === DEFAULT_WEAK_MODEL ? 1 : 2;
}

async function readCorrectnessCsv(
  file: string,
  idPrefix: string,
  category: string | undefined,
): Promise<{ rows: BenchmarkRow[]; models: string[] }> {
  const table = parseCsv(await readTextFile(file), file);
  if (!table.header.includes('prompt')) throw new DataError('invalid', file, 'no "prompt" column in the header', 1);
  const modelColumns = table.header.filter((column) => column !== 'prompt' && !column.endsWith('_response'));
  const responseColumns = table.header.filter((column) => column.endsWith('_response'));
  const rows = table.records.map((record, index) => {
    const scores: Record<string, number> = {};
    for (const column of modelColumns) scores[canonicalModelName(column)] = correctness(record[column], file, table.lines[index], column);
    const row: BenchmarkRow = { id: `${idPrefix}${index}`, prompt: record.prompt, scores };
    if (category) row.category = category;
    if (responseColumns.length) {
      row.responses = {};
      for (const column of responseColumns) row.responses[canonicalModelName(column.slice(0, -'_response'.length))] = record[column];
    }
    return row;
  });
  return { rows, models: modelColumns.map(canonicalModelName) };
}

/** MMLU: 57 subject CSVs (`evals/mmlu/responses/mmlu_<subject>.csv`), 14,037 rows after decontamination. */
export async function loadMmlu(options: LoadBenchmarkOptions = {}): Promise<Benchmark> {
  const folder = benchmarkFolder(options.dataDir, 'mmlu');
  const responses = path.join(folder, 'responses');
  const files = existsSync(responses) ? readdirSync(responses).filter((name) => name.endsWith('.csv')).sort() : [];
  if (files.length === 0) throw new DataError('missing', responses, 'no mmlu_<subject>.csv files (from the original RouteLLM repository, routellm/evals/mmlu/responses)');
  const contaminated = await contaminatedPrompts(folder);
  const rows: BenchmarkRow[] = [];
  const models = new Set<string>();
  let removed = 0;
  for (const name of files) {
    const subject = name.replace(/^mmlu_/, '').replace(/\.csv$/, '');
    const table = await readCorrectnessCsv(path.join(responses, name), `${subject}:`, subject);
    table.models.forEach((model) => models.add(model));
    for (const row of table.rows) {
      if (contaminated.has(row.prompt)) removed++;
      else rows.push(row);
    }
  }
  return benchmark('mmlu', rows, [...models], [0, 1], removed, folder);
}

/**
 * The fixed MMLU split: decontaminated MMLU rows sorted by the SHA-256 hex digest of the exact
 * prompt (UTF-8); the first 1,500 are `mmlu-gold` (may be trained on), the other 12,537 are
 * `mmlu-rest` (report MMLU results on these, and say so).
 */
export async function loadMmluSplit(options: LoadBenchmarkOptions = {}): Promise<{ gold: Benchmark; rest: Benchmark }> {
  const all = await loadMmlu(options);
  const keyed = all.rows.map((row, index) => ({ row, index, key: createHash('sha256').update(row.prompt, 'utf8').digest('hex') }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index));
  const sorted = keyed.map((entry) => entry.row);
  return {
    gold: { ...all, name: 'mmlu-gold', rows: sorted.slice(0, MMLU_GOLD_SIZE) },
    rest: { ...all, name: 'mmlu-rest', rows: sorted.slice(MMLU_GOLD_SIZE) },
  };
}

/** GSM8K: `evals/gsm8k/gsm8k_responses.csv`, 1,307 rows after decontamination, with each model's answer. */
export async function loadGsm8k(options: LoadBenchmarkOptions = {}): Promise<Benchmark> {
  const folder = benchmarkFolder(options.dataDir, 'gsm8k');
  const file = path.join(folder, 'gsm8k_responses.csv');
  const contaminated = await contaminatedPrompts(folder);
  const table = await readCorrectnessCsv(file, '', undefined);
  const rows = table.rows.filter((row) => !contaminated.has(row.prompt));
  return benchmark('gsm8k', rows, table.models, [0, 1], table.rows.length - rows.length, folder);
}

/**
 * MT-Bench: `question.jsonl` and GPT-4 single-answer grades in `judgements.jsonl`. The prompt is
 * the first turn; a question's result per model is the mean of both turns' grades (1-10).
 * 72 questions after decontamination; a question without grades for every model is left out.
 */
export async function loadMtBench(options: LoadBenchmarkOptions = {}): Promise<Benchmark> {
  const folder = benchmarkFolder(options.dataDir, 'mt_bench');
  const questionFile = path.join(folder, 'question.jsonl');
  const judgementFile = path.join(folder, 'judgements.jsonl');
  const contaminated = await contaminatedPrompts(folder);
  const grades = new Map<string, Map<string, number[]>>();
  const models = new Set<string>();
  for (const record of await readJsonLines(judgementFile)) {
    const id = String(record.value.question_id);
    const model = canonicalModelName(stringField(record, 'model', judgementFile));
    const score = record.value.score;
    if (typeof score !== 'number' || !Number.isFinite(score)) {
      throw new DataError('invalid', judgementFile, `field "score" must be a number, got ${JSON.stringify(score)}`, record.line);
    }
    if (score < 0) continue;
    models.add(model);
    const byModel = grades.get(id) ?? new Map<string, number[]>();
    grades.set(id, byModel);
    byModel.set(model, [...(byModel.get(model) ?? []), score]);
  }
  const rows: BenchmarkRow[] = [];
  let removed = 0;
  for (const record of await readJsonLines(questionFile)) {
    const turns = record.value.turns;
    if (!Array.isArray(turns) || turns.length === 0 || typeof turns[0] !== 'string') {
      throw new DataError('invalid', questionFile, 'field "turns" must be a non-empty array of strings', record.line);
    }
    const id = String(record.value.question_id);
    const prompt = turns[0] as string;
    if (contaminated.has(prompt)) {
      removed++;
      continue;
    }
    const byModel = grades.get(id);
    if (!byModel || [...models].some((model) => !byModel.has(model))) continue;
    const scores: Record<string, number> = {};
    for (const [model, values] of byModel) scores[model] = values.reduce((sum, value) => sum + value, 0) / values.length;
    const row: BenchmarkRow = { id, prompt, scores, turns: turns as string[] };
    if (typeof record.value.category === 'string') row.category = record.value.category;
    rows.push(row);
  }
  return benchmark('mt-bench', rows, [...models], [1, 10], removed, folder);
}

/** Loads a benchmark by name (see `BenchmarkName`). */
export async function loadBenchmark(name: BenchmarkName, options: LoadBenchmarkOptions = {}): Promise<Benchmark> {
  switch (name) {
    case 'mmlu':
      return loadMmlu(options);
    case 'mmlu-gold':
      return (await loadMmluSplit(options)).gold;
    case 'mmlu-rest':
      return (await loadMmluSplit(options)).rest;
    case 'gsm8k':
      return loadGsm8k(options);
    case 'mt-bench':
      return loadMtBench(options);
    default:
      throw new DataError('missing', String(name), `unknown benchmark: expected one of ${BENCHMARK_NAMES.join(', ')}`);
  }
}

/**
 * Every evaluation prompt of the three benchmarks (MMLU, GSM8K, MT-Bench first turns), for
 * decontamination. `mmlu: 'rest'` leaves out the gold split, for training that uses it.
 */
export async function loadEvaluationPrompts(options: LoadBenchmarkOptions & { mmlu?: 'all' | 'rest' } = {}): Promise<string[]> {
  const mmlu = options.mmlu === 'rest' ? loadMmluSplit(options).then((split) => split.rest) : loadMmlu(options);
  const [mmluRows, gsm8k, mtBench] = await Promise.all([mmlu, loadGsm8k(options), loadMtBench(options)]);
  return [...mmluRows.rows, ...gsm8k.rows, ...mtBench.rows].map((row) => row.prompt);
}

function benchmark(
  name: BenchmarkName,
  rows: BenchmarkRow[],
  models: string[],
  scoreRange: [number, number],
  contaminatedRemoved: number,
  folder: string,
): Benchmark {
  const ordered = orderModels(models);
  const strongModel = ordered.includes(DEFAULT_STRONG_MODEL) ? DEFAULT_STRONG_MODEL : ordered[0];
  const weakModel = ordered.includes(DEFAULT_WEAK_MODEL) ? DEFAULT_WEAK_MODEL : ordered[1];
  return { name, rows, models: ordered, strongModel, weakModel, scoreRange, contaminatedRemoved, folder };
}
