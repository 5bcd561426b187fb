/**
 * Training of the bert router's head mode: battles and correctness tables -> (strong wins, tie,
 * weak wins) labels (see labels.ts) -> frozen-encoder embeddings (disk-cached) -> a softmax head
 * (linear or MLP, chosen by validation loss) -> a weights folder in the shared format.
 */
import { z } from 'zod';
import { trainClassifierHead, type HeadArchitecture, type TrainedClassifierHead } from '../../core/models/classifier-head.js';
import { scoreRowsToBattles } from '../../data/golden.js';
import { readTrainingData } from '../../data/training-data.js';
import type { Battle } from '../../data/types.js';
import { InvalidInputError } from '../../errors.js';
import { parseOptions } from '../../options.js';
import { trainingOptionsShape, withTrainingRun, type TrainingResult, type TrainingRun } from '../../train/pipeline.js';
import { splitTrainValidation } from '../../train/split.js';
import type { DataSourceInfo } from '../../weights-format/index.js';
import { writeBertHead } from './head-weights.js';
import {
  balancedClassWeights,
  classesFromTiers,
  countLabels,
  explicitClasses,
  labelBattles,
  labelBySourceRank,
  LABEL_INDEX,
  sourceRanks,
  type LabelCounts,
  type LabelledPrompt,
  type ModelClasses,
} from './labels.js';
import { ORIGINAL_LABEL_ORDER } from './labels.js';
import { tiersFromBattles } from '../tiers.js';

const modelNames = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** Options of `trainBert`. */
export const trainBertOptionsSchema = z
  .object({
    ...trainingOptionsShape,
    /** Strong-class model(s). With `weakModel`, states the classes explicitly instead of taking them from the tiers. */
    strongModel: modelNames.optional(),
    /** Weak-class model(s). */
    weakModel: modelNames.optional(),
    /** Tiers mode: number of tiers. Default 10. */
    numTiers: z.number().int().min(2).default(10),
    /** Tiers mode: tiers (0 = highest rated) whose models are strong-class. Default [0, 1] (the paper). */
    strongTiers: z.array(z.number().int().min(0)).min(1).default([0, 1]),
    /** Tiers mode: tiers whose models are weak-class. Default [2] (the paper). */
    weakTiers: z.array(z.number().int().min(0)).min(1).default([2]),
    /**
     * Score tables: also label the battles the classes leave out by rank within their source (its
     * top third of models strong, bottom third weak; see labels.ts). Lets tables of models that
     * have no tier (open models never seen in battles with tiered ones) teach the head. Default false.
     */
    rankWithinSource: z.boolean().default(false),
    /** Score tables: a score difference under this is a tie (golden-label rule). Default 0.1. */
    tieMargin: z.number().min(0).default(0.1),
    /** Score tables: most model pairs sampled per prompt (seeded). Default 16 (a table of 11 models has 55 pairs). */
    maxPairsPerPrompt: z.number().int().positive().default(16),
    /** Head shape, or `auto`: train both and keep the lower validation loss. Default `auto`. */
    architecture: z.enum(['auto', 'linear', 'mlp']).default('auto'),
    /** MLP hidden units. Default 64. */
    hidden: z.number().int().positive().default(64),
    /** Maximum epochs (early stopping on validation loss). Default 80. */
    epochs: z.number().int().positive().default(80),
    batchSize: z.number().int().positive().default(64),
    learningRate: z.number().positive().default(1e-3),
    weightDecay: z.number().min(0).default(1e-4),
    /** Share of prompts held out for validation (model choice, early stopping). Default 0.1. */
    validationFraction: z.number().min(0.01).max(0.5).default(0.1),
    /** `auto`: inverse-frequency class weights when the largest label count exceeds twice the smallest; `balanced`: always; `none`: never. */
    classWeights: z.enum(['auto', 'balanced', 'none']).default('auto'),
  })
  .strict()
  .refine((options) => (options.strongModel === undefined) === (options.weakModel === undefined), {
    message: 'give both strongModel and weakModel, or neither (then the classes come from the tiers)',
    path: ['strongModel'],
  });

export type TrainBertOptions = z.input<typeof trainBertOptionsSchema>;

/** What `trainBert` reports besides the common result. */
export interface TrainBertDetails {
  classes: ModelClasses;
  labelCounts: { train: LabelCounts; validation: LabelCounts };
  /** Validation loss of each head tried. */
  candidates: { architecture: HeadArchitecture; validationLoss: number; bestEpoch: number }[];
  chosen: HeadArchitecture;
}

/** What `trainBert` returns. */
export type TrainBertResult = TrainingResult<TrainBertDetails>;

type TrainBertSettings = z.output<typeof trainBertOptionsSchema>;

function toList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** Cross-entropy on the validation rows of always predicting the (class-weighted) training label shares. */
function crossEntropyOfPrior(train: readonly LabelledPrompt[], validation: readonly LabelledPrompt[], classWeights: readonly number[]): number {
  const mass = [0, 0, 0];
  for (const row of train) mass[LABEL_INDEX[row.label]] += row.weight * classWeights[LABEL_INDEX[row.label]];
  const total = mass[0] + mass[1] + mass[2];
  let loss = 0;
  let weight = 0;
  for (const row of validation) {
    const index = LABEL_INDEX[row.label];
    const rowWeight = row.weight * classWeights[index];
    loss -= rowWeight * Math.log(Math.max(1e-9, mass[index] / total));
    weight += rowWeight;
  }
  return weight > 0 ? loss / weight : Number.NaN;
}

/**
 * Trains a head-mode bert router and writes its weights folder. Steps: read the files (score
 * tables become battles by the golden-label rule), add the MMLU gold split if asked, decide the
 * strong and weak classes (explicit models, or the Elo tiers of all battles), label the
 * strong-vs-weak battles, drop contaminated prompts, embed every distinct prompt once (through
 * the disk cache), split by prompt, train the head(s) and keep the one with the lower validation
 * loss. Each prompt's labelled battles share a total weight of 1, so a prompt with many model
 * pairs does not outweigh a single arena vote.
 */
export async function trainBert(options: TrainBertOptions): Promise<TrainBertResult> {
  const settings = parseOptions(trainBertOptionsSchema, options, 'train bert options');
  return withTrainingRun('bert', settings, async (run) => {
    const { labelled: read, classes, sources } = await labelTrainingBattles(settings, run);
    const decontaminated = await run.decontaminate(read);
    let labelled = decontaminated.kept;
    const perPrompt = new Map<string, number>();
    for (const row of labelled) perPrompt.set(row.prompt, (perPrompt.get(row.prompt) ?? 0) + 1);
    labelled = labelled.map((row) => ({ ...row, weight: row.weight / perPrompt.get(row.prompt)! }));
    const prompts = [...perPrompt.keys()];
    const vectors = await run.embed(prompts);
    const fitted = await fitHeads(settings, run, labelled, prompts, vectors);
    const { best, trained, labelCounts, classWeights } = fitted;
    const manifest = await writeBertHead(settings.output, best.result.parameters, {
      embedder: { id: run.embedder.id, dimension: run.embedder.dimension },
      hyperparameters: {
        architecture: best.architecture,
        hidden: best.architecture === 'mlp' ? settings.hidden : 0,
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        learningRate: settings.learningRate,
        weightDecay: settings.weightDecay,
        validationFraction: settings.validationFraction,
        seed: settings.seed,
        tieMargin: settings.tieMargin,
        maxPairsPerPrompt: settings.maxPairsPerPrompt,
        numTiers: settings.numTiers,
        strongTiers: settings.strongTiers,
        weakTiers: settings.weakTiers,
        classWeights: settings.classWeights,
        rankWithinSource: settings.rankWithinSource,
      },
      data: { sources, decontamination: decontaminated.record, labelledBattles: labelled.length, prompts: prompts.length },
      metrics: {
        validationLoss: best.result.validationLoss,
        validationLossOfLabelPrior: fitted.priorLoss,
        bestEpoch: best.result.bestEpoch + 1,
        ...Object.fromEntries(trained.map((item) => [`validationLoss_${item.architecture}`, item.result.validationLoss])),
      },
      notes:
        'Head mode of the bert router: a softmax head over frozen embeddings. Labels: 0 strong-class model wins, 1 tie, 2 weak-class model wins ' +
        '(battles between two models of the same class are dropped; each prompt has total weight 1). Validation losses are class-weighted cross-entropies.' +
        (settings.notes ? ` ${settings.notes}` : ''),
      extra: {
        head: { architecture: best.architecture, hidden: best.result.parameters.hidden },
        labelOrder: [...ORIGINAL_LABEL_ORDER],
        classes,
        labelCounts,
        classWeights,
      },
    });
    return run.result(manifest, labelled.length, decontaminated.dropped, {
      classes,
      labelCounts,
      candidates: trained.map((item) => ({ architecture: item.architecture, validationLoss: item.result.validationLoss, bestEpoch: item.result.bestEpoch + 1 })),
      chosen: best.architecture,
    });
  });
}

/**
 * Reads the files (score tables become battles by the golden-label rule), adds the MMLU gold split
 * if asked, decides the strong and weak classes (explicit models, or the Elo tiers of all battles)
 * and labels the strong-vs-weak battles.
 */
async function labelTrainingBattles(settings: TrainBertSettings, run: TrainingRun): Promise<{ labelled: LabelledPrompt[]; classes: ModelClasses; sources: DataSourceInfo[] }> {
  const explicit = settings.strongModel !== undefined ? { strong: toList(settings.strongModel), weak: toList(settings.weakModel!) } : undefined;
  // Explicit classes: only strong x weak pairs are read (score tables then give every such pair before the cap).
  const crossPairs = explicit ? explicit.strong.flatMap((strong) => explicit.weak.map((weak) => [strong, weak] as [string, string])) : undefined;
  const read = await readTrainingData(settings.data, {
    margin: settings.tieMargin,
    seed: settings.seed,
    maxPairsPerPrompt: settings.maxPairsPerPrompt,
    // With ranks within sources the other pairs are needed too; the explicit pairs are then always kept.
    ...(crossPairs ? (settings.rankWithinSource ? { keepPairs: crossPairs } : { pairs: crossPairs }) : {}),
  });
  const battles: Battle[] = [...read.battles];
  const sources: DataSourceInfo[] = read.sources.map((source) => ({ name: source.source, rows: source.rows, examples: source.battles, kind: source.kind }));
  const gold = await run.goldRows();
  if (gold.length > 0) {
    const goldBattles = scoreRowsToBattles(gold, { margin: settings.tieMargin, seed: settings.seed });
    for (const battle of goldBattles) battles.push(battle);
    sources.push({ name: 'mmlu-gold', rows: gold.length, examples: goldBattles.length, kind: 'scores' });
  }
  if (battles.length === 0) throw new InvalidInputError('training data', 'at least one battle or score row (give --data files or mmluGold)');

  let classes: ModelClasses;
  if (explicit) classes = explicitClasses(explicit.strong, explicit.weak);
  else {
    const fitted = tiersFromBattles(battles, settings.numTiers);
    classes = classesFromTiers(
      Object.fromEntries(fitted.models.map((model, i) => [model, fitted.tiers[i]])),
      settings.strongTiers,
      settings.weakTiers,
    );
    run.log(`tiers from ${battles.length} battles over ${fitted.models.length} models; strong ${classes.strong.length}, weak ${classes.weak.length}`);
  }
  let labelled = labelBattles(battles, classes);
  run.log(`${labelled.length} strong-vs-weak battles labelled (strong ${classes.strong.join(', ')} | weak ${classes.weak.join(', ')})`);
  if (settings.rankWithinSource) {
    const byRank = labelBySourceRank(battles, classes, sourceRanks(read.scoreRows));
    labelled = [...labelled, ...byRank];
    run.log(`${byRank.length} more battles labelled by rank within their source`);
  }
  if (labelled.length === 0) {
    throw new InvalidInputError(
      'training data',
      `battles between a strong-class model (${classes.strong.join(', ') || 'none'}) and a weak-class model (${classes.weak.join(', ') || 'none'}); none were found`,
    );
  }
  return { labelled, classes, sources };
}

/** Splits by prompt, trains the head(s) and keeps the one with the lower validation loss. */
async function fitHeads(settings: TrainBertSettings, run: TrainingRun, labelled: LabelledPrompt[], prompts: string[], vectors: Float32Array) {
  const promptIndex = new Map(prompts.map((prompt, i) => [prompt, i]));
  const dimension = run.embedder.dimension;
  const split = splitTrainValidation(labelled, { validationFraction: settings.validationFraction, seed: settings.seed, groupBy: (row) => row.prompt });
  const toSet = (rows: readonly LabelledPrompt[]) => {
    const features = new Float32Array(rows.length * dimension);
    rows.forEach((row, i) => {
      const at = promptIndex.get(row.prompt)! * dimension;
      features.set(vectors.subarray(at, at + dimension), i * dimension);
    });
    return { features, labels: Int32Array.from(rows, (row) => LABEL_INDEX[row.label]), weights: Float32Array.from(rows, (row) => row.weight) };
  };
  const trainSet = toSet(split.train);
  const validationSet = toSet(split.validation);
  const labelCounts = { train: countLabels(split.train), validation: countLabels(split.validation) };
  const classWeights = settings.classWeights === 'none' ? [1, 1, 1] : balancedClassWeights(labelCounts.train, settings.classWeights === 'balanced' ? 0 : 2);
  run.log(`labels train ${JSON.stringify(labelCounts.train)} validation ${JSON.stringify(labelCounts.validation)}; class weights ${classWeights.map((w) => w.toFixed(3)).join(', ')}`);
  const architectures: HeadArchitecture[] = settings.architecture === 'auto' ? ['linear', 'mlp'] : [settings.architecture];
  const trained: { architecture: HeadArchitecture; result: TrainedClassifierHead }[] = [];
  for (const architecture of architectures) {
    const result = await trainClassifierHead({
      architecture,
      inputs: dimension,
      classes: 3,
      train: trainSet,
      validation: validationSet,
      hidden: settings.hidden,
      classWeights,
      learningRate: settings.learningRate,
      weightDecay: settings.weightDecay,
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      seed: settings.seed,
      onEpoch: (epoch, trainLoss, validationLoss) => {
        if (epoch % 10 === 0) run.log(`${architecture} epoch ${epoch + 1} train ${trainLoss.toFixed(4)} validation ${validationLoss.toFixed(4)}`);
      },
    });
    run.log(`${architecture} best validation loss ${result.validationLoss.toFixed(4)} at epoch ${result.bestEpoch + 1}`);
    trained.push({ architecture, result });
  }
  const best = trained.reduce((a, b) => (b.result.validationLoss < a.result.validationLoss ? b : a));
  return { best, trained, labelCounts, classWeights, priorLoss: crossEntropyOfPrior(split.train, split.validation, classWeights) };
}

