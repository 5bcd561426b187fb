/**
 * Benchmarks as the evaluation harness sees them: prompts and one score per prompt for each of
 * the two models. The paper's three (MT-Bench, MMLU reported on MMLU-rest, GSM8K) come from the
 * loaders in src/data/evals.ts; a user's own benchmark comes from a CSV or JSON Lines file.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCsv } from '../data/csv.js';
import { DataError } from '../data/errors.js';
import { loadGsm8k, loadMmluSplit, loadMtBench, resolveDataDir } from '../data/evals.js';
import type { Benchmark } from '../data/evals.js';
import { parseJsonLines, readTextFile } from '../data/jsonl.js';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL, canonicalModelName, sameModel } from '../data/models.js';
import { InvalidInputError, ProviderError } from '../errors.js';
import { cacheDir } from '../weights-format/paths.js';

/** The built-in benchmarks, by their command-line names. */
export const EVAL_BENCHMARKS = Object.freeze(['mt-bench', 'mmlu', 'gsm8k'] as const);

/** A built-in benchmark name. */
export type EvalBenchmarkName = (typeof EVAL_BENCHMARKS)[number];

const BENCHMARK_SPELLINGS: Readonly<Record<string, EvalBenchmarkName>> = Object.freeze({
  'mt-bench': 'mt-bench',
  mt_bench: 'mt-bench',
  mtbench: 'mt-bench',
  mmlu: 'mmlu',
  'mmlu-rest': 'mmlu',
  gsm8k: 'gsm8k',
});

/**
 * How a benchmark's scores read. `preference-percent`: the share of prompts on which a model's
 * answer was the better of the two (ties count half), as `pairwiseBenchmark` makes them.
 */
export type ScoreUnit = 'accuracy-percent' | 'grade' | 'raw' | 'preference-percent';

/** A benchmark ready to evaluate routers on. */
export interface EvalBenchmark {
  /** `mt-bench`, `mmlu`, `gsm8k`, or `file:<name>` for a user file. */
  name: string;
  /** How to name it in reports, e.g. `MMLU-rest (12,537 questions outside the gold split)`. */
  label: string;
  strongModel: string;
  weakModel: string;
  /** The prompt each router scores (MT-Bench: the first turn). */
  prompts: string[];
  /** Strong model's score per prompt (accuracy benchmarks: 0 or 100, so means are percentages). */
  strongScores: Float64Array;
  /** Weak model's score per prompt. */
  weakScores: Float64Array;
  /** What a score means. */
  unit: ScoreUnit;
  /** Rows dropped as contaminated (built-in benchmarks). */
  contaminatedRemoved: number;
  /** Rows of a user file dropped because the strong or the weak model has no score there (null or empty). */
  unscoredRemoved?: number;
  /** Where the data came from (folder or file). */
  source: string;
}

/** The canonical built-in benchmark for a spelling, or undefined. */
export function resolveBenchmarkName(name: string): EvalBenchmarkName | undefined {
  return BENCHMARK_SPELLINGS[name.trim().toLowerCase()];
}

/** Options of `loadEvalBenchmark`. */
export interface LoadEvalBenchmarkOptions {
  /** Data folder holding `evals/` (default: `ROUTELLM_DATA_DIR`; `../shared/data` in a source checkout). */
  dataDir?: string;
  /** Strong model of the pair to evaluate (default: the benchmark's, gpt-4-1106-preview). */
  strongModel?: string;
  /** Weak model (default: the benchmark's, Mixtral-8x7B-Instruct). */
  weakModel?: string;
}

/**
 * Loads a built-in benchmark by name (`mt-bench`, `mmlu`, `gsm8k`; MMLU is MMLU-rest, the 12,537
 * rows outside the gold split), or a user file when `name` is a path ending in `.csv`, `.jsonl` or
 * `.json`. An unknown name throws `InvalidInputError` listing the valid ones; a missing data
 * folder throws `DataError('missing')` saying where the files come from.
 */
export async function loadEvalBenchmark(name: string, options: LoadEvalBenchmarkOptions = {}): Promise<EvalBenchmark> {
  if (/\.(csv|jsonl|json)$/i.test(name)) return loadBenchmarkFile(name, options);
  const canonical = resolveBenchmarkName(name);
  if (!canonical) {
    throw new InvalidInputError(
      `benchmark "${name}"`,
      `one of ${EVAL_BENCHMARKS.join(', ')}, or a .csv/.jsonl file of prompts with per-model scores`,
    );
  }
  const loaderOptions = { dataDir: options.dataDir };
  let data: Benchmark;
  let label: string;
  if (canonical === 'mmlu') {
    data = (await loadMmluSplit(loaderOptions)).rest;
    label = `MMLU-rest (${data.rows.length.toLocaleString('en-US')} MMLU questions outside the 1,500-question gold split)`;
  } else if (canonical === 'gsm8k') {
    data = await loadGsm8k(loaderOptions);
    label = `GSM8K (${data.rows.length.toLocaleString('en-US')} questions)`;
  } else {
    data = await loadMtBench(loaderOptions);
    label = `MT-Bench (${data.rows.length} questions, routed on the first turn)`;
  }
  const strongModel = pickModel(data.models, options.strongModel ?? data.strongModel, 'strong', data.folder);
  const weakModel = pickModel(data.models, options.weakModel ?? data.weakModel, 'weak', data.folder);
  const percent = canonical !== 'mt-bench';
  const scale = percent ? 100 : 1;
  return {
    name: canonical,
    label,
    strongModel,
    weakModel,
    prompts: data.rows.map((row) => row.prompt),
    strongScores: Float64Array.from(data.rows, (row) => row.scores[strongModel] * scale),
    weakScores: Float64Array.from(data.rows, (row) => row.scores[weakModel] * scale),
    unit: percent ? 'accuracy-percent' : 'grade',
    contaminatedRemoved: data.contaminatedRemoved,
    source: data.folder,
  };
}

function pickModel(models: readonly string[], wanted: string, side: string, source: string): string {
  const found = models.find((model) => sameModel(model, wanted));
  if (!found) throw new DataError('invalid', source, `no results for the ${side} model "${wanted}"; the benchmark has ${models.join(', ')}`);
  return found;
}

/** A cell's score; undefined for a model not graded on that row (JSON null or an empty cell). */
function parseScore(value: unknown, file: string, line: number, column: string): number | undefined {
  if (value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true') return 1;
    if (text === 'false') return 0;
    const number = Number(text);
    if (Number.isFinite(number)) return number;
  }
  throw new DataError('invalid', file, `column "${column}": expected a number or True/False, got ${JSON.stringify(value)}`, line);
}

function findColumn(columns: readonly string[], model: string): string | undefined {
  return columns.find((column) => column === model) ?? columns.find((column) => sameModel(column, model));
}

/**
 * A user benchmark: a CSV file with a `prompt` column and one numeric (or True/False) column per
 * model, or JSON Lines with `prompt` and either a score field per model or a `scores` object.
 * The strong and weak columns are `strongModel` / `weakModel` (default: the paper's pair, names
 * matched through the alias table). A missing column is a `DataError` naming the file, the column
 * and the columns present. A row where either model has no score (JSON null, an empty CSV cell) is
 * left out and counted in `unscoredRemoved`; any other non-numeric score is a `DataError`.
 */
export async function loadBenchmarkFile(file: string, options: LoadEvalBenchmarkOptions = {}): Promise<EvalBenchmark> {
  const text = await readTextFile(file);
  const strongWanted = options.strongModel ?? DEFAULT_STRONG_MODEL;
  const weakWanted = options.weakModel ?? DEFAULT_WEAK_MODEL;
  const prompts: string[] = [];
  const strong: number[] = [];
  const weak: number[] = [];
  let unscored = 0;
  const keep = (prompt: string, strongScore: number | undefined, weakScore: number | undefined) => {
    if (strongScore === undefined || weakScore === undefined) {
      unscored++;
      return;
    }
    prompts.push(prompt);
    strong.push(strongScore);
    weak.push(weakScore);
  };
  let strongModel: string;
  let weakModel: string;
  if (/\.csv$/i.test(file)) {
    const table = parseCsv(text, file);
    if (!table.header.includes('prompt')) throw new DataError('invalid', file, `no "prompt" column; columns: ${table.header.join(', ')}`, 1);
    const strongColumn = findColumn(table.header, strongWanted);
    const weakColumn = findColumn(table.header, weakWanted);
    for (const [side, wanted, column] of [['strong', strongWanted, strongColumn], ['weak', weakWanted, weakColumn]] as const) {
      if (!column) {
        throw new DataError('invalid', file, `no column for the ${side} model "${wanted}" (pass --${side}-model to pick one); columns: ${table.header.join(', ')}`, 1);
      }
    }
    strongModel = strongColumn!;
    weakModel = weakColumn!;
    table.records.forEach((record, index) => {
      keep(record.prompt, parseScore(record[strongModel], file, table.lines[index], strongModel), parseScore(record[weakModel], file, table.lines[index], weakModel));
    });
  } else {
    strongModel = canonicalModelName(strongWanted);
    weakModel = canonicalModelName(weakWanted);
    for (const record of parseJsonLines(text, file)) {
      const prompt = record.value.prompt;
      if (typeof prompt !== 'string') throw new DataError('invalid', file, 'field "prompt" must be a string', record.line);
      const nested = record.value.scores;
      const holder = typeof nested === 'object' && nested !== null && !Array.isArray(nested) ? (nested as Record<string, unknown>) : record.value;
      const columns = Object.keys(holder);
      const values: (number | undefined)[] = [];
      for (const [side, wanted] of [['strong', strongWanted], ['weak', weakWanted]] as const) {
        const column = findColumn(columns, wanted);
        if (!column) {
          throw new DataError(
            'invalid',
            file,
            `no score for the ${side} model "${wanted}" (pass --${side}-model to pick one); fields: ${columns.join(', ')}`,
            record.line,
          );
        }
        values.push(parseScore(holder[column], file, record.line, column));
      }
      keep(prompt, values[0], values[1]);
    }
  }
  if (prompts.length === 0) throw new DataError('invalid', file, unscored > 0 ? `no row has scores for both ${strongModel} and ${weakModel}` : 'no rows');
  const isAccuracy = [...strong, ...weak].every((value) => value === 0 || value === 1);
  const scale = isAccuracy ? 100 : 1;
  return {
    name: `file:${path.basename(file)}`,
    label: `${path.basename(file)} (${prompts.length.toLocaleString('en-US')} prompts${unscored > 0 ? `; ${unscored.toLocaleString('en-US')} rows without both scores left out` : ''})`,
    strongModel,
    weakModel,
    prompts,
    strongScores: Float64Array.from(strong, (value) => value * scale),
    weakScores: Float64Array.from(weak, (value) => value * scale),
    unit: isAccuracy ? 'accuracy-percent' : 'raw',
    contaminatedRemoved: 0,
    unscoredRemoved: unscored,
    source: path.resolve(file),
  };
}

/** The first answer's pairwise outcome against the second from their scores: 1 win, 0.5 tie, 0 loss. */
export function preferenceOf(score: number, other: number): number {
  return score > other ? 1 : score === other ? 0.5 : 0;
}

/**
 * The same prompts scored as a pairwise judge would: on each prompt the model with the higher
 * score wins (100 to 0) and equal scores tie (50 each), so a model's mean is the share of prompts
 * on which its answer was preferred. With judge grades this is the view of a pairwise judge
 * (AlpacaEval, Arena-style "which answer is better"), where how much better does not count; a
 * router can rank well by grade and near chance by preference (docs/experiments.md, section 16).
 */
export function pairwiseBenchmark(benchmark: EvalBenchmark): EvalBenchmark {
  const strongScores = benchmark.strongScores.map((strong, i) => 100 * preferenceOf(strong, benchmark.weakScores[i]));
  return {
    ...benchmark,
    name: `${benchmark.name}:pairwise`,
    label: `${benchmark.label}, pairwise (the higher score wins, ties half)`,
    strongScores,
    weakScores: strongScores.map((strong) => 100 - strong),
    unit: 'preference-percent',
  };
}

/** The original RouteLLM repository's raw files. */
export const ORIGINAL_DATA_URL = 'https://raw.githubusercontent.com/lm-sys/RouteLLM/main/routellm/evals';
/** MT-Bench's questions live in FastChat. */
export const MT_BENCH_QUESTIONS_URL = 'https://raw.githubusercontent.com/lm-sys/FastChat/main/fastchat/llm_judge/data/mt_bench/question.jsonl';

const MMLU_SUBJECTS = (
  'abstract_algebra anatomy astronomy business_ethics clinical_knowledge college_biology college_chemistry ' +
  'college_computer_science college_mathematics college_medicine college_physics computer_security conceptual_physics ' +
  'econometrics electrical_engineering elementary_mathematics formal_logic global_facts high_school_biology ' +
  'high_school_chemistry high_school_computer_science high_school_european_history high_school_geography ' +
  'high_school_government_and_politics high_school_macroeconomics high_school_mathematics high_school_microeconomics ' +
  'high_school_physics high_school_psychology high_school_statistics high_school_us_history high_school_world_history ' +
  'human_aging human_sexuality international_law jurisprudence logical_fallacies machine_learning management marketing ' +
  'medical_genetics miscellaneous moral_disputes moral_scenarios nutrition philosophy prehistory professional_accounting ' +
  'professional_law professional_medicine professional_psychology public_relations security_studies sociology ' +
  'us_foreign_policy virology world_religions'
).split(' ');

/** Options of `fetchBenchmarkData`. */
export interface FetchBenchmarkOptions {
  /** Data folder to fill (`<dir>/evals/<benchmark>`). Default: `<cache dir>/data`. */
  dataDir?: string;
  /** Base URL of the original repository's `routellm/evals` folder (for mirrors). */
  baseUrl?: string;
  /** URL of MT-Bench's `question.jsonl`. */
  questionsUrl?: string;
}

/** Where `fetchBenchmarkData` puts files by default: `<cache dir>/data` (pass it as --data-dir). */
export function benchmarkCacheDir(): string {
  return path.join(cacheDir(), 'data');
}

/**
 * Downloads a benchmark's files from the original RouteLLM repository (and MT-Bench's questions
 * from FastChat) into `<dataDir>/evals/<benchmark>/`, for users with internet. Files already there
 * are kept. Returns the data folder to pass as `dataDir`. A failed download is a `ProviderError`
 * that names the URL; nothing half-written is left (each file is written to a temporary name and renamed).
 */
export async function fetchBenchmarkData(name: string, options: FetchBenchmarkOptions = {}): Promise<string> {
  const canonical = resolveBenchmarkName(name);
  if (!canonical) throw new InvalidInputError(`benchmark "${name}"`, `one of ${EVAL_BENCHMARKS.join(', ')}`);
  const dataDir = resolveDataDir(options.dataDir ?? benchmarkCacheDir());
  const base = (options.baseUrl ?? ORIGINAL_DATA_URL).replace(/\/$/, '');
  const files: { relative: string; url: string; optional?: boolean }[] = [];
  if (canonical === 'mmlu') {
    files.push({ relative: 'mmlu/contaminated_prompts.jsonl', url: `${base}/mmlu/contaminated_prompts.jsonl`, optional: true });
    for (const subject of MMLU_SUBJECTS) {
      files.push({ relative: `mmlu/responses/mmlu_${subject}.csv`, url: `${base}/mmlu/responses/mmlu_${subject}.csv` });
    }
  } else if (canonical === 'gsm8k') {
    files.push({ relative: 'gsm8k/gsm8k_responses.csv', url: `${base}/gsm8k/gsm8k_responses.csv` });
    files.push({ relative: 'gsm8k/contaminated_prompts.jsonl', url: `${base}/gsm8k/contaminated_prompts.jsonl`, optional: true });
  } else {
    files.push({ relative: 'mt_bench/judgements.jsonl', url: `${base}/mt_bench/judgements.jsonl` });
    files.push({ relative: 'mt_bench/question.jsonl', url: options.questionsUrl ?? MT_BENCH_QUESTIONS_URL });
    files.push({ relative: 'mt_bench/contaminated_prompts.jsonl', url: `${base}/mt_bench/contaminated_prompts.jsonl`, optional: true });
  }
  for (const file of files) {
    const target = path.join(dataDir, 'evals', file.relative);
    if (existsSync(target)) continue;
    let response: Response;
    try {
      response = await fetch(file.url);
    } catch (error) {
      throw new ProviderError('benchmark download', `cannot fetch ${file.url} (${(error as Error).message}); without internet, copy the files by hand into ${path.dirname(target)}`, undefined, { cause: error });
    }
    if (!response.ok) {
      if (file.optional && response.status === 404) continue;
      throw new ProviderError('benchmark download', `GET ${file.url} answered ${response.status}`, response.status);
    }
    const body = Buffer.from(await response.arrayBuffer());
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.partial`;
    try {
      await writeFile(temporary, body);
      await rename(temporary, target);
    } finally {
      await rm(temporary, { force: true });
    }
  }
  return dataDir;
}
