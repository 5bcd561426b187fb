import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The benchmark data folder the data tests read: `ROUTELLM_DATA_DIR` when set, else `../shared/data`
 * beside the checkout (where CI has it).
 */
export const benchmarkDataDir = process.env.ROUTELLM_DATA_DIR?.trim() || path.resolve(root, '..', 'shared', 'data');

/** Whether the benchmark files are there; tests that need them skip when they are not. */
export const hasBenchmarkData = existsSync(path.join(benchmarkDataDir, 'evals', 'mt_bench', 'question.jsonl'));

if (!hasBenchmarkData) {
  // One line per test file that needs the data, so a skipped run says why and how to run it.
  process.stderr.write(`routellm tests: no benchmark data at ${benchmarkDataDir}; tests that need it are skipped (set ROUTELLM_DATA_DIR to the data folder to run them)\n`);
}
