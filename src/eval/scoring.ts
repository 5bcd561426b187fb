/**
 * Scores a benchmark's prompts with a router, cached on disk per router, weights checksum, router
 * options and benchmark prompts, so a second evaluation of the same router is instant. Routers
 * that score embeddings get them from a disk-cached embedder, shared with training.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Embedder } from '../embedders/types.js';
import { isEmbeddingRouter } from '../routers/types.js';
import type { Router } from '../routers/types.js';
import { cacheDir, shippedWeightsDir } from '../weights-format/paths.js';

/** Progress of scoring: `done` of `total` prompts scored for `router`. */
export interface ScoringProgress {
  router: string;
  done: number;
  total: number;
  /** True when the scores came from the cache. */
  cached?: boolean;
}

/** Options of `scorePrompts`. */
export interface ScorePromptsOptions {
  /** Identifies the scores in the cache (see `scoreCacheKey`); no caching when undefined. */
  cacheKey?: string;
  /** Folder of the score cache (default `<cache dir>/eval-scores`); `false` disables it. */
  cacheDir?: string | false;
  /** Wraps the router's embedder (e.g. with a disk cache) before embedding prompts. */
  wrapEmbedder?: (embedder: Embedder) => Embedder;
  /** Prompts per batch (default 128). */
  batchSize?: number;
  /** Called after each batch. */
  onProgress?: (progress: ScoringProgress) => void;
}

const checksums = new Map<string, string>();

/**
 * A checksum of a weights folder: SHA-256 of its `manifest.json` (which lists each tensor's
 * SHA-256), or of every file when there is no manifest; `none` when the folder does not exist.
 */
export function weightsChecksum(dir: string): string {
  const resolved = path.resolve(dir);
  const known = checksums.get(resolved);
  if (known) return known;
  let checksum = 'none';
  if (existsSync(resolved) && statSync(resolved).isDirectory()) {
    const hash = createHash('sha256');
    const manifest = path.join(resolved, 'manifest.json');
    if (existsSync(manifest)) hash.update(readFileSync(manifest));
    else {
      for (const name of readdirSync(resolved).sort()) {
        const file = path.join(resolved, name);
        if (name === 'calibration.json' || !statSync(file).isFile()) continue;
        hash.update(name).update('\0').update(readFileSync(file));
      }
    }
    checksum = hash.digest('hex');
  }
  checksums.set(resolved, checksum);
  return checksum;
}

/** The weights folder a router is built from: its `weightsDir` option, else the shipped `weights/<router>`. */
export function routerWeightsDir(router: string, options: Record<string, unknown> = {}): string {
  return typeof options.weightsDir === 'string' ? options.weightsDir : shippedWeightsDir(router);
}

/** The cache key of a router's scores on a benchmark: router name, weights checksum, options, benchmark name and prompts. */
export function scoreCacheKey(input: { router: string; options?: Record<string, unknown>; benchmark: string; prompts: readonly string[] }): string {
  const options = input.options ?? {};
  const prompts = createHash('sha256');
  for (const prompt of input.prompts) prompts.update(prompt).update('\0');
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        router: input.router,
        weights: weightsChecksum(routerWeightsDir(input.router, options)),
        options: sortKeys(options),
        benchmark: input.benchmark,
        prompts: prompts.digest('hex'),
      }),
    )
    .digest('hex')
    .slice(0, 24);
  return `${input.router.replace(/[^A-Za-z0-9_-]/g, '_')}-${input.benchmark.replace(/[^A-Za-z0-9_-]/g, '_')}-${key}`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
  }
  return value;
}

async function readCached(file: string, count: number): Promise<Float32Array | undefined> {
  try {
    const bytes = await readFile(file);
    if (bytes.byteLength !== count * 4) return undefined;
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  } catch {
    return undefined;
  }
}

async function writeCached(file: string, scores: Float32Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.partial`;
  try {
    await writeFile(temporary, new Uint8Array(scores.buffer, scores.byteOffset, scores.byteLength));
    await rename(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Default folder of the score cache. */
export function scoreCacheDir(): string {
  return path.join(cacheDir(), 'eval-scores');
}

/**
 * Scores `prompts` with `router` in batches, reporting progress. Embedding routers embed through
 * `wrapEmbedder(router.embedder)` (a disk cache) and score the embeddings. With a `cacheKey`, the
 * scores are read from / written to the cache folder.
 */
export async function scorePrompts(router: Router, prompts: readonly string[], options: ScorePromptsOptions = {}): Promise<Float32Array> {
  const folder = options.cacheDir === false ? undefined : (options.cacheDir ?? scoreCacheDir());
  const file = folder && options.cacheKey ? path.join(folder, `${options.cacheKey}.f32`) : undefined;
  if (file) {
    const cached = await readCached(file, prompts.length);
    if (cached) {
      options.onProgress?.({ router: router.name, done: prompts.length, total: prompts.length, cached: true });
      return cached;
    }
  }
  const batchSize = options.batchSize ?? 128;
  const scores = new Float32Array(prompts.length);
  const embedder = isEmbeddingRouter(router) ? (options.wrapEmbedder ? options.wrapEmbedder(router.embedder) : router.embedder) : undefined;
  options.onProgress?.({ router: router.name, done: 0, total: prompts.length });
  for (let start = 0; start < prompts.length; start += batchSize) {
    const batch = prompts.slice(start, start + batchSize);
    let batchScores: Float32Array;
    if (embedder && isEmbeddingRouter(router)) {
      const embeddings = await embedder.embed(batch);
      batchScores = await router.strongWinRatesFromEmbeddings(embeddings, batch.length, batch);
    } else {
      batchScores = await router.strongWinRates(batch);
    }
    scores.set(batchScores, start);
    options.onProgress?.({ router: router.name, done: start + batch.length, total: prompts.length });
  }
  if (file) await writeCached(file, scores);
  return scores;
}
