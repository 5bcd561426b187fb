/**
 * Training the MF router from battles and correctness/score tables, in Node, reproducibly.
 */
import path from 'node:path';
import { z } from 'zod';
import { MfTrainer, evaluateMf, initMfParameters, type MfExamples, type MfParameters } from '../../core/models/mf.js';
import { decontaminate } from '../../data/decontaminate.js';
import { resolveDataDir, loadGsm8k, loadMmlu, loadMmluSplit, loadMtBench } from '../../data/evals.js';
import { scoreRowsToBattles, weightForSource } from '../../data/golden.js';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL, canonicalModelName } from '../../data/models.js';
import { readTrainingData, type SourceSummary } from '../../data/training-data.js';
import type { Battle, ScoreRow } from '../../data/types.js';
import { defaultEmbeddingCacheDir } from '../../embedders/disk-cache.js';
import { withDiskCache } from '../../embedders/disk-cache.js';
import { parseOptions } from '../../options.js';
import { EarlyStopping } from '../../train/early-stopping.js';
import { embedPrompts } from '../../train/embed-prompts.js';
import { ProgressBar } from '../../train/progress.js';
import { createRng } from '../../train/random.js';
import { batchIndices, splitTrainValidation } from '../../train/split.js';
import type { DataSourceInfo, WeightsManifest } from '../../weights-format/weights.js';
import { embedderFromId, embedderOrIdSchema } from '../embedder.js';
import { saveMfWeights } from './weights.js';

/** A progress event of `trainMf`. */
export type MfTrainingEvent =
  | { phase: 'read'; sources: SourceSummary[]; battles: number }
  | { phase: 'decontaminate'; dropped: number; droppedExact: number; droppedSimilar: number; done?: number; total?: number }
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
  | { phase: 'done'; result: MfTrainingResult };

/** Options of `trainMf`. */
export const mfTrainingOptionsSchema = z
  .object({
    /** Training files: battles JSON Lines or correctness/score tables (format detected per file). */
    data: z.array(z.string().min(1)).min(1),
    /** Folder to write the weights to (created). */
    output: z.string().min(1),
    /** Embedder id (`use-lite`) or an Embedder object. Default `use-lite`. */
    embedder: embedderOrIdSchema.default('use-lite'),
    /** Disk cache of prompt embeddings (a folder), or false for none. Default: `<cache dir>/embeddings`. */
    embeddingCache: z.union([z.string().min(1), z.literal(false)]).optional(),
    /** Seed of sampling, split, initialisation, noise and batch order. Default 0. */
    seed: z.number().int().default(0),
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
    /** Also train on the MMLU gold split (the first 1,500 MMLU rows by SHA-256 of the prompt). Default false. */
    mmluGold: z.boolean().default(false),
    /**
     * Drop training prompts equal (normalised) or within cosine 0.95 of a benchmark prompt (MMLU,
     * GSM8K, MT-Bench). `auto`: when the benchmark data is found. Default `auto`.
     */
    decontaminate: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    /** Cosine threshold of the decontamination. Default 0.95. */
    decontaminationThreshold: z.number().min(0).max(1).default(0.95),
    /** Data folder holding `evals/` (benchmarks for decontamination and the gold split). Default: see `resolveDataDir`. */
    dataDir: z.string().min(1).optional(),
    /** Draw a progress bar on stderr. Default false. */
    progress: z.boolean().default(false),
    /** Called with progress events. */
    onProgress: z.custom<(event: MfTrainingEvent) => void>((value) => typeof value === 'function').optional(),
    /** Free text recorded in the manifest. */
    notes: z.string().optional(),
    /** Extra JSON recorded in the manifest's `extra` field (e.g. how hyperparameters were chosen). */
    manifestExtra: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type MfTrainingOptions = z.input<typeof mfTrainingOptionsSchema>;

/** What `trainMf` did. */
export interface MfTrainingResult {
  output: string;
  manifest: WeightsManifest;
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
  /** Seconds in all. */
  totalSeconds: number;
  droppedContaminated: number;
}

/** Training data after reading, decontamination and embedding: reusable across runs with other training hyperparameters. */
export interface PreparedMfData {
  battles: Battle[];
  prompts: string[];
  /** prompts.length x embedder.dimension, row-major. */
  embeddings: Float32Array;
  embedder: { id: string; dimension: number };
  sources: DataSourceInfo[];
  decontamination: Record<string, unknown>;
  droppedContaminated: number;
}

/**
 * Reads the data files (battles, or score tables through the golden-label rule; ties dropped),
 * drops battles whose prompt overlaps a benchmark prompt, adds the MMLU gold split when asked, and
 * embeds each distinct prompt once (disk-cached). Uses the data options of `trainMf`
 * (`data`, `embedder`, `embeddingCache`, `seed`, `margin`, `maxPairsPerPrompt`, `mmluGold`,
 * `decontaminate`, `decontaminationThreshold`, `dataDir`, `progress`, `onProgress`).
 */
export async function prepareMfData(options: MfTrainingOptions): Promise<PreparedMfData> {
  const parsed = parseOptions(mfTrainingOptionsSchema, options, 'mf training options');
  const emit = (event: MfTrainingEvent) => parsed.onProgress?.(event);
  const log = parsed.progress ? (line: string) => process.stderr.write(line + '\n') : () => undefined;
  const golden = { margin: parsed.margin, maxPairsPerPrompt: parsed.maxPairsPerPrompt, seed: parsed.seed, keepPairs: parsed.keepPairs };
  const read = await readTrainingData(parsed.data, { ...golden, dropTies: true });
  let battles = read.battles;
  emit({ phase: 'read', sources: read.sources, battles: battles.length });
  log(`read ${read.sources.length} files: ${battles.length} decisive battles`);

  const ownEmbedder = typeof parsed.embedder === 'string';
  const baseEmbedder = typeof parsed.embedder === 'string' ? await embedderFromId(parsed.embedder) : parsed.embedder;
  const cacheFolder = parsed.embeddingCache === undefined ? defaultEmbeddingCacheDir() : parsed.embeddingCache;
  const embedder = cacheFolder === false ? baseEmbedder : withDiskCache(baseEmbedder, cacheFolder);
  try {
    const dataDir = resolveDataDir(parsed.dataDir);
    let decontamination: Record<string, unknown> = { applied: false };
    let droppedContaminated = 0;
    const wantDecontamination = parsed.decontaminate;
    if (wantDecontamination !== false) {
      const benchmarks = await Promise.all([loadMmlu({ dataDir }), loadGsm8k({ dataDir }), loadMtBench({ dataDir })]).catch((error) => {
        if (wantDecontamination === true) throw error;
        log(`no decontamination: ${(error as Error).message}`);
        return undefined;
      });
      if (benchmarks) {
        const evalPrompts = benchmarks.flatMap((benchmark) => benchmark.rows.map((row) => row.prompt));
        let bar: ProgressBar | undefined;
        const result = await decontaminate(battles, {
          evalPrompts,
          embedder,
          threshold: parsed.decontaminationThreshold,
          onProgress: (done, total) => {
            if (parsed.progress) (bar ??= new ProgressBar(total, { label: 'decontaminate' })).update(done);
            emit({ phase: 'decontaminate', dropped: 0, droppedExact: 0, droppedSimilar: 0, done, total });
          },
        });
        bar?.finish();
        battles = result.kept;
        droppedContaminated = result.dropped;
        decontamination = {
          applied: true,
          against: benchmarks.map((benchmark) => `${benchmark.name} (${benchmark.rows.length})`),
          threshold: parsed.decontaminationThreshold,
          droppedBattles: result.dropped,
          droppedExact: result.droppedExact,
          droppedSimilar: result.droppedSimilar,
          droppedPrompts: result.droppedPrompts.length,
        };
        emit({ phase: 'decontaminate', dropped: result.dropped, droppedExact: result.droppedExact, droppedSimilar: result.droppedSimilar });
        log(`decontamination: dropped ${result.dropped} battles (${result.droppedPrompts.length} prompts; exact ${result.droppedExact}, cosine >= ${parsed.decontaminationThreshold} ${result.droppedSimilar})`);
      }
    }

    const sources: DataSourceInfo[] = read.sources.map((summary) => ({
      name: summary.source,
      file: path.basename(summary.file),
      kind: summary.kind,
      rows: summary.rows,
      examples: battles.filter((battle) => battle.source === summary.source).length,
    }));
    if (parsed.mmluGold) {
      const { gold } = await loadMmluSplit({ dataDir });
      const rows: ScoreRow[] = gold.rows.map((row) => ({ prompt: row.prompt, scores: row.scores, source: 'mmlu-gold' }));
      const goldBattles = scoreRowsToBattles(rows, { ...golden, ties: 'drop' });
      battles = [...battles, ...goldBattles];
      sources.push({ name: 'mmlu-gold', file: 'evals/mmlu (gold split)', kind: 'scores', rows: rows.length, examples: goldBattles.length });
    }
    if (battles.length === 0) throw new RangeError('trainMf: no decisive battles left to train on');
    const prompts = [...new Set(battles.map((battle) => battle.prompt))];
    const embeddings = await embedPrompts(embedder, prompts, {
      chunk: 512,
      ...(parsed.progress ? { progressLabel: 'embed' } : {}),
      onProgress: (done, total) => emit({ phase: 'embed', done, total }),
    });
    return {
      battles,
      prompts,
      embeddings,
      embedder: { id: embedder.id, dimension: embedder.dimension },
      sources,
      decontamination,
      droppedContaminated,
    };
  } finally {
    if (ownEmbedder) await embedder.dispose();
  }
}

/**
 * Trains an MF router and writes its weights folder. Steps (`prepareMfData`): read the data files
 * (battles, or score tables through the golden-label rule; ties dropped), drop prompts that
 * overlap the benchmarks, optionally add the MMLU gold split, embed each distinct prompt once
 * (disk-cached); then split prompts 95/5 into train/validation, train with Adam + pairwise BCE +
 * embedding noise, stop early on the validation loss keeping the best epoch, and write
 * `manifest.json` + tensors. Pass `prepared` to reuse the data of an earlier `prepareMfData` call.
 */
export async function trainMf(options: MfTrainingOptions, prepared?: PreparedMfData): Promise<MfTrainingResult> {
  const parsed = parseOptions(mfTrainingOptionsSchema, options, 'mf training options');
  const startedAt = Date.now();
  const emit = (event: MfTrainingEvent) => parsed.onProgress?.(event);
  const log = parsed.progress ? (line: string) => process.stderr.write(line + '\n') : () => undefined;
  const data = prepared ?? (await prepareMfData(options));
  const { prompts, embeddings, sources, decontamination, droppedContaminated } = data;
  const battles = data.battles.map((battle) => ({ ...battle, weight: weightForSource(battle.source, parsed.sourceWeights) ?? battle.weight }));
  const embedder = data.embedder;
  const models = [...new Set(battles.flatMap((battle) => [battle.modelA, battle.modelB]))].sort();
  const examples = toExamples(battles, prompts, models, embeddings, embedder.dimension);
  const split = splitTrainValidation(battles, { validationFraction: parsed.validationFraction, seed: parsed.seed, groupBy: (battle) => battle.prompt });
  log(`${models.length} models, ${prompts.length} prompts, ${split.train.length} train / ${split.validation.length} validation battles`);

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
  const result: MfTrainingResult = {
    output: parsed.output,
    manifest,
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
    totalSeconds: (Date.now() - startedAt) / 1000,
    droppedContaminated,
  };
  emit({ phase: 'done', result });
  log(`wrote ${parsed.output}: validation accuracy ${(result.validationAccuracy * 100).toFixed(2)}% (best epoch ${result.bestEpoch}/${result.epochsRun})`);
  return result;
}

function toExamples(battles: readonly Battle[], prompts: readonly string[], models: readonly string[], embeddings: Float32Array, textDim: number): MfExamples {
  const promptIndex = new Map(prompts.map((prompt, i) => [prompt, i]));
  const modelIndex = new Map(models.map((model, i) => [model, i]));
  const count = battles.length;
  const examples: MfExamples = {
    embeddings,
    textDim,
    prompt: new Int32Array(count),
    winner: new Int32Array(count),
    loser: new Int32Array(count),
    weight: new Float32Array(count),
  };
  battles.forEach((battle, i) => {
    const aWins = battle.winner === 'model_a';
    examples.prompt[i] = promptIndex.get(battle.prompt)!;
    examples.winner[i] = modelIndex.get(aWins ? battle.modelA : battle.modelB)!;
    examples.loser[i] = modelIndex.get(aWins ? battle.modelB : battle.modelA)!;
    examples.weight![i] = battle.weight ?? 1;
  });
  return examples;
}

interface TrainingOutcome {
  best: MfParameters;
  validation: { loss: number; accuracy: number };
  train: { loss: number; accuracy: number };
  epochsRun: number;
  bestEpoch: number;
  stopReason: MfTrainingResult['stopReason'];
}

type ParsedOptions = z.output<typeof mfTrainingOptionsSchema>;

async function runTraining(
  examples: MfExamples,
  trainIndices: number[],
  validationIndices: number[],
  numModels: number,
  parsed: ParsedOptions,
  emit: (event: MfTrainingEvent) => void,
): Promise<TrainingOutcome> {
  const byPrompt = new Map<number, number[]>();
  for (const index of trainIndices) {
    const prompt = examples.prompt[index];
    const list = byPrompt.get(prompt);
    if (list) list.push(index);
    else byPrompt.set(prompt, [index]);
  }
  const trainPrompts = [...byPrompt.keys()].sort((a, b) => a - b);
  const initial = initMfParameters({ numModels, textDim: examples.textDim, dim: parsed.dim }, parsed.seed);
  const trainer = await MfTrainer.create(initial, {
    learningRate: parsed.learningRate,
    weightDecay: parsed.weightDecay,
    noiseStd: parsed.noiseStd,
    seed: parsed.seed + 1,
  });
  const order = createRng(parsed.seed + 2);
  const stopper = new EarlyStopping({ patience: parsed.patience });
  const monitored = validationIndices.length > 0 ? validationIndices : trainIndices;
  const unweighted: MfExamples = { ...examples, weight: undefined };
  let best = initial;
  let bestValidation = { loss: Number.NaN, accuracy: Number.NaN };
  let epochsRun = 0;
  let stopReason: MfTrainingResult['stopReason'] = 'epochs';
  const loopStartedAt = Date.now();
  try {
    for (let epoch = 0; epoch < parsed.epochs; epoch++) {
      const epochStartedAt = Date.now();
      const batches = batchIndices(trainPrompts.length, parsed.batchSize, order);
      const bar = parsed.progress ? new ProgressBar(batches.length, { label: `epoch ${epoch + 1}/${parsed.epochs}` }) : undefined;
      let lossSum = 0;
      for (let step = 0; step < batches.length; step++) {
        const prompts = Int32Array.from(batches[step], (position) => trainPrompts[position]);
        const loss = trainer.step(examples, prompts, byPrompt);
        lossSum += loss;
        if (bar && (step % 10 === 0 || step === batches.length - 1)) bar.update(step + 1, `loss ${(lossSum / (step + 1)).toFixed(4)}`);
        if (parsed.onProgress && step % 20 === 0) emit({ phase: 'step', epoch, epochs: parsed.epochs, step, steps: batches.length, loss });
      }
      epochsRun = epoch + 1;
      const current = trainer.parameters();
      const validation = await evaluateMf(current, unweighted, monitored);
      const { improved, stop } = stopper.update(validation.loss, epoch);
      if (improved) {
        best = current;
        bestValidation = { loss: validation.loss, accuracy: validation.accuracy };
      }
      const trainLoss = lossSum / Math.max(1, batches.length);
      bar?.finish(`loss ${trainLoss.toFixed(4)} val loss ${validation.loss.toFixed(4)} val acc ${(validation.accuracy * 100).toFixed(2)}%${improved ? ' *' : ''}`);
      emit({
        phase: 'epoch',
        epoch,
        epochs: parsed.epochs,
        trainLoss,
        validationLoss: validation.loss,
        validationAccuracy: validation.accuracy,
        improved,
        seconds: (Date.now() - epochStartedAt) / 1000,
      });
      if (stop) {
        stopReason = 'early-stopping';
        break;
      }
      const elapsed = (Date.now() - loopStartedAt) / 1000;
      if (parsed.timeBudgetSeconds !== undefined && epoch + 1 < parsed.epochs && elapsed + elapsed / epochsRun > parsed.timeBudgetSeconds) {
        stopReason = 'time-budget';
        break;
      }
    }
  } finally {
    trainer.dispose();
  }
  const train = await evaluateMf(best, unweighted, trainIndices);
  return { best, validation: bestValidation, train: { loss: train.loss, accuracy: train.accuracy }, epochsRun, bestEpoch: stopper.bestEpoch, stopReason };
}
