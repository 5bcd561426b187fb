export type { Battle, ScoreRow, TrainingFileKind, Winner } from './types.js';
export { WINNERS } from './types.js';
export { DataError } from './errors.js';
export type { DataProblem } from './errors.js';
export { parseJsonLines, readJsonLines, readTextFile } from './jsonl.js';
export type { JsonLine } from './jsonl.js';
export { parseCsv } from './csv.js';
export type { CsvTable } from './csv.js';
export { battleFromRecord, readBattles, sourceName } from './battles.js';
export type { ReadBattlesOptions } from './battles.js';
export { readScoreRows, scoreRowFromRecord } from './scores.js';
export type { ReadScoreRowsOptions } from './scores.js';
export { goldenWinner, scoreRowsToBattles, weightForSource } from './golden.js';
export type { GoldenLabelOptions } from './golden.js';
export { detectKind, readTrainingData } from './training-data.js';
export type { ReadTrainingDataOptions, SourceSummary, TrainingData } from './training-data.js';
export {
  BENCHMARK_NAMES,
  MMLU_GOLD_SIZE,
  loadBenchmark,
  loadEvaluationPrompts,
  loadGsm8k,
  loadMmlu,
  loadMmluSplit,
  loadMtBench,
  resolveDataDir,
} from './evals.js';
export type { Benchmark, BenchmarkName, BenchmarkRow, LoadBenchmarkOptions } from './evals.js';
export { decontaminate, normalizePrompt } from './decontaminate.js';
export type { DecontaminateOptions, DecontaminateResult } from './decontaminate.js';
export { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL, canonicalModelName, findModel, sameModel } from './models.js';
