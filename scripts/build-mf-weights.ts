/**
 * Builds the shipped MF weights (weights/mf) from `MF_TRAINING_FILES` of ../shared/data/train (the
 * files the shipped manifest records, scripts/shipped-training-files.ts) plus the MMLU gold split,
 * with use-lite embeddings (disk-cached), decontaminated against MMLU, GSM8K and MT-Bench.
 *
 *   npx tsx scripts/build-mf-weights.ts [--data-dir DIR] [--output DIR] [--sweep] [--epochs N] [--seed N]
 *
 * Hyperparameters are the ones chosen by `--sweep`, which trains each candidate for a few epochs
 * and compares validation loss on a split carved from the training data only (never benchmarks).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../src/data/evals.js';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL } from '../src/data/models.js';
import { prepareMfData, trainMf, type TrainMfOptions, type TrainMfResult } from '../src/routers/mf/train.js';
import { shippedWeightsDir } from '../src/weights-format/paths.js';
import { MF_RECIPE } from './mf-recipe.js';
import { MF_TRAINING_FILES } from './shipped-training-files.js';

/** The configuration chosen by the sweep recorded in `SELECTION` (lowest validation loss). */
const CHOSEN = MF_RECIPE;

/**
 * How CHOSEN was picked: `npx tsx scripts/build-mf-weights.ts --sweep` on 2026-11-28, all the
 * training data (same preparation as the shipped weights), each candidate at most 20 epochs with
 * early stopping (patience 4), compared on the validation loss of 5% of the training prompts
 * (seed 0). No benchmark result was looked at. The default pair's validation accuracy was the same
 * for every candidate (it equals the share of those 59 battles won by the strong model).
 */
const SELECTION = {
  method: 'validation loss on a 5% prompt split of the training data only; each candidate at most 20 epochs (patience 4)',
  candidates: [
    { label: 'dim 128, lr 3e-4, noise 0.1 (paper)', validationLoss: 0.5089, validationAccuracy: 0.7425, bestEpoch: 20 },
    { label: 'dim 128, lr 1e-3, noise 0.03', validationLoss: 0.4945, validationAccuracy: 0.7501, bestEpoch: 15 },
    { label: 'dim 128, lr 3e-3, noise 0.01', validationLoss: 0.4966, validationAccuracy: 0.7501, bestEpoch: 3 },
    { label: 'dim 64, lr 1e-3, noise 0.03', validationLoss: 0.4944, validationAccuracy: 0.7499, bestEpoch: 15 },
    { label: 'dim 64, lr 3e-3, noise 0.03', validationLoss: 0.4951, validationAccuracy: 0.7495, bestEpoch: 6 },
    { label: 'dim 64, lr 3e-3, noise 0.1', validationLoss: 0.4996, validationAccuracy: 0.7458, bestEpoch: 6 },
    { label: 'dim 32, lr 3e-3, noise 0.03', validationLoss: 0.4949, validationAccuracy: 0.7476, bestEpoch: 6 },
    { label: 'dim 64, lr 3e-3, noise 0.03, RouterBench and MMLU gold x3', validationLoss: 0.4966, validationAccuracy: 0.7482, bestEpoch: 6 },
  ],
  chosen: 'dim 64, lr 1e-3, noise 0.03',
};

/** Candidates of `--sweep` (on all the training data). */
const CANDIDATES: { label: string; options: Partial<typeof CHOSEN> }[] = [
  { label: 'dim 128, lr 3e-4, noise 0.1 (paper)', options: { dim: 128, learningRate: 3e-4, noiseStd: 0.1 } },
  { label: 'dim 128, lr 1e-3, noise 0.03', options: { dim: 128, learningRate: 1e-3, noiseStd: 0.03 } },
  { label: 'dim 128, lr 3e-3, noise 0.01', options: { dim: 128, learningRate: 3e-3, noiseStd: 0.01 } },
  { label: 'dim 64, lr 1e-3, noise 0.03', options: { dim: 64, learningRate: 1e-3, noiseStd: 0.03 } },
  { label: 'dim 64, lr 3e-3, noise 0.03', options: { dim: 64, learningRate: 3e-3, noiseStd: 0.03 } },
  { label: 'dim 64, lr 3e-3, noise 0.1', options: { dim: 64, learningRate: 3e-3, noiseStd: 0.1 } },
  { label: 'dim 32, lr 3e-3, noise 0.03', options: { dim: 32, learningRate: 3e-3, noiseStd: 0.03 } },
  {
    label: 'dim 64, lr 3e-3, noise 0.03, RouterBench and MMLU gold x3',
    options: { dim: 64, learningRate: 3e-3, noiseStd: 0.03, sourceWeights: { routerbench: 3, 'mmlu-gold': 3 } },
  },
];

const scriptStartedAt = Date.now();

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      output: { type: 'string' },
      sweep: { type: 'boolean', default: false },
      'sweep-epochs': { type: 'string', default: '20' },
      epochs: { type: 'string', default: '40' },
      seed: { type: 'string', default: '0' },
    },
  });
  const dataDir = resolveDataDir(values['data-dir']);
  const output = path.resolve(values.output ?? shippedWeightsDir('mf'));
  const trainFolder = path.join(dataDir, 'train');
  const files = MF_TRAINING_FILES.map((name) => path.join(trainFolder, name));
  const seed = Number(values.seed);
  const base: TrainMfOptions = {
    data: files,
    output,
    embedder: 'use-lite',
    dataDir,
    mmluGold: true,
    keepPairs: [[DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL]],
    decontaminate: true,
    // The shipped weights were decontaminated against all of MMLU, before the gold split was added.
    decontaminationMmlu: 'all',
    seed,
    progress: true,
    validationFraction: 0.05,
    patience: 4,
    timeBudgetSeconds: 600,
    ...CHOSEN,
  };

  const prepared = await prepareMfData(base);
  let chosen = CHOSEN;
  let selection: Record<string, unknown> = SELECTION;
  if (values.sweep) {
    const results: { label: string; validationLoss: number; validationAccuracy: number; pairAccuracy?: number; bestEpoch: number }[] = [];
    let best: { label: string; options: typeof CHOSEN; loss: number } | undefined;
    for (const candidate of CANDIDATES) {
      const options = { ...CHOSEN, ...candidate.options };
      process.stderr.write(`\n== sweep: ${candidate.label}\n`);
      const result: TrainMfResult = await trainMf({
        ...base,
        ...options,
        epochs: Number(values['sweep-epochs']),
        output: path.join(os.tmpdir(), `routellm-mf-sweep-${process.pid}`),
        progress: false,
      }, prepared);
      results.push({
        label: candidate.label,
        validationLoss: result.details.validationLoss,
        validationAccuracy: result.details.validationAccuracy,
        pairAccuracy: result.details.validationAccuracyDefaultPair,
        bestEpoch: result.details.bestEpoch,
      });
      process.stderr.write(
        `   val loss ${result.details.validationLoss.toFixed(4)}, val acc ${(result.details.validationAccuracy * 100).toFixed(2)}%, default pair ${
          result.details.validationAccuracyDefaultPair === undefined ? 'n/a' : (result.details.validationAccuracyDefaultPair * 100).toFixed(2) + '%'
        }, ${result.details.trainSeconds.toFixed(0)} s\n`,
      );
      if (!best || result.details.validationLoss < best.loss) best = { label: candidate.label, options, loss: result.details.validationLoss };
    }
    chosen = best!.options;
    selection = {
      method: `each candidate trained ${values['sweep-epochs']} epochs; lowest validation loss (5% of training prompts, seed ${seed}) wins`,
      chosen: best!.label,
      candidates: results,
    };
    process.stderr.write(`\n== chosen: ${best!.label}\n`);
  }

  const result = await trainMf({
    ...base,
    ...chosen,
    epochs: Number(values.epochs),
    notes:
      'Trained by `npx tsx scripts/build-mf-weights.ts` on every file of ../shared/data/train plus the MMLU gold split ' +
      '(first 1,500 decontaminated MMLU rows by SHA-256 of the prompt), use-lite embeddings, ties dropped, score tables ' +
      'turned into battles by the golden-label rule; training prompts within cosine 0.95 of (or equal to) any MMLU, GSM8K ' +
      'or MT-Bench prompt were dropped first. Hyperparameters chosen on a validation split of the training data only.',
    manifestExtra: { selection, machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}`, node: process.version },
  }, prepared);
  const minutes = ((Date.now() - scriptStartedAt) / 60000).toFixed(1);
  writeFileSync(path.join(output, 'README.md'), readme(result, minutes, Boolean(values.sweep)));
  process.stderr.write(`done in ${minutes} min: ${output}\n`);
}

function percent(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${(value * 100).toFixed(2)}%`;
}

function readme(result: TrainMfResult, minutes: string, swept: boolean): string {
  const manifest = result.manifest;
  const sources = manifest.data.sources.map((source) => `| ${source.name} | ${source.rows ?? ''} | ${source.examples ?? ''} |`).join('\n');
  const decontamination = manifest.data.decontamination as Record<string, unknown>;
  return `# Shipped MF weights

Made by \`npx tsx scripts/build-mf-weights.ts${swept ? ' --sweep' : ''}\` (${minutes} min on this 2-core machine${swept ? ', including the hyperparameter sweep' : ''}, embeddings already in the disk cache;
training loop ${result.details.trainSeconds.toFixed(0)} s). Embedder: \`${manifest.embedder?.id}\` (${manifest.embedder?.dimension}-d).
${result.details.models.length} models; default pair gpt-4-1106-preview vs mistralai/Mixtral-8x7B-Instruct-v0.1.

- Validation accuracy (held-out 5% of training prompts): **${percent(result.details.validationAccuracy)}** over ${result.details.validationExamples} battles
  (loss ${result.details.validationLoss.toFixed(4)}); on battles of the default pair: ${percent(result.details.validationAccuracyDefaultPair)}
  (${manifest.metrics.validationExamplesDefaultPair ?? 0} battles, of which the strong model won ${percent(manifest.metrics.validationStrongWinShareDefaultPair)}:
  the pair's accuracy is to be read against that base rate).
- Epochs run ${result.details.epochsRun}, best epoch ${result.details.bestEpoch} (stopped by: ${result.details.stopReason}).
- Decontamination: dropped ${String(decontamination?.droppedRows ?? 0)} battles (${String(decontamination?.droppedPrompts ?? 0)} prompts) equal to or within cosine ${String(decontamination?.threshold ?? '')} of a benchmark prompt.

| source | rows | battles used |
|---|---|---|
${sources}

Hyperparameters: \`${JSON.stringify(manifest.hyperparameters)}\`.
`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
