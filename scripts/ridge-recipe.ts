/**
 * The shipped ridge router's recipe, shared by scripts/build-ridge-weights.ts and the experiments
 * of docs/experiments.md: the score tables it trains on (pinned, so a file added under train/ does
 * not change a rebuild) and the sources of its open and maths heads.
 */
import path from 'node:path';

/**
 * Every score table under train/ except the test splits (kept for validation) and the battle files
 * (no per-model results); the build adds the MMLU gold split.
 */
export const RIDGE_TABLES = [
  'arenabench-scores',
  'nvidia9-train',
  'open7-MATH_prealgebra',
  'open7-arc_challenge_train',
  'open7-arc_easy_train',
  'open7-gsm8k-train',
  'open7-humaneval_train',
  'open7-javascript',
  'open7-mbpp',
  'routerbench-arc_challenge_train',
  'routerbench-mbpp_train',
  'routerbench-winogrande_train',
] as const;

/** The open head's source: open-ended Arena prompts graded for the benchmark pair (docs/experiments.md, sections 11 and 13). */
export const OPEN_SOURCES = ['arenabench-scores'];

/** The maths head's sources: the open7 maths tables (docs/experiments.md, section 15). */
export const MATHS_SOURCES = ['open7-gsm8k-train', 'open7-MATH_prealgebra'];

/** The tables' paths under `<dataDir>/train`. */
export function ridgeTableFiles(dataDir: string, tables: readonly string[] = RIDGE_TABLES): string[] {
  return tables.map((table) => path.join(dataDir, 'train', `${table}.jsonl`));
}
