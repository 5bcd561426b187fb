/**
 * Building a sw_ranking battle index from data files (battles, or correctness / score tables
 * turned into battles by the golden-label rule), optionally with the MMLU gold split, optionally
 * decontaminated against the benchmarks, embedded with an embedder and written as a weights folder.
 */
import { z } from 'zod';
import { decontaminate } from '../../data/decontaminate.js';
import { loadEvaluationPrompts, loadMmluSplit, resolveDataDir } from '../../data/evals.js';
import { scoreRowsToBattles } from '../../data/golden.js';
import { readTrainingData } from '../../data/training-data.js';
import { withDiskCache } from '../../embedders/disk-cache.js';
import { createEmbedder, DEFAULT_EMBEDDER } from '../../embedders/registry.js';
import { InvalidOptionsError } from '../../errors.js';
import { parseOptions } from '../../options.js';
import { embedderOrIdSchema } from '../embedder.js';
import { buildBattleIndex, DEFAULT_NUM_TIERS, saveBattleIndex, type BattleIndex, type BattleInput } from './battle-index.js';

/** Options of `buildSwRankingIndex`. */
export const buildSwRankingIndexOptionsSchema = z
  .object({
    /** Training files (JSON Lines): battles (`prompt`, `model_a`, `model_b`, `winner`) or score tables (`prompt`, `correct` | `scores`). */
    data: z.array(z.string().min(1)).default([]),
    /** Battles given in memory, added to those read from `data`. */
    battles: z.array(z.custom<BattleInput>((value) => typeof value === 'object' && value !== null)).default([]),
    /** Output folder (created). */
    output: z.string().min(1),
    /** Embedder of the prompts, or an id for `createEmbedder` (wrapped in the shared disk cache). Default `use-lite` behind the disk cache. */
    embedder: embedderOrIdSchema.optional(),
    /** Tiers to split the models into. Default 10. */
    numTiers: z.number().int().min(1).max(1000).default(DEFAULT_NUM_TIERS),
    /** Storage of the prompt embeddings: `int8` (default, 4x smaller) or `float32`. */
    embeddings: z.enum(['int8', 'float32']).default('int8'),
    /** Add the MMLU gold split (1,500 rows of the benchmark, see the data README) as golden-label battles. Default false. */
    mmluGold: z.boolean().default(false),
    /** Drop training prompts within `decontaminationThreshold` cosine of a benchmark prompt (MMLU-rest, GSM8K, MT-Bench). Default false. */
    decontaminate: z.boolean().default(false),
    /** Cosine similarity at or above which a training prompt counts as contaminated. Default 0.95. */
    decontaminationThreshold: z.number().gt(0).max(1).default(0.95),
    /** Data folder holding `evals/` (for `mmluGold` and `decontaminate`). Default `ROUTELLM_DATA_DIR` or `../shared/data`. */
    dataDir: z.string().min(1).optional(),
    /** Golden-label rule: a score difference under this is a tie. Default 0.1. */
    margin: z.number().min(0).optional(),
    /** Golden-label rule: most battles sampled per prompt of a score table. Default: all pairs. */
    maxPairsPerPrompt: z.number().int().min(1).optional(),
    /** Seed of the pair sampling. Default 0. */
    seed: z.number().int().default(0),
    /** Weight per source (name or prefix before the first `-`), multiplying that source's battles. */
    sourceWeights: z.record(z.string(), z.number().min(0)).optional(),
    /** Free text recorded in the manifest. */
    notes: z.string().optional(),
    /** Progress messages. */
    onProgress: z.custom<(message: string) => void>((value) => typeof value === 'function').optional(),
  })
  .strict();

export type BuildSwRankingIndexOptions = z.input<typeof buildSwRankingIndexOptionsSchema>;

/** What `buildSwRankingIndex` made. */
export interface BuildSwRankingIndexResult {
  /** The folder written. */
  dir: string;
  index: BattleIndex;
  /** Battles before and after decontamination. */
  battlesRead: number;
  battlesKept: number;
  /** Decontamination counts, when it ran. */
  decontamination?: { dropped: number; droppedExact: number; droppedSimilar: number; evalPrompts: number; threshold: number };
}

/**
 * Builds a battle index for the sw_ranking router and writes it to `output` (the command line's
 * `routellm train sw_ranking --data <files...> --output <dir>`). Deterministic for the same data,
 * options and embedder. Throws `InvalidOptionsError` for bad options and the data layer's errors
 * (naming file and line) for bad rows.
 */
export async function buildSwRankingIndex(options: BuildSwRankingIndexOptions): Promise<BuildSwRankingIndexResult> {
  const settings = parseOptions(buildSwRankingIndexOptionsSchema, options, 'sw_ranking training options');
  const progress = settings.onProgress ?? (() => undefined);
  const golden = {
    seed: settings.seed,
    ...(settings.margin !== undefined ? { margin: settings.margin } : {}),
    ...(settings.maxPairsPerPrompt !== undefined ? { maxPairsPerPrompt: settings.maxPairsPerPrompt } : {}),
    ...(settings.sourceWeights ? { sourceWeights: settings.sourceWeights } : {}),
  };
  const battles: BattleInput[] = [];
  const sourceFiles: Record<string, { file?: string; rows: number }> = {};
  if (settings.data.length) {
    const read = await readTrainingData(settings.data, golden);
    for (const battle of read.battles) battles.push(battle);
    for (const source of read.sources) sourceFiles[source.source] = { file: source.file, rows: source.rows };
    progress(`read ${read.battles.length} battles from ${settings.data.length} file(s)`);
  }
  for (const battle of settings.battles) battles.push(battle);
  const dataDir = settings.mmluGold || settings.decontaminate ? resolveDataDir(settings.dataDir) : undefined;
  if (settings.mmluGold) {
    const { gold } = await loadMmluSplit({ dataDir });
    const rows = gold.rows.map((row) => ({ prompt: row.prompt, scores: row.scores, source: 'mmlu-gold' }));
    const goldBattles = scoreRowsToBattles(rows, { ...golden, seed: settings.seed * 1009 + 7919 });
    for (const battle of goldBattles) battles.push(battle);
    sourceFiles['mmlu-gold'] = { rows: rows.length };
    progress(`added ${goldBattles.length} MMLU gold-split battles`);
  }
  if (battles.length === 0) throw new InvalidOptionsError('sw_ranking training options', 'no battles: give "data" files, "battles" or "mmluGold"');

  const ownsEmbedder = typeof settings.embedder !== 'object';
  const embedder =
    typeof settings.embedder === 'object' ? settings.embedder : withDiskCache(await createEmbedder(settings.embedder ?? DEFAULT_EMBEDDER));
  try {
    let kept = battles;
    let decontamination: BuildSwRankingIndexResult['decontamination'];
    if (settings.decontaminate) {
      const evalPrompts = await loadEvaluationPrompts({ dataDir, mmlu: 'rest' });
      progress(`decontaminating against ${evalPrompts.length} benchmark prompts`);
      const result = await decontaminate(battles, { evalPrompts, embedder, threshold: settings.decontaminationThreshold });
      kept = result.kept;
      decontamination = {
        dropped: result.dropped,
        droppedExact: result.droppedExact,
        droppedSimilar: result.droppedSimilar,
        evalPrompts: evalPrompts.length,
        threshold: settings.decontaminationThreshold,
      };
      progress(`decontamination dropped ${result.dropped} battles (${result.droppedExact} exact, ${result.droppedSimilar} similar)`);
    }
    const index = await buildBattleIndex(kept, {
      embedder,
      numTiers: settings.numTiers,
      onProgress: (done, total) => progress(`embedded ${done}/${total} prompts`),
    });
    for (const source of index.sources) Object.assign(source, sourceFiles[source.name] ?? {});
    await saveBattleIndex(settings.output, index, {
      embeddings: settings.embeddings,
      notes: settings.notes,
      hyperparameters: {
        seed: settings.seed,
        margin: settings.margin ?? 0.1,
        maxPairsPerPrompt: settings.maxPairsPerPrompt ?? null,
        sourceWeights: settings.sourceWeights ?? {},
        mmluGold: settings.mmluGold,
      },
      data: {
        battlesRead: battles.length,
        ...(decontamination ? { decontamination } : {}),
      },
    });
    progress(`wrote ${index.battleWinner.length} battles, ${index.promptCount} prompts, ${index.models.length} models to ${settings.output}`);
    return { dir: settings.output, index, battlesRead: battles.length, battlesKept: kept.length, ...(decontamination ? { decontamination } : {}) };
  } finally {
    if (ownsEmbedder) await embedder.dispose();
  }
}

