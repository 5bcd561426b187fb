/**
 * Training of the sw_ranking router: a battle index built from data files (battles, or
 * correctness / score tables turned into battles by the golden-label rule) and battles given in
 * memory, through the shared training pipeline (gold split, decontamination, embedding), written
 * as a weights folder.
 */
import { z } from 'zod';
import { scoreRowsToBattles } from '../../data/golden.js';
import { readTrainingData } from '../../data/training-data.js';
import { InvalidInputError } from '../../errors.js';
import { parseOptions } from '../../options.js';
import { trainingOptionsShape, withTrainingRun, type TrainingResult } from '../../train/pipeline.js';
import type { ProgressBar } from '../../train/progress.js';
import { buildBattleIndex, DEFAULT_NUM_TIERS, saveBattleIndex, type BattleIndex, type BattleInput } from './battle-index.js';

/** Options of `trainSwRanking`. */
export const trainSwRankingOptionsSchema = z
  .object({
    ...trainingOptionsShape,
    /** Battles given in memory, added to those read from `data`. */
    battles: z.array(z.custom<BattleInput>((value) => typeof value === 'object' && value !== null)).default([]),
    /** Tiers to split the models into. Default 10. */
    numTiers: z.number().int().min(1).max(1000).default(DEFAULT_NUM_TIERS),
    /** Storage of the prompt embeddings: `int8` (default, 4x smaller) or `float32`. */
    embeddings: z.enum(['int8', 'float32']).default('int8'),
    /** Golden-label rule: a score difference under this is a tie. Default 0.1. */
    margin: z.number().min(0).optional(),
    /** Golden-label rule: most battles sampled per prompt of a score table. Default: all pairs. */
    maxPairsPerPrompt: z.number().int().min(1).optional(),
    /** Weight per source (name or prefix before the first `-`), multiplying that source's battles. */
    sourceWeights: z.record(z.string(), z.number().min(0)).optional(),
  })
  .strict();

export type TrainSwRankingOptions = z.input<typeof trainSwRankingOptionsSchema>;

/** What `trainSwRanking` returns; `details.index` is the battle index written. */
export type TrainSwRankingResult = TrainingResult<{ index: BattleIndex; battlesRead: number }>;

/**
 * Builds a battle index for the sw_ranking router and writes it to `output` (the command line's
 * `routellm train sw_ranking --data <files...> --output <dir>`). Deterministic for the same data,
 * options and embedder. Throws `InvalidOptionsError` for bad options, `InvalidInputError` when there
 * are no battles, and the data layer's errors (naming file and line) for bad rows.
 */
export async function trainSwRanking(options: TrainSwRankingOptions): Promise<TrainSwRankingResult> {
  const settings = parseOptions(trainSwRankingOptionsSchema, options, 'sw_ranking training options');
  const golden = {
    seed: settings.seed,
    ...(settings.margin !== undefined ? { margin: settings.margin } : {}),
    ...(settings.maxPairsPerPrompt !== undefined ? { maxPairsPerPrompt: settings.maxPairsPerPrompt } : {}),
    ...(settings.sourceWeights ? { sourceWeights: settings.sourceWeights } : {}),
  };
  return withTrainingRun('sw_ranking', settings, async (run) => {
    const battles: BattleInput[] = [];
    const sourceFiles: Record<string, { file?: string; rows: number }> = {};
    if (settings.data.length) {
      const read = await readTrainingData(settings.data, golden);
      for (const battle of read.battles) battles.push(battle);
      for (const source of read.sources) sourceFiles[source.source] = { file: source.file, rows: source.rows };
      run.log(`read ${read.battles.length} battles from ${settings.data.length} file(s)`);
    }
    for (const battle of settings.battles) battles.push(battle);
    const gold = await run.goldRows();
    if (gold.length > 0) {
      const goldBattles = scoreRowsToBattles(gold, { ...golden, seed: settings.seed * 1009 + 7919 });
      for (const battle of goldBattles) battles.push(battle);
      sourceFiles['mmlu-gold'] = { rows: gold.length };
      run.log(`added ${goldBattles.length} MMLU gold-split battles`);
    }
    if (battles.length === 0) throw new InvalidInputError('training data', 'battles: give "data" files, "battles" or "mmluGold"');
    const decontaminated = await run.decontaminate(battles);
    let bar: ProgressBar | undefined;
    const embedder = await run.openEmbedder();
    const index = await buildBattleIndex(decontaminated.kept, {
      embedder,
      numTiers: settings.numTiers,
      onProgress: (done, total) => (bar ??= run.bar(`embed (${embedder.id})`, total))?.update(done),
    });
    bar?.finish();
    for (const source of index.sources) Object.assign(source, sourceFiles[source.name] ?? {});
    const manifest = await saveBattleIndex(settings.output, index, {
      embeddings: settings.embeddings,
      notes: settings.notes,
      hyperparameters: {
        seed: settings.seed,
        margin: settings.margin ?? 0.1,
        maxPairsPerPrompt: settings.maxPairsPerPrompt ?? null,
        sourceWeights: settings.sourceWeights ?? {},
        mmluGold: settings.mmluGold,
      },
      data: { battlesRead: battles.length, decontamination: decontaminated.record },
    });
    run.log(`wrote ${index.battleWinner.length} battles, ${index.promptCount} prompts, ${index.models.length} models to ${settings.output}`);
    return run.result(manifest, decontaminated.kept.length, decontaminated.dropped, { index, battlesRead: battles.length });
  });
}
