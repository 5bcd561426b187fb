/**
 * Rebuilds the shipped sw_ranking battle index in weights/sw_ranking (deterministic: the same data
 * gives the same binaries; only `createdAt` in the manifest changes).
 *
 *   npx tsx scripts/build-sw-ranking-weights.ts [--data-dir ../shared/data] [--output weights/sw_ranking] [--max-pairs 10]
 *     [--sources arena-battles,routerbench-arc_challenge_train,...] (file names under <data dir>/train;
 *     default SW_RANKING_TRAINING_FILES of scripts/shipped-training-files.ts, the shipped manifest's)
 *     [--evaluate] (then score MMLU-rest, GSM8K and MT-Bench and record APGR / CPT in the manifest)
 *     [--evaluate-only] (only that, on the index already in --output)
 *
 * Data: the Arena battles, golden-label battles from the RouterBench correctness tables (train
 * splits; at most `--max-pairs` model pairs per prompt so they do not drown the Arena votes), and
 * the MMLU gold split (gpt-4-1106-preview vs Mixtral). The open7 / nvidia9 score tables are left
 * out: none of their models appears in the other sources, so their ratings could not be put on
 * the same scale (they would form a separate, arbitrarily centred group). Everything is embedded
 * with `use-lite` through the shared disk cache and decontaminated (cosine >= 0.95) against
 * MMLU-rest, GSM8K and MT-Bench. Then the effect of int8 storage is measured on benchmark prompts
 * and recorded in the manifest's metrics.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { battleFromRecord } from '../src/data/battles.js';
import { loadGsm8k, loadMmluSplit, loadMtBench, resolveDataDir } from '../src/data/evals.js';
import { scoreRowsToBattles } from '../src/data/golden.js';
import { readJsonLines } from '../src/data/jsonl.js';
import { scoreRowFromRecord } from '../src/data/scores.js';
import { detectKind } from '../src/data/training-data.js';
import type { Battle } from '../src/data/types.js';
import { withDiskCache } from '../src/embedders/disk-cache.js';
import { loadEvalBenchmark } from '../src/eval/benchmarks.js';
import { evaluateRouters } from '../src/eval/evaluate.js';
import { formatResultsTable } from '../src/eval/report.js';
import { createUseLiteEmbedder } from '../src/embedders/use-lite/index.js';
import { packageRoot } from '../src/weights-format/paths.js';
import { SwRankingRouter } from '../src/routers/sw_ranking/index.js';
import { saveBattleIndex } from '../src/routers/sw_ranking/battle-index.js';
import { trainSwRanking } from '../src/routers/sw_ranking/train.js';
import { SW_RANKING_TRAINING_FILES } from './shipped-training-files.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    output: { type: 'string' },
    'max-pairs': { type: 'string', default: '10' },
    'sample-prompts': { type: 'string', default: '2000' },
    evaluate: { type: 'boolean', default: false },
    'evaluate-only': { type: 'boolean', default: false },
    sources: { type: 'string', default: SW_RANKING_TRAINING_FILES.map((file) => path.basename(file, '.jsonl')).join(',') },
  },
});
const dataDir = resolveDataDir(values['data-dir']);
const output = path.resolve(values.output ?? path.join(packageRoot(), 'weights', 'sw_ranking'));
const maxPairs = Number(values['max-pairs']);
const started = Date.now();
const log = (message: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

const embedder = withDiskCache(createUseLiteEmbedder());
try {
  if (!values['evaluate-only']) await build();
  if (values.evaluate || values['evaluate-only']) await evaluate();
} finally {
  await embedder.dispose();
}

async function build(): Promise<void> {
  // Read through the data layer. A few RouterBench rows hold `null` for a model that has no result
  // on that prompt: that model is left out of that prompt's pairs (the reader rejects nulls), and a
  // row with fewer than two results left is skipped.
  const battles: Battle[] = [];
  const sourceRows: Record<string, { file: string; rows: number; modelsWithoutResult?: number; rowsWithoutTwoResults?: number }> = {};
  for (const name of values.sources!.split(',')) {
    const file = path.join(dataDir, 'train', `${name}.jsonl`);
    const records = await readJsonLines(file);
    if (detectKind(records, file) === 'battles') {
      battles.push(...records.map((record) => battleFromRecord(record, file, name)));
      sourceRows[name] = { file: path.relative(dataDir, file), rows: records.length };
      continue;
    }
    let missing = 0;
    let skipped = 0;
    const rows = records.flatMap((record) => {
      const results = (record.value.correct ?? record.value.scores) as Record<string, unknown>;
      for (const [model, value] of Object.entries(results)) if (value === null) (delete results[model], missing++);
      if (Object.keys(results).length < 2) return (skipped++, []);
      return [scoreRowFromRecord(record, file, name)];
    });
    battles.push(...scoreRowsToBattles(rows, { maxPairsPerPrompt: maxPairs, seed: battles.length }));
    sourceRows[name] = { file: path.relative(dataDir, file), rows: records.length, modelsWithoutResult: missing, rowsWithoutTwoResults: skipped };
  }
  log(`read ${battles.length} battles from ${Object.keys(sourceRows).length} files`);
  const result = await trainSwRanking({
    battles,
    output,
    embedder,
    mmluGold: true,
    decontaminate: true,
    dataDir,
    maxPairsPerPrompt: maxPairs,
    seed: 0,
    numTiers: 10,
    embeddings: 'int8',
    notes:
      'Built by scripts/build-sw-ranking-weights.ts: Arena battles + RouterBench train correctness tables (golden labels, ' +
      `at most ${maxPairs} pairs per prompt) + the MMLU gold split (first 1,500 MMLU rows by SHA-256 of the prompt; report MMLU on MMLU-rest), ` +
      'embedded with use-lite, decontaminated (cosine >= 0.95) against MMLU-rest, GSM8K and MT-Bench. Prompt embeddings are int8 codes ' +
      'per row (direction only). metrics.int8* compare int8 with float32 storage on benchmark prompts.',
    progress: true,
  });
  const { index } = result.details;
  log(`models (${index.models.length}), tiers:`);
  const order = index.models.map((_, i) => i).sort((a, b) => index.modelRatings[b] - index.modelRatings[a]);
  for (const i of order) log(`  tier ${index.modelTiers[i]}  ${index.modelRatings[i].toFixed(1)}  ${index.models[i]}`);

  const float32Dir = await mkdtemp(path.join(os.tmpdir(), 'sw-ranking-float32-'));
  try {
    await saveBattleIndex(float32Dir, index, { embeddings: 'float32' });
    const [{ rest }, gsm8k, mtBench] = await Promise.all([loadMmluSplit({ dataDir }), loadGsm8k({ dataDir }), loadMtBench({ dataDir })]);
    const all = [...rest.rows, ...gsm8k.rows, ...mtBench.rows].map((row) => row.prompt);
    const sampleSize = Math.min(all.length, Number(values['sample-prompts']));
    const stride = all.length / sampleSize;
    const sample = Array.from({ length: sampleSize }, (_, i) => all[Math.floor(i * stride)]);
    const vectors = await embedder.embed(sample);
    const int8Router = await SwRankingRouter.create({ weightsDir: output, embedder });
    const float32Router = await SwRankingRouter.create({ weightsDir: float32Dir, embedder });
    const int8Scores = await int8Router.strongWinRatesFromEmbeddings(vectors, sample.length);
    const float32Scores = await float32Router.strongWinRatesFromEmbeddings(vectors, sample.length);
    await int8Router.dispose();
    await float32Router.dispose();
    let max = 0;
    let sum = 0;
    for (let i = 0; i < sample.length; i++) {
      const difference = Math.abs(int8Scores[i] - float32Scores[i]);
      max = Math.max(max, difference);
      sum += difference;
    }
    const sorted = [...float32Scores].sort((a, b) => a - b);
    let flips = 0;
    for (const quantile of [0.1, 0.25, 0.5, 0.75, 0.9]) {
      const threshold = sorted[Math.floor(quantile * (sorted.length - 1))];
      for (let i = 0; i < sample.length; i++) if (int8Scores[i] >= threshold !== float32Scores[i] >= threshold) flips++;
    }
    const metrics = {
      int8SamplePrompts: sample.length,
      int8MaxScoreDifference: max,
      int8MeanScoreDifference: sum / sample.length,
      int8DecisionFlipRate: flips / (sample.length * 5),
      scoreMin: sorted[0],
      scoreMedian: sorted[Math.floor(sorted.length / 2)],
      scoreMax: sorted[sorted.length - 1],
    };
    log(`int8 vs float32 on ${sample.length} benchmark prompts: ${JSON.stringify(metrics)}`);
    const manifestFile = path.join(output, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    manifest.metrics = { ...manifest.metrics, ...metrics };
    for (const source of manifest.data.sources) Object.assign(source, sourceRows[source.name] ?? {});
    await writeFile(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
  } finally {
    await rm(float32Dir, { recursive: true, force: true });
  }
  log(`done: ${result.examples} of ${result.details.battlesRead} battles kept, written to ${output}`);
}

/** Scores the benchmarks with the index in `output` (and the random baseline) and records the metrics. */
async function evaluate(): Promise<void> {
  const router = await SwRankingRouter.create({ weightsDir: output, embedder });
  const metrics: Record<string, number> = {};
  try {
    for (const name of ['mmlu', 'gsm8k', 'mt-bench']) {
      const benchmark = await loadEvalBenchmark(name, { dataDir });
      log(`evaluating on ${benchmark.label} (${benchmark.prompts.length} prompts)`);
      const result = await evaluateRouters({ benchmark, routers: [{ name: 'sw_ranking', router }, 'random'], cacheDir: false });
      console.log(formatResultsTable(result));
      const key = name.replace('-', '_') + (name === 'mmlu' ? '_rest' : '');
      const sw = result.routers.sw_ranking;
      for (const [metric, value] of Object.entries({ apgr: sw.apgr, apgrTrapezoid: sw.apgrTrapezoid, cpt50: sw.cpt50, cpt80: sw.cpt80 })) {
        if (value !== null) metrics[`${key}_${metric}`] = value;
      }
    }
  } finally {
    await router.dispose();
  }
  const manifestFile = path.join(output, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
  manifest.metrics = { ...manifest.metrics, ...metrics };
  await writeFile(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
  log(`recorded ${JSON.stringify(metrics)}`);
}
