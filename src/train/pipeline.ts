/**
 * The training pipeline every trainer runs, with one set of defaults: read the files (the
 * trainer's own rule turns rows into examples), add the MMLU gold split when asked, open the
 * embedder (disk-cached), drop examples whose prompt is a benchmark prompt, embed each distinct
 * prompt once, fit (the trainer's own step), write the weights and return one result shape.
 */
import { z } from 'zod';
import { decontaminate } from '../data/decontaminate.js';
import { loadEvaluationPrompts, loadMmluSplit } from '../data/evals.js';
import type { ScoreRow } from '../data/types.js';
import { withDiskCache } from '../embedders/disk-cache.js';
import { createEmbedder } from '../embedders/registry.js';
import type { Embedder } from '../embedders/types.js';
import { embedderOrIdSchema } from '../routers/embedder.js';
import type { WeightsManifest } from '../weights-format/weights.js';
import { embedPrompts } from './embed-prompts.js';
import { ProgressBar } from './progress.js';

/** The options every trainer takes, with the same defaults; each trainer's schema spreads them. */
export const trainingOptionsShape = {
  /** Training files: battles (`prompt, model_a, model_b, winner`) or score tables (`prompt, correct|scores`). */
  data: z.array(z.string().min(1)).default([]),
  /** Folder to write the weights to (created). */
  output: z.string().min(1),
  /** The prompt embedder: an id (`use-lite`, `transformers:<folder>`) or an Embedder. Default `use-lite`. */
  embedder: embedderOrIdSchema.default('use-lite'),
  /**
   * Disk cache of prompt embeddings: a folder, or false for none. Default: the shared cache
   * (`<cache dir>/embeddings`) for an embedder built from an id; an Embedder object is used as given.
   */
  embeddingCache: z.union([z.string().min(1), z.literal(false)]).optional(),
  /** Also train on the MMLU gold split (1,500 questions graded for the benchmark pair). Default false. */
  mmluGold: z.boolean().default(false),
  /** Data folder holding `evals/` (benchmarks for decontamination and the gold split). Default: `ROUTELLM_DATA_DIR`, or ../shared/data in a source checkout. */
  dataDir: z.string().min(1).optional(),
  /**
   * Drop training prompts equal (normalised) to or within cosine `decontaminationThreshold` of a
   * benchmark prompt (MMLU, GSM8K, MT-Bench). `auto` (default): only where benchmark data is
   * configured (`dataDir` or `ROUTELLM_DATA_DIR`), so a user's own data is left alone unless asked.
   */
  decontaminate: z.union([z.boolean(), z.literal('auto')]).default('auto'),
  /** Cosine similarity at or above which a prompt counts as contaminated. Default 0.95 (the paper). */
  decontaminationThreshold: z.number().gt(0).max(1).default(0.95),
  /** Which MMLU questions count as benchmark prompts: `rest` (all but the gold split; default) or `all`. */
  decontaminationMmlu: z.enum(['rest', 'all']).default('rest'),
  /** Seed of every random choice (pair sampling, split, initialisation, batch order). Default 0. */
  seed: z.number().int().default(0),
  /** Progress on stderr: a bar with rate and ETA per phase on a terminal, plain lines otherwise. Default false (the CLI turns it on). */
  progress: z.boolean().default(false),
  /** Free text recorded in the manifest's notes. */
  notes: z.string().optional(),
};

/** The pipeline settings, as parsed from `trainingOptionsShape`. */
export type TrainingSettings = z.output<z.ZodObject<typeof trainingOptionsShape>>;

/** What every trainer returns. */
export interface TrainingResult<Details = Record<string, unknown>> {
  /** The weights folder written. */
  output: string;
  /** Its manifest. */
  manifest: WeightsManifest;
  /** Training examples (battles, labelled battles or rows) fitted on, after decontamination. */
  examples: number;
  /** Examples dropped by decontamination (0 when it did not run). */
  droppedContaminated: number;
  /** Seconds in all. */
  seconds: number;
  /** What this trainer reports besides. */
  details: Details;
}

/** What decontamination did, as recorded in a manifest's `data.decontamination`. */
export interface DecontaminationRecord {
  applied: boolean;
  against?: string[];
  threshold?: number;
  droppedRows?: number;
  droppedExact?: number;
  droppedSimilar?: number;
  droppedPrompts?: number;
}

/** Whether `decontaminate: 'auto'` runs: only where benchmark data is configured. */
function decontaminationWanted(setting: boolean | 'auto', dataDir: string | undefined): boolean {
  return setting === 'auto' ? dataDir !== undefined || Boolean(process.env.ROUTELLM_DATA_DIR) : setting;
}

/** One training run: its settings, its embedder (opened on first use), its progress lines; `close()` when done. */
export class TrainingRun {
  private readonly startedAt = Date.now();
  private opened: { cached: Embedder; owned: boolean } | undefined;

  constructor(
    /** The router being trained, the prefix of progress lines. */
    readonly router: string,
    readonly settings: TrainingSettings,
  ) {}

  /**
   * Opens the run's embedder (see `embedder` and `embeddingCache`): an id is built here and
   * disposed by `close()`; an Embedder object is used as given.
   */
  async openEmbedder(): Promise<Embedder> {
    if (!this.opened) {
      const option = this.settings.embedder;
      const owned = typeof option === 'string';
      const base = owned ? await createEmbedder(option) : option;
      const cache = this.settings.embeddingCache ?? (owned ? undefined : false);
      this.opened = { cached: cache === false ? base : withDiskCache(base, cache), owned };
    }
    return this.opened.cached;
  }

  /** The opened embedder, behind the disk cache when there is one. */
  get embedder(): Embedder {
    if (!this.opened) throw new Error('TrainingRun: openEmbedder() first');
    return this.opened.cached;
  }

  /** A progress line on stderr, when `progress` is on. */
  log(line: string): void {
    if (this.settings.progress) process.stderr.write(`${this.router}: ${line}\n`);
  }

  /** A progress bar for one phase, when `progress` is on. */
  bar(label: string, total: number): ProgressBar | undefined {
    return this.settings.progress ? new ProgressBar(total, { label: `${this.router}: ${label}` }) : undefined;
  }

  /** The MMLU gold split as score rows of source `mmlu-gold` (empty unless `mmluGold`). */
  async goldRows(): Promise<ScoreRow[]> {
    if (!this.settings.mmluGold) return [];
    const { gold } = await loadMmluSplit({ dataDir: this.settings.dataDir });
    return gold.rows.map((row) => ({ prompt: row.prompt, scores: row.scores, source: 'mmlu-gold' }));
  }

  /** Drops rows whose prompt is a benchmark prompt, when decontamination is on (see `decontaminate`). */
  async decontaminate<T extends { prompt: string }>(rows: readonly T[]): Promise<{ kept: T[]; dropped: number; record: DecontaminationRecord }> {
    const { settings } = this;
    if (!decontaminationWanted(settings.decontaminate, settings.dataDir)) return { kept: [...rows], dropped: 0, record: { applied: false } };
    const mmlu = settings.decontaminationMmlu;
    const evalPrompts = await loadEvaluationPrompts({ dataDir: settings.dataDir, mmlu });
    let bar: ProgressBar | undefined;
    const result = await decontaminate(rows, {
      evalPrompts,
      embedder: await this.openEmbedder(),
      threshold: settings.decontaminationThreshold,
      onProgress: (done, total) => (bar ??= this.bar('decontaminate', total))?.update(done),
    });
    bar?.finish();
    this.log(`decontamination dropped ${result.dropped} rows (${result.droppedPrompts.length} prompts; exact ${result.droppedExact}, cosine >= ${settings.decontaminationThreshold} ${result.droppedSimilar})`);
    return {
      kept: result.kept,
      dropped: result.dropped,
      record: {
        applied: true,
        against: [mmlu === 'rest' ? 'mmlu-rest' : 'mmlu', 'gsm8k', 'mt-bench'],
        threshold: settings.decontaminationThreshold,
        droppedRows: result.dropped,
        droppedExact: result.droppedExact,
        droppedSimilar: result.droppedSimilar,
        droppedPrompts: result.droppedPrompts.length,
      },
    };
  }

  /** Embeds each prompt (row-major `prompts.length x dimension`), with a progress bar when asked. */
  async embed(prompts: readonly string[], onProgress?: (done: number, total: number) => void, chunk?: number): Promise<Float32Array> {
    const embedder = await this.openEmbedder();
    return embedPrompts(embedder, prompts, { chunk, onProgress, ...(this.settings.progress ? { progressLabel: `${this.router}: embed (${embedder.id})` } : {}) });
  }

  /** The result of the run. */
  result<Details>(manifest: WeightsManifest, examples: number, droppedContaminated: number, details: Details): TrainingResult<Details> {
    return { output: this.settings.output, manifest, examples, droppedContaminated, seconds: (Date.now() - this.startedAt) / 1000, details };
  }

  /** Disposes the embedder when the run built it. */
  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    if (opened?.owned) await opened.cached.dispose();
  }
}

/** Opens a run, runs `body` with it and closes it, also on failure. */
export async function withTrainingRun<T>(router: string, settings: TrainingSettings, body: (run: TrainingRun) => Promise<T>): Promise<T> {
  const run = new TrainingRun(router, settings);
  try {
    return await body(run);
  } finally {
    await run.close();
  }
}
