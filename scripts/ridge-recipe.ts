/**
 * The shipped ridge router's recipe, shared by scripts/build-ridge-weights.ts and the experiments
 * of docs/experiments.md: the score tables it trains on (pinned in scripts/shipped-training-files.ts,
 * so a file added under train/ does not change a rebuild) and the sources of its open and maths heads.
 */
import path from 'node:path';
import { RIDGE_TRAINING_FILES } from './shipped-training-files.js';

/** The open head's source: open-ended Arena prompts graded for the benchmark pair (docs/experiments.md, sections 11 and 13). */
export const OPEN_SOURCES = ['arenabench-scores'];

/** The maths head's sources: the open7 maths tables (docs/experiments.md, section 15). */
export const MATHS_SOURCES = ['open7-gsm8k-train', 'open7-MATH_prealgebra'];

/** The training tables' paths under `<dataDir>/train`, less those of the listed sources. */
export function ridgeTableFiles(dataDir: string, without: readonly string[] = []): string[] {
  return RIDGE_TRAINING_FILES.filter((file) => !without.includes(file.replace(/\.jsonl$/, ''))).map((file) => path.join(dataDir, 'train', file));
}
