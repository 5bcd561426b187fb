/**
 * Training of the ridge router: correctness / score tables (plus, optionally, the MMLU gold split)
 * -> decontaminated rows -> frozen-encoder embeddings (disk-cached) and text features -> two ridge
 * regressions in closed form -> quantile maps -> a weights folder in the shared format.
 */
import { z } from 'zod';
import { fitRidge } from '../../core/models/ridge.js';
import { decontaminate } from '../../data/decontaminate.js';
import { loadEvaluationPrompts, loadMmluSplit } from '../../data/evals.js';
import { canonicalModelName, DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL } from '../../data/models.js';
import { readTrainingData } from '../../data/training-data.js';
import type { ScoreRow } from '../../data/types.js';
import { InvalidInputError } from '../../errors.js';
import { parseOptions } from '../../options.js';
import { embedPrompts } from '../../train/embed-prompts.js';
import type { DataSourceInfo, WeightsManifest } from '../../weights-format/index.js';
import { frozenEncoderTrainingShape, openTrainingEmbedder } from '../train-options.js';
import { featureRows, isMultipleChoice, TEXT_FEATURES } from './features.js';
import { HEADS, sampleQuantiles, writeRidgeWeights, type RidgeExtra, type RidgeTarget } from './weights.js';

const headSchema = (target: RidgeTarget, lambda: number, textFeatures: boolean) =>
  z
    .object({
      /**
       * What the head predicts for a row: `pair-gap` strong result - weak result (rows with both
       * models), `weak-fails` 1 - weak result (rows with the weak model), `difficulty` 1 - the
       * mean result over the row's models (every row).
       */
      target: z.enum(['pair-gap', 'weak-fails', 'difficulty']).default(target),
      /** Ridge penalty (> 0). */
      lambda: z.number().positive().default(lambda),
      /** Use the seven text features besides the embedding. */
      textFeatures: z.boolean().default(textFeatures),
      /**
       * Sources (a data file's name without `.jsonl`, or `mmlu-gold`) whose rows this head is
       * fitted on; any other source is left out of it. Default: every source, except that a head
       * given no list leaves out the sources another head lists.
       */
      sources: z.array(z.string().min(1)).min(1).optional(),
    })
    .strict()
    .default({ target, lambda, textFeatures });

/** Options of `trainRidge`. The head defaults are the shipped recipe (chosen on validation data, docs/experiments.md). */
export const trainRidgeOptionsSchema = z
  .object({
    /** Score tables (`prompt, correct|scores`); battle files carry no per-model results and are refused. */
    data: z.array(z.string().min(1)).default([]),
    /** Folder to write the weights to. */
    output: z.string().min(1),
    /** The strong model of the targets. Default gpt-4-1106-preview. */
    strongModel: z.string().min(1).default(DEFAULT_STRONG_MODEL),
    /** The weak model of the targets. Default mistralai/Mixtral-8x7B-Instruct-v0.1. */
    weakModel: z.string().min(1).default(DEFAULT_WEAK_MODEL),
    /** Head for multiple-choice prompts. Default: pair gap, lambda 1, text features. */
    multipleChoice: headSchema('pair-gap', 1, true),
    /**
     * Head for every other prompt. Default: weak fails, lambda 3, embedding only (chosen
     * out-of-fold on open-ended chat, docs/experiments.md section 11; the shipped weights fit it
     * on `sources: ['arenabench-scores']`, scripts/build-ridge-weights.ts).
     */
    open: headSchema('weak-fails', 3, false),
    ...frozenEncoderTrainingShape,
    /** Reference points per head for the score's quantile map. Default 1001. */
    quantiles: z.number().int().min(2).max(100_000).default(1001),
    /** Extra text for the manifest's notes. */
    notes: z.string().optional(),
    /** Progress lines on stderr. Default true. */
    progress: z.boolean().default(true),
  })
  .strict();

export type TrainRidgeOptions = z.input<typeof trainRidgeOptionsSchema>;

/** What `trainRidge` returns. */
export interface TrainRidgeResult {
  output: string;
  manifest: WeightsManifest;
  /** Rows each head was fitted on. */
  trainRows: { multiple_choice: number; open: number };
  droppedContaminated: number;
}

/** A row's target for a head, or undefined when the row lacks the models it needs. */
export function ridgeTarget(target: RidgeTarget, row: ScoreRow, strong: string, weak: string): number | undefined {
  const s = row.scores[strong];
  const w = row.scores[weak];
  if (target === 'pair-gap') return s !== undefined && w !== undefined ? s - w : undefined;
  if (target === 'weak-fails') return w !== undefined ? 1 - w : undefined;
  const values = Object.values(row.scores);
  return values.length > 0 ? 1 - values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

/** Which sources a head fits on: its own list, else every source that the other head does not list. */
function headSourceFilter(own: readonly string[] | undefined, other: readonly string[] | undefined): (source: string) => boolean {
  if (own) return (source) => own.includes(source);
  return other ? (source) => !other.includes(source) : () => true;
}

/**
 * Trains the ridge router and writes its weights folder: each head is a ridge regression of its
 * target on [embedding, text features (or zeros), 1] over every training row that has the target;
 * its quantile map comes from its raw scores on the distinct training prompts of its kind
 * (multiple-choice or not; all prompts when none are of that kind).
 */
export async function trainRidge(options: TrainRidgeOptions): Promise<TrainRidgeResult> {
  const settings = parseOptions(trainRidgeOptionsSchema, options, 'train ridge options');
  const log = (line: string) => {
    if (settings.progress) process.stderr.write(`${line}\n`);
  };
  const strong = canonicalModelName(settings.strongModel);
  const weak = canonicalModelName(settings.weakModel);
  // Only the score rows are used; one battle per prompt keeps the unused battle list small.
  const read = await readTrainingData(settings.data, { maxPairsPerPrompt: 1 });
  const battleFiles = read.sources.filter((source) => source.kind !== 'scores');
  if (battleFiles.length > 0) {
    throw new InvalidInputError('data', `score tables (prompt, correct|scores); ${battleFiles.map((source) => source.file).join(', ')} hold battles, which have no per-model results`);
  }
  let rows: ScoreRow[] = [...read.scoreRows];
  const sources: DataSourceInfo[] = read.sources.map((source) => ({ name: source.source, rows: source.rows, examples: source.rows, kind: source.kind }));
  if (settings.mmluGold) {
    const { gold } = await loadMmluSplit({ dataDir: settings.dataDir });
    for (const row of gold.rows) rows.push({ prompt: row.prompt, scores: row.scores, source: 'mmlu-gold' });
    sources.push({ name: 'mmlu-gold', rows: gold.rows.length, examples: gold.rows.length, kind: 'scores' });
  }
  if (rows.length === 0) throw new InvalidInputError('training data', 'at least one score row (give --data score tables or mmluGold)');

  const { base: baseEmbedder, embedder, close } = await openTrainingEmbedder(settings.embedder, settings.embeddingCache);
  try {
    let decontamination: Record<string, unknown> = { applied: false };
    let dropped = 0;
    if (settings.decontaminate) {
      const against = ['mmlu-rest', 'gsm8k', 'mt_bench'] as const;
      const evalPrompts = await loadEvaluationPrompts({ dataDir: settings.dataDir, mmlu: 'rest' });
      const result = await decontaminate(rows, { evalPrompts, embedder, threshold: settings.decontaminationThreshold });
      rows = result.kept;
      dropped = result.dropped;
      decontamination = { applied: true, against, threshold: settings.decontaminationThreshold, droppedRows: result.dropped, droppedExact: result.droppedExact, droppedSimilar: result.droppedSimilar };
      log(`ridge: decontamination dropped ${result.dropped} rows`);
    }

    const prompts = [...new Set(rows.map((row) => row.prompt))];
    const promptIndex = new Map(prompts.map((prompt, i) => [prompt, i]));
    const dimension = embedder.dimension;
    const width = dimension + TEXT_FEATURES + 1;
    const embeddings = await embedPrompts(embedder, prompts, settings.progress ? { progressLabel: `ridge: embed (${embedder.id})` } : {});
    const features = featureRows(embeddings, dimension, prompts);
    const multipleChoice = prompts.map(isMultipleChoice);

    const heads = new Float32Array(width * 2);
    const quantiles = new Float32Array(2 * settings.quantiles);
    const extraHeads = {} as RidgeExtra['heads'];
    for (const [column, head] of HEADS.entries()) {
      const spec = head === 'multiple_choice' ? settings.multipleChoice : settings.open;
      const other = head === 'multiple_choice' ? settings.open : settings.multipleChoice;
      const fitsOn = headSourceFilter(spec.sources, other.sources);
      const chosen: { at: number; y: number }[] = [];
      for (const row of rows) {
        const y = fitsOn(row.source) ? ridgeTarget(spec.target, row, strong, weak) : undefined;
        if (y !== undefined) chosen.push({ at: promptIndex.get(row.prompt)!, y });
      }
      if (chosen.length === 0) {
        const needs = spec.target === 'pair-gap' ? `results for both ${strong} and ${weak}` : spec.target === 'weak-fails' ? `results for ${weak}` : 'results';
        const among = spec.sources ? ` among the sources ${spec.sources.join(', ')}` : '';
        throw new InvalidInputError('training data', `rows with ${needs} for the ${head} head (target ${spec.target})${among}; none were found`);
      }
      const x = new Float64Array(chosen.length * width);
      chosen.forEach(({ at }, n) => {
        for (let j = 0; j < width; j++) x[n * width + j] = features[at * width + j];
        if (!spec.textFeatures) x.fill(0, n * width + dimension, n * width + dimension + TEXT_FEATURES);
      });
      const beta = fitRidge({ features: x, width, targets: chosen.map((item) => item.y), lambda: spec.lambda });
      for (let j = 0; j < width; j++) heads[j * 2 + column] = beta[j];
      // Quantile map over this head's kind of prompt (multiple-choice or not).
      const wantMultipleChoice = head === 'multiple_choice';
      let reference = prompts.flatMap((_, i) => (multipleChoice[i] === wantMultipleChoice ? [i] : []));
      if (reference.length === 0) reference = prompts.map((_, i) => i);
      const raw = reference.map((i) => {
        let sum = 0;
        for (let j = 0; j < width; j++) sum += Math.fround(beta[j]) * features[i * width + j];
        return sum;
      });
      quantiles.set(sampleQuantiles(raw, settings.quantiles), column * settings.quantiles);
      extraHeads[head] = { target: spec.target, lambda: spec.lambda, textFeatures: spec.textFeatures, ...(spec.sources ? { sources: spec.sources } : {}), trainRows: chosen.length, referencePrompts: reference.length };
      log(`ridge: ${head} head (${spec.target}, lambda ${spec.lambda}${spec.textFeatures ? ', text features' : ''}) fitted on ${chosen.length} rows`);
    }

    const manifest = await writeRidgeWeights(
      settings.output,
      { heads, width, quantiles, quantileCount: settings.quantiles },
      {
        embedder: { id: baseEmbedder.id, dimension },
        hyperparameters: { multipleChoice: settings.multipleChoice, open: settings.open, quantiles: settings.quantiles, strongModel: strong, weakModel: weak },
        data: { sources, decontamination, rows: rows.length, prompts: prompts.length },
        metrics: { trainRowsMultipleChoice: extraHeads.multiple_choice.trainRows, trainRowsOpen: extraHeads.open.trainRows },
        notes:
          'Ridge router: two ridge regressions over [embedding, 7 text features, 1]; prompts with two or more lettered options use the multiple-choice head, ' +
          "others the open head; each head's raw score is mapped to its quantile among its training prompts." +
          (settings.notes ? ` ${settings.notes}` : ''),
        extra: { heads: extraHeads, pair: { strong, weak } },
      },
    );
    return { output: settings.output, manifest, trainRows: { multiple_choice: extraHeads.multiple_choice.trainRows, open: extraHeads.open.trainRows }, droppedContaminated: dropped };
  } finally {
    await close();
  }
}
