/**
 * Shared loading for the routing-quality experiments (docs/experiments.md): training score rows,
 * benchmarks, cached use-lite embeddings, and the evaluation of a scorer on each benchmark.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_STRONG_MODEL,
  DEFAULT_WEAK_MODEL,
  decontaminate,
  loadGsm8k,
  loadMmluSplit,
  loadMtBench,
  readScoreRows,
  type Benchmark,
  type ScoreRow,
} from '../../src/data/index.js';
import { createEmbedder } from '../../src/embedders/registry.js';
import { withDiskCache } from '../../src/embedders/disk-cache.js';
import { curveMetrics, meanScore, thresholdSweep } from '../../src/eval/metrics.js';
import { defaultDataDir, shippedWeightsDir } from '../../src/weights-format/paths.js';
import { readJsonLines } from '../../src/data/jsonl.js';
import { createRng } from '../../src/train/random.js';
import { ridgeTarget } from '../../src/routers/ridge/train.js';

export const STRONG = DEFAULT_STRONG_MODEL;
export const WEAK = DEFAULT_WEAK_MODEL;

export interface Dataset {
  prompts: string[];
  embeddings: Float32Array;
  rows: ScoreRow[];
}

export async function embedAll(prompts: readonly string[]): Promise<Float32Array> {
  const embedder = withDiskCache(await createEmbedder('use-lite'));
  return embedder.embed(prompts);
}

/** Every score table under train/, decontaminated, plus the MMLU gold split as exact-pair rows. */
export async function loadTraining(): Promise<ScoreRow[]> {
  const dir = path.join(defaultDataDir(), 'train');
  const rows: ScoreRow[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.jsonl') || file.startsWith('arena')) continue;
    rows.push(...(await readScoreRows(path.join(dir, file))));
  }
  const { gold, rest } = await loadMmluSplit();
  for (const row of gold.rows) rows.push({ prompt: row.prompt, scores: row.scores, source: 'mmlu-gold' });
  const embedder = withDiskCache(await createEmbedder('use-lite'));
  // The gold split is MMLU itself: check everything against MMLU-rest, GSM8K and MT-Bench (not the gold rows).
  const evalPrompts = [...rest.rows, ...(await loadGsm8k()).rows, ...(await loadMtBench()).rows].map((row) => row.prompt);
  const result = await decontaminate(rows, { evalPrompts, embedder });
  console.error(`training rows: ${rows.length}, dropped as contaminated: ${result.dropped}`);
  return result.kept;
}

export async function loadBenchmarks(): Promise<Record<string, Benchmark>> {
  const { rest } = await loadMmluSplit();
  return { 'mt-bench': await loadMtBench(), 'mmlu-rest': rest, gsm8k: await loadGsm8k() };
}

/** What `evaluateScores` reads of a benchmark: rows with per-model scores, and the pair. */
export type ScoredRows = Pick<Benchmark, 'strongModel' | 'weakModel'> & { rows: readonly { prompt: string; scores: Record<string, number> }[] };

/** True when a row has results for both benchmark models (STRONG and WEAK). */
export function hasPair(row: { scores: Record<string, number> }): boolean {
  return row.scores[STRONG] !== undefined && row.scores[WEAK] !== undefined;
}

/** Rows scored for the benchmark pair, as a benchmark for `evaluateScores`. */
export function pairBenchmark(rows: ScoredRows['rows']): ScoredRows {
  return { rows, strongModel: STRONG, weakModel: WEAK };
}

/** The RouterBench `*_test` files under train/ (file names) and their rows with the benchmark pair: the validation set. */
export async function loadRouterBenchTest(): Promise<{ files: string[]; rows: ScoreRow[] }> {
  const dir = path.join(defaultDataDir(), 'train');
  const files = readdirSync(dir)
    .filter((name) => name.startsWith('routerbench') && name.endsWith('_test.jsonl'))
    .sort();
  const rows: ScoreRow[] = [];
  for (const file of files) rows.push(...(await readScoreRows(path.join(dir, file))).filter(hasPair));
  return { files, rows };
}

/**
 * Arena battles between models of different tiers of the shipped sw_ranking index, as a scored
 * benchmark: the better-tier model is "strong"; its win scores (1, 0), a loss (0, 1), a tie
 * (0.5, 0.5), both bad (0, 0). An open-ended validation set for scorers not trained on Arena.
 */
export async function loadArenaValidation(): Promise<ScoredRows> {
  const manifest = JSON.parse(readFileSync(path.join(shippedWeightsDir('sw_ranking'), 'manifest.json'), 'utf8'));
  const tiers = manifest.extra.tiers as Record<string, number>;
  const rows: { prompt: string; scores: Record<string, number> }[] = [];
  for (const record of await readJsonLines(path.join(defaultDataDir(), 'train', 'arena-battles.jsonl'))) {
    const { prompt, model_a: modelA, model_b: modelB, winner } = record.value as Record<string, string>;
    const [tierA, tierB] = [tiers[modelA], tiers[modelB]];
    if (tierA === undefined || tierB === undefined || tierA === tierB) continue;
    const strongIsA = tierA < tierB;
    const strongWon = winner === (strongIsA ? 'model_a' : 'model_b');
    const weakWon = winner === (strongIsA ? 'model_b' : 'model_a');
    const [strong, weak] = strongWon ? [1, 0] : weakWon ? [0, 1] : winner === 'tie' ? [0.5, 0.5] : [0, 0];
    rows.push({ prompt, scores: { strong, weak } });
  }
  return { rows, strongModel: 'strong', weakModel: 'weak' };
}

/** The experiments' targets, as the ridge router trains them (src/routers/ridge/train.ts), for the benchmark pair. */
export const pairGap = (row: ScoreRow) => ridgeTarget('pair-gap', row, STRONG, WEAK);
export const weakFails = (row: ScoreRow) => ridgeTarget('weak-fails', row, STRONG, WEAK);
export const difficulty = (row: ScoreRow) => ridgeTarget('difficulty', row, STRONG, WEAK);

/** APGR and CPT(50%) of `scores` on a benchmark's rows. */
export function evaluateScores(benchmark: ScoredRows, scores: ArrayLike<number>) {
  const strongScores = benchmark.rows.map((row) => row.scores[benchmark.strongModel]);
  const weakScores = benchmark.rows.map((row) => row.scores[benchmark.weakModel]);
  const points = thresholdSweep({ routerScores: scores, strongScores, weakScores });
  return curveMetrics(points, meanScore(strongScores), meanScore(weakScores));
}

export { textFeatures } from '../../src/routers/ridge/features.js';

/** What the ridge experiments share: training rows, benchmarks, their embeddings, and the validation split. */
export interface Experiment {
  training: ScoreRow[];
  benchmarks: Record<string, Benchmark>;
  trainEmbeddings: Float32Array;
  benchEmbeddings: Record<string, Float32Array>;
  /** Per training row: held out for validation (RouterBench `*_test` rows and a seeded fifth of the other exact-pair rows). */
  isValidation: boolean[];
}

export async function loadExperiment(): Promise<Experiment> {
  const training = await loadTraining();
  const benchmarks = await loadBenchmarks();
  const trainEmbeddings = await embedAll(training.map((row) => row.prompt));
  const benchEmbeddings: Record<string, Float32Array> = {};
  for (const [name, benchmark] of Object.entries(benchmarks)) benchEmbeddings[name] = await embedAll(benchmark.rows.map((row) => row.prompt));
  const rng = createRng(17);
  const isValidation = training.map((row) => hasPair(row) && (row.source.endsWith('_test') || rng() < 0.2));
  return { training, benchmarks, trainEmbeddings, benchEmbeddings, isValidation };
}
