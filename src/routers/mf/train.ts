/**
 * Training the MF router from battles and correctness/score tables, in Node, reproducibly.
 */
import path from 'node:path';
import { z } from 'zod';
import { evaluateMf } from '../../core/models/mf.js';
import { scoreRowsToBattles, weightForSource } from '../../data/golden.js';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL, canonicalModelName } from '../../data/models.js';
import { readTrainingData, type SourceSummary } from '../../data/training-data.js';
import type { Battle } from '../../data/types.js';
import { InvalidInputError } from '../../errors.js';
import { parseOptions } from '../../options.js';
import { trainingOptionsShape, withTrainingRun, type DecontaminationRecord, type TrainingResult, type TrainingRun } from '../../train/pipeline.js';
import { splitTrainValidation } from '../../train/split.js';
import type { DataSourceInfo } from '../../weights-format/weights.js';
import { runTraining, toExamples } from './train-loop.js';
import { saveMfWeights } from './weights.js';

/** A progress event of `trainMf`. */
export type TrainMfEvent =
  | { phase: 'read'; sources: SourceSummary[]; battles: number }
  | { phase: 'decontaminate'; dropped: number }
  | { phase: 'embed'; done: number; total: number }
  | { phase: 'step'; epoch: number; epochs: number; step: number; steps: number; loss: number }
  | {
      phase: 'epoch';
      epoch: number;
      epochs: number;
      trainLoss: number;
      validationLoss: number;
      validationAccuracy: number;
      improved: boolean;
      seconds: number;
    }
  | { phase: 'done'; result: TrainMfResult };

/** Options of `trainMf`. */
export const trainMfOptionsSchema = z
  .object({
    ...trainingOptionsShape,
    /** Most epochs. Default 100. */
    epochs: z.number().int().min(1).default(100),
    /** Prompts per batch (each with all its battles). Default 64. */
    batchSize: z.number().int().min(1).default(64),
    /** Size of the model embeddings and projection. Default 128. */
    dim: z.number().int().min(1).default(128),
    /** Adam learning rate. Default 3e-4. */
    learningRate: z.number().positive().default(3e-4),
    /** L2 weight decay. Default 1e-5. */
    weightDecay: z.number().min(0).default(1e-5),
    /** Std of the Gaussian noise on prompt embeddings during training. Default 0.1. */
    noiseStd: z.number().min(0).default(0.1),
    /** Share of prompts held out for validation (all battles of a prompt stay together). Default 0.05. */
    validationFraction: z.number().min(0.001).max(0.5).default(0.05),
    /** Stop starting new epochs once the training loop would pass this many seconds (best epoch kept). Default: none. */
    timeBudgetSeconds: z.number().positive().optional(),
    /** Epochs without a better validation loss before stopping. Default 5. */
    patience: z.number().int().min(1).default(5),
    /** Golden-label tie margin for score tables. Default 0.1. */
    margin: z.number().min(0).default(0.1),
    /** Most battles per prompt taken from a score table (decisive pairs, sampled). Default 10. */
    maxPairsPerPrompt: z.number().int().min(1).default(10),
    /** Model pairs whose battles are always kept from score tables, beyond `maxPairsPerPrompt` (e.g. the pair you will route between). */
    keepPairs: z.array(z.tuple([z.string().min(1), z.string().min(1)])).optional(),
    /** Weight per source (file name without extension, or its prefix before `-`, or `mmlu-gold`). */
    sourceWeights: z.record(z.string(), z.number().min(0)).default({}),
    /** Called with progress events. */
    onProgress: z.custom<(event: TrainMfEvent) => void>((value) => typeof value === 'function').optional(),
    /** Extra JSON recorded in the manifest's `extra` field (e.g. how hyperparameters were chosen). */
    manifestExtra: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type TrainMfOptions = z.input<typeof trainMfOptionsSchema>;
export type TrainMfSettings = z.output<typeof trainMfOptionsSchema>;

/** What `trainMf` reports besides the common result. */
export interface TrainMfDetails {
  models: string[];
  trainExamples: number;
  validationExamples: number;
  validationLoss: number;
  validationAccuracy: number;
  /** Validation accuracy on battles between the default pair (gpt-4-1106-preview vs Mixtral), if any. */
  validationAccuracyDefaultPair?: number;
  epochsRun: number;
  /** The epoch (1-based) whose parameters were kept. */
  bestEpoch: number;
  /** Why training ended: all epochs ran, early stopping, or the time budget. */
  stopReason: 'epochs' | 'early-stopping' | 'time-budget';
  /** Seconds in the training loop (after data and embeddings). */
  trainSeconds: number;
}

/** What `trainMf` returns. */
export type TrainMfResult = TrainingResult<TrainMfDetails>;

/** Training data after reading, decontamination and embedding: reusable across runs with other training hyperparameters. */
export interface PreparedMfData {
  battles: Battle[];
  prompts: string[];
  /** prompts.length x embedder.dimension, row-major. */
  embeddings: Float32Array;
  embedder: { id: string; dimension: number };
  sources: DataSourceInfo[];
  decontamination: DecontaminationRecord;
  droppedContaminated: number;
}

/**
 * Reads the data files (battles, or score tables through the golden-label rule; ties dropped),
 * drops battles whose prompt overlaps a benchmark prompt, adds the MMLU gold split when asked, and
 * embeds each distinct prompt once (disk-cached). Uses the data options of `trainMf`.
 */
export async function prepareMfData(options: TrainMfOptions): Promise<PreparedMfData> {
  const parsed = parseOptions(trainMfOptionsSchema, options, 'mf training options');
  return withTrainingRun('mf', parsed, (run) => prepareWith(run, parsed));
}

async function prepareWith(run: TrainingRun, parsed: TrainMfSettings): Promise<PreparedMfData> {
  const emit = (event: TrainMfEvent) => parsed.onProgress?.(event);
  const golden = { margin: parsed.margin, maxPairsPerPrompt: parsed.maxPairsPerPrompt, seed: parsed.seed, keepPairs: parsed.keepPairs };
  const read = await readTrainingData(parsed.data, { ...golden, dropTies: true });
  emit({ phase: 'read', sources: read.sources, battles: read.battles.length });
  run.log(`read ${read.sources.length} files: ${read.battles.length} decisive battles`);
  // The gold split is added after decontamination: it is benchmark data on purpose.
  const decontaminated = await run.decontaminate(read.battles);
  let battles = decontaminated.kept;
  emit({ phase: 'decontaminate', dropped: decontaminated.dropped });
  const sources: DataSourceInfo[] = read.sources.map((summary) => ({
    name: summary.source,
    file: path.basename(summary.file),
    kind: summary.kind,
    rows: summary.rows,
    examples: battles.filter((battle) => battle.source === summary.source).length,
  }));
  const gold = await run.goldRows();
  if (gold.length > 0) {
    const goldBattles = scoreRowsToBattles(gold, { ...golden, ties: 'drop' });
    battles = [...battles, ...goldBattles];
    sources.push({ name: 'mmlu-gold', file: 'evals/mmlu (gold split)', kind: 'scores', rows: gold.length, examples: goldBattles.length });
  }
  if (battles.length === 0) throw new InvalidInputError('training data', 'decisive battles to train on (none were left)');
  const prompts = [...new Set(battles.map((battle) => battle.prompt))];
  const embeddings = await run.embed(prompts, (done, total) => emit({ phase: 'embed', done, total }), 512);
  const embedder = run.embedder;
  return { battles, prompts, embeddings, embedder: { id: embedder.id, dimension: embedder.dimension }, sources, decontamination: decontaminated.record, droppedContaminated: decontaminated.dropped };
}

/**
 * Trains an MF router and writes its weights folder. Steps (`prepareMfData`): read the data files
 * (battles, or score tables through the golden-label rule; ties dropped), drop prompts that
 * overlap the benchmarks, optionally add the MMLU gold split, embed each distinct prompt once
 * (disk-cached); then split prompts 95/5 into train/validation, train with Adam + pairwise BCE +
 * embedding noise, stop early on the validation loss keeping the best epoch, and write
 * `manifest.json` + tensors. Pass `prepared` to reuse the data of an earlier `prepareMfData` call.
 */
export async function trainMf(options: TrainMfOptions, prepared?: PreparedMfData): Promise<TrainMfResult> {
  const parsed = parseOptions(trainMfOptionsSchema, options, 'mf training options');
  return withTrainingRun('mf', parsed, (run) => trainWith(run, parsed, prepared));
}

async function trainWith(run: TrainingRun, parsed: TrainMfSettings, prepared: PreparedMfData | undefined): Promise<TrainMfResult> {
  const emit = (event: TrainMfEvent) => parsed.onProgress?.(event);
  const data = prepared ?? (await prepareWith(run, parsed));
  const { prompts, embeddings, sources, decontamination, droppedContaminated } = data;
  const battles = data.battles.map((battle) => ({ ...battle, weight: weightForSource(battle.source, parsed.sourceWeights) ?? battle.weight }));
  const embedder = data.embedder;
  const models = [...new Set(battles.flatMap((battle) => [battle.modelA, battle.modelB]))].sort();
  const examples = toExamples(battles, prompts, models, embeddings, embedder.dimension);
  const split = splitTrainValidation(battles, { validationFraction: parsed.validationFraction, seed: parsed.seed, groupBy: (battle) => battle.prompt });
  run.log(`${models.length} models, ${prompts.length} prompts, ${split.train.length} train / ${split.validation.length} validation battles`);

  const trainStartedAt = Date.now();
  const training = await runTraining(examples, split.trainIndices, split.validationIndices, models.length, parsed, emit);
  const trainSeconds = (Date.now() - trainStartedAt) / 1000;
  const strong = models.indexOf(canonicalModelName(DEFAULT_STRONG_MODEL));
  const weak = models.indexOf(canonicalModelName(DEFAULT_WEAK_MODEL));
  const pairIndices = split.validationIndices.filter(
    (i) => (examples.winner[i] === strong && examples.loser[i] === weak) || (examples.winner[i] === weak && examples.loser[i] === strong),
  );
  const pairEvaluation =
    strong >= 0 && weak >= 0 && pairIndices.length > 0 ? await evaluateMf(training.best, { ...examples, weight: undefined }, pairIndices) : undefined;

  const metrics: Record<string, number> = {
    validationAccuracy: training.validation.accuracy,
    validationLoss: training.validation.loss,
    trainAccuracy: training.train.accuracy,
    trainLoss: training.train.loss,
    trainExamples: split.train.length,
    validationExamples: split.validation.length,
    epochsRun: training.epochsRun,
    bestEpoch: training.bestEpoch + 1,
    trainSeconds,
  };
  if (pairEvaluation) {
    metrics.validationAccuracyDefaultPair = pairEvaluation.accuracy;
    metrics.validationExamplesDefaultPair = pairEvaluation.count;
    metrics.validationStrongWinShareDefaultPair = pairIndices.filter((i) => examples.winner[i] === strong).length / pairIndices.length;
  }
  const manifest = await saveMfWeights(parsed.output, training.best, {
    embedder: { id: embedder.id, dimension: embedder.dimension },
    models,
    hyperparameters: {
      dim: parsed.dim,
      learningRate: parsed.learningRate,
      weightDecay: parsed.weightDecay,
      noiseStd: parsed.noiseStd,
      batchSize: parsed.batchSize,
      batchUnit: 'prompts (each with all its battles)',
      epochs: parsed.epochs,
      patience: parsed.patience,
      validationFraction: parsed.validationFraction,
      seed: parsed.seed,
      timeBudgetSeconds: parsed.timeBudgetSeconds ?? null,
      stopReason: training.stopReason,
      margin: parsed.margin,
      maxPairsPerPrompt: parsed.maxPairsPerPrompt,
      keepPairs: parsed.keepPairs ?? [],
      sourceWeights: parsed.sourceWeights,
      ties: 'dropped',
    },
    data: { sources, decontamination, prompts: prompts.length, battles: battles.length },
    metrics,
    notes: parsed.notes,
    extra: parsed.manifestExtra,
  });
  const result = run.result(manifest, battles.length, droppedContaminated, {
    models,
    trainExamples: split.train.length,
    validationExamples: split.validation.length,
    validationLoss: training.validation.loss,
    validationAccuracy: training.validation.accuracy,
    ...(pairEvaluation ? { validationAccuracyDefaultPair: pairEvaluation.accuracy } : {}),
    epochsRun: training.epochsRun,
    bestEpoch: training.bestEpoch + 1,
    stopReason: training.stopReason,
    trainSeconds,
  });
  emit({ phase: 'done', result });
  run.log(`wrote ${parsed.output}: validation accuracy ${(result.details.validationAccuracy * 100).toFixed(2)}% (best epoch ${result.details.bestEpoch}/${result.details.epochsRun})`);
  return result;
}

