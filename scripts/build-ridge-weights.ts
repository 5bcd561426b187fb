/**
 * Rebuilds the shipped ridge router (weights/ridge) from ../shared/data:
 *
 *   npx tsx scripts/build-ridge-weights.ts [--data-dir DIR] [--output DIR]
 *
 * Training files: `RIDGE_TRAINING_FILES` (scripts/shipped-training-files.ts: every table under train/
 * except the test splits and the battle files), plus the MMLU gold split. Heads: trainRidge's
 * defaults, with their sources from the recipe.
 * - Multiple choice: pair gap, lambda 1, text features, on every source the other heads do not
 *   list (chosen by scripts/experiments/gated.ts, docs/experiments.md section 10).
 * - Open: weak fails fitted as midranks, lambda 3, embedding only, on the arenabench scores alone
 *   (chosen out-of-fold by scripts/experiments/open-ended.ts, sections 11 and 13).
 * - Maths: difficulty fitted as midranks within each table, lambda 1, text features, on the open7
 *   GSM8K-train and MATH prealgebra tables (chosen out-of-fold by the same script, section 15).
 * use-lite embeddings through the shared disk cache; decontaminated against MMLU-rest, GSM8K and
 * MT-Bench (cosine >= 0.95).
 */
import { resolveDataDir } from '../src/data/evals.js';
import { trainRidge } from '../src/routers/ridge/train.js';
import { shippedWeightsDir } from '../src/weights-format/index.js';
import { flagValues } from './flags.js';
import { MATHS_SOURCES, OPEN_SOURCES, ridgeTableFiles } from './ridge-recipe.js';

const dataDir = resolveDataDir(flagValues('data-dir')?.[0]);
const files = ridgeTableFiles(dataDir);
const output = flagValues('output')?.[0] ?? shippedWeightsDir('ridge');
process.stderr.write(`build-ridge-weights: ${files.length} files -> ${output}\n`);
const started = Date.now();
const result = await trainRidge({ data: files, output, mmluGold: true, dataDir, embedder: 'use-lite', open: { sources: OPEN_SOURCES }, maths: { sources: MATHS_SOURCES }, progress: true, notes: 'Reproduce: npx tsx scripts/build-ridge-weights.ts. Head settings: multiple choice chosen by scripts/experiments/gated.ts; open (out-of-fold on arenabench) and maths (out-of-fold on the open7 maths tables) chosen by scripts/experiments/open-ended.ts (docs/experiments.md, sections 10, 11, 13 and 15).' });
console.log(JSON.stringify({ output: result.output, seconds: Math.round((Date.now() - started) / 1000), trainRows: result.details.trainRows, droppedContaminated: result.droppedContaminated }, null, 2));
