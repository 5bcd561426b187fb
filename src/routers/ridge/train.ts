/**
 * Training of the ridge router: correctness / score tables (plus, optionally, the MMLU gold split)
 * -> decontaminated rows -> frozen-encoder embeddings (disk-cached) and text features -> three ridge
 * regressions in closed form (multiple-choice, open and maths heads) -> quantile maps -> a weights
 * folder in the shared format.
 */
import { z } from 'zod';
import { fitRidge } from '../../core/models/ridge.js';
import { canonicalModelName, DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL } from '../../data/models.js';
import { readTrainingData } from '../../data/training-data.js';
import type { ScoreRow } from '../../data/types.js';
import { InvalidInputError } from '../../errors.js';
import { parseOptions } from '../../options.js';
import { trainingOptionsShape, withTrainingRun, type TrainingResult } from '../../train/pipeline.js';
import type { DataSourceInfo } from '../../weights-format/index.js';
import { featureRows, promptKind, TEXT_FEATURES } from './features.js';
import { HEADS, sampleQuantiles, writeRidgeWeights, type RidgeHeadRecord, type RidgeTarget } from './weights.js';

const headSchema = (target: RidgeTarget, lambda: number, textFeatures: boolean, rankTargets: boolean) =>
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
       * Fit the targets' ranks instead of their values: each row's target becomes its midrank among
       * the head's training rows from the same source, scaled to [0, 1] (ties share their mean
       * rank), so sources graded on different scales share one.
       */
      rankTargets: z.boolean().default(rankTargets),
      /**
       * Sources (a data file's name without `.jsonl`, or `mmlu-gold`) whose rows this head is
       * fitted on; any other source is left out of it. Default: every source, except that a head
       * given no list leaves out the sources the other heads list.
       */
      sources: z.array(z.string().min(1)).min(1).optional(),
    })
    .strict()
    .default({ target, lambda, textFeatures, rankTargets });

// Ridge is a closed-form fit: nothing is random, so it takes no seed.
const { seed: _seed, ...pipelineShape } = trainingOptionsShape;

/** Options of `trainRidge`. The head defaults are the shipped recipe (chosen on validation data, docs/experiments.md). */
export const trainRidgeOptionsSchema = z
  .object({
    ...pipelineShape,
    /** Score tables (`prompt, correct|scores`); battle files carry no per-model results and are refused. */
    data: z.array(z.string().min(1)).default([]),
    /** The strong model of the targets. Default gpt-4-1106-preview. */
    strongModel: z.string().min(1).default(DEFAULT_STRONG_MODEL),
    /** The weak model of the targets. Default mistralai/Mixtral-8x7B-Instruct-v0.1. */
    weakModel: z.string().min(1).default(DEFAULT_WEAK_MODEL),
    /** Head for multiple-choice prompts. Default: pair gap, lambda 1, text features, target values. */
    multipleChoice: headSchema('pair-gap', 1, true, false),
    /**
     * Head for every other prompt. Default: weak fails, ranked, lambda 3, embedding only (chosen
     * out-of-fold on open-ended chat, docs/experiments.md sections 11 and 13; the shipped weights
     * fit it on `sources: ['arenabench-scores']`, scripts/build-ridge-weights.ts).
     */
    open: headSchema('weak-fails', 3, false, true),
    /**
     * Head for maths prompts (two or more numbers, no code; `promptKind`). Default: difficulty,
     * ranked, lambda 1, text features (chosen out-of-fold on maths score tables,
     * docs/experiments.md section 15; the shipped weights fit it on the open7 GSM8K-train and
     * MATH prealgebra tables).
     */
    maths: headSchema('difficulty', 1, true, true),
    /** Reference points per head for the score's quantile map. Default 1001. */
    quantiles: z.number().int().min(2).max(100_000).default(1001),
  })
  .strict();

export type TrainRidgeOptions = z.input<typeof trainRidgeOptionsSchema>;

/** What `trainRidge` returns; `details.trainRows`: the rows each head was fitted on. */
export type TrainRidgeResult = TrainingResult<{ trainRows: { multiple_choice: number; open: number; maths: number } }>;

/** A row's target for a head, or undefined when the row lacks the models it needs. */
export function ridgeTarget(target: RidgeTarget, row: ScoreRow, strong: string, weak: string): number | undefined {
  const s = row.scores[strong];
  const w = row.scores[weak];
  if (target === 'pair-gap') return s !== undefined && w !== undefined ? s - w : undefined;
  if (target === 'weak-fails') return w !== undefined ? 1 - w : undefined;
  const values = Object.values(row.scores);
  return values.length > 0 ? 1 - values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

/** Each value's midrank among `values`, scaled to [0, 1] (ties share their mean rank; a single value is 0.5). */
export function midranks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const rank = values.length > 1 ? (start + end - 1) / 2 / (values.length - 1) : 0.5;
    for (let k = start; k < end; k++) out[order[k]] = rank;
    start = end;
  }
  return out;
}

/** Midranks (`midranks`) taken separately within each group of rows. */
export function midranksWithin(values: readonly number[], groups: readonly string[]): number[] {
  const out = new Array<number>(values.length);
  for (const group of new Set(groups)) {
    const at = groups.flatMap((name, i) => (name === group ? [i] : []));
    midranks(at.map((i) => values[i])).forEach((rank, k) => (out[at[k]] = rank));
  }
  return out;
}

/** Which sources a head fits on: its own list, else every source that no other head lists. */
function headSourceFilter(own: readonly string[] | undefined, others: readonly (readonly string[] | undefined)[]): (source: string) => boolean {
  if (own) return (source) => own.includes(source);
  const listed = others.flatMap((list) => list ?? []);
  return (source) => !listed.includes(source);
}

/**
 * Trains the ridge router and writes its weights folder: each head is a ridge regression of its
 * target on [embedding, text features (or zeros), 1] over every training row that has the target;
 * its quantile map comes from its raw scores on the distinct training prompts of its kind
 * (`promptKind`; all prompts when none are of that kind).
 */
export async function trainRidge(options: TrainRidgeOptions): Promise<TrainRidgeResult> {
  const settings = parseOptions(trainRidgeOptionsSchema, options, 'train ridge options');
  return withTrainingRun('ridge', { ...settings, seed: 0 }, async (run) => {
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
    const gold = await run.goldRows();
    if (gold.length > 0) {
      rows.push(...gold);
      sources.push({ name: 'mmlu-gold', rows: gold.length, examples: gold.length, kind: 'scores' });
    }
    if (rows.length === 0) throw new InvalidInputError('training data', 'at least one score row (give --data score tables or mmluGold)');

    const decontaminated = await run.decontaminate(rows);
    rows = decontaminated.kept;

    const prompts = [...new Set(rows.map((row) => row.prompt))];
    const promptIndex = new Map(prompts.map((prompt, i) => [prompt, i]));
    const embeddings = await run.embed(prompts);
    const dimension = run.embedder.dimension;
    const width = dimension + TEXT_FEATURES + 1;
    const features = featureRows(embeddings, dimension, prompts);
    const kinds = prompts.map(promptKind);
    const specs = { multiple_choice: settings.multipleChoice, open: settings.open, maths: settings.maths };

    const headCount = HEADS.length;
    const heads = new Float32Array(width * headCount);
    const quantiles = new Float32Array(headCount * settings.quantiles);
    const extraHeads = {} as Record<(typeof HEADS)[number], RidgeHeadRecord>;
    for (const [column, head] of HEADS.entries()) {
      const spec = specs[head];
      const fitsOn = headSourceFilter(spec.sources, HEADS.filter((other) => other !== head).map((other) => specs[other].sources));
      const chosen: { at: number; y: number; source: string }[] = [];
      for (const row of rows) {
        const y = fitsOn(row.source) ? ridgeTarget(spec.target, row, strong, weak) : undefined;
        if (y !== undefined) chosen.push({ at: promptIndex.get(row.prompt)!, y, source: row.source });
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
      const targets = chosen.map((item) => item.y);
      const beta = fitRidge({ features: x, width, targets: spec.rankTargets ? midranksWithin(targets, chosen.map((item) => item.source)) : targets, lambda: spec.lambda });
      for (let j = 0; j < width; j++) heads[j * headCount + column] = beta[j];
      // Quantile map over this head's kind of prompt.
      let reference = prompts.flatMap((_, i) => (kinds[i] === head ? [i] : []));
      if (reference.length === 0) reference = prompts.map((_, i) => i);
      const raw = reference.map((i) => {
        let sum = 0;
        for (let j = 0; j < width; j++) sum += Math.fround(beta[j]) * features[i * width + j];
        return sum;
      });
      quantiles.set(sampleQuantiles(raw, settings.quantiles), column * settings.quantiles);
      extraHeads[head] = { target: spec.target, lambda: spec.lambda, textFeatures: spec.textFeatures, rankTargets: spec.rankTargets, ...(spec.sources ? { sources: spec.sources } : {}), trainRows: chosen.length, referencePrompts: reference.length };
      run.log(`${head} head (${spec.target}${spec.rankTargets ? ' ranks' : ''}, lambda ${spec.lambda}${spec.textFeatures ? ', text features' : ''}) fitted on ${chosen.length} rows`);
    }

    const manifest = await writeRidgeWeights(
      settings.output,
      { heads, width, headCount, quantiles, quantileCount: settings.quantiles },
      {
        embedder: { id: run.embedder.id, dimension },
        hyperparameters: { multipleChoice: settings.multipleChoice, open: settings.open, maths: settings.maths, quantiles: settings.quantiles, strongModel: strong, weakModel: weak },
        data: { sources, decontamination: decontaminated.record, rows: rows.length, prompts: prompts.length },
        metrics: { trainRowsMultipleChoice: extraHeads.multiple_choice.trainRows, trainRowsOpen: extraHeads.open.trainRows, trainRowsMaths: extraHeads.maths.trainRows },
        notes:
          'Ridge router: three ridge regressions over [embedding, 7 text features, 1]; prompts with two or more lettered options use the multiple-choice head, ' +
          "prompts with two or more numbers and no code the maths head, others the open head; each head's raw score is mapped to its quantile among its training prompts of that kind." +
          (settings.notes ? ` ${settings.notes}` : ''),
        extra: { heads: extraHeads, pair: { strong, weak } },
      },
    );
    const trainRows = { multiple_choice: extraHeads.multiple_choice.trainRows, open: extraHeads.open.trainRows, maths: extraHeads.maths.trainRows };
    return run.result(manifest, rows.length, decontaminated.dropped, { trainRows });
  });
}
