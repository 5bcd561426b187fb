import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheDir } from '../weights-format/paths.js';
import { forEachLimited } from '../concurrency.js';
import { assertTextArray, type Embedder } from './types.js';

/** How many cache files are read or written at once. */
const FILE_CONCURRENCY = 64;

/** The default folder of the embedding disk cache: `<cacheDir()>/embeddings`. */
export function defaultEmbeddingCacheDir(): string {
  return path.join(cacheDir(), 'embeddings');
}

/**
 * The folder name for an embedder id: characters other than letters, digits, `.`, `_` and `-`
 * become `_`, and when anything was replaced a short hash of the original id is appended so two
 * ids never share a folder (`openai:text-embedding-3-small` -> `openai_text-embedding-3-small-1a2b3c4d`).
 */
export function embedderFolderName(id: string): string {
  const sanitized = id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  if (sanitized === id && sanitized.length > 0) return sanitized;
  return `${sanitized}-${sha256(id).slice(0, 8)}`;
}

/** Where the vector of `text` lives: `<dir>/<embedder folder>/<first 2 hex>/<sha256 of text>.f32`. */
export function embeddingCachePath(dir: string, embedderId: string, text: string): string {
  return vectorFile(path.join(dir, embedderFolderName(embedderId)), text);
}

function vectorFile(folder: string, text: string): string {
  const digest = sha256(text);
  return path.join(folder, digest.slice(0, 2), `${digest}.f32`);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** An embedder whose vectors are also kept on disk. */
export interface DiskCachedEmbedder extends Embedder {
  /** The wrapped embedder. */
  readonly inner: Embedder;
  /** The cache folder (the embedder's vectors are in its `embedderFolderName(id)` subfolder). */
  readonly cacheDir: string;
}

/**
 * Wraps `embedder` with a content-addressed disk cache: each vector is stored as raw
 * little-endian float32 in `<dir>/<embedder id>/<first 2 hex>/<sha256 of text>.f32`, written to a
 * temporary file and renamed, so processes sharing the folder never see half-written files.
 * Only texts not on disk reach `embedder`; a file of the wrong size is treated as missing and
 * rewritten. A cache that cannot be written (read-only disk) does not fail `embed()`: a warning is
 * emitted once and vectors are still returned.
 *
 * @param embedder the embedder to wrap; `dispose()` of the result disposes it.
 * @param dir the cache folder; default `path.join(cacheDir(), 'embeddings')` (`ROUTELLM_CACHE_DIR`
 *   or `~/.cache/routellm`).
 */
export function withDiskCache(embedder: Embedder, dir: string = defaultEmbeddingCacheDir()): DiskCachedEmbedder {
  const dimension = embedder.dimension;
  const bytesPerVector = dimension * 4;
  const root = path.resolve(dir);
  const folder = path.join(root, embedderFolderName(embedder.id));
  let warned = false;

  const read = async (file: string): Promise<Float32Array | undefined> => {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      return undefined;
    }
    if (bytes.byteLength !== bytesPerVector) return undefined;
    const vector = new Float32Array(dimension);
    new Uint8Array(vector.buffer).set(bytes);
    if (!vector.every(Number.isFinite)) return undefined;
    return vector;
  };

  const write = async (file: string, vector: Float32Array): Promise<void> => {
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(temporary, new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
      await rename(temporary, file);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      if (!warned) {
        warned = true;
        process.emitWarning(`routellm: cannot write the embedding cache in ${root}: ${(error as Error).message}`);
      }
    }
  };

  return {
    id: embedder.id,
    dimension,
    inner: embedder,
    cacheDir: root,
    async embed(texts: readonly string[]): Promise<Float32Array> {
      assertTextArray(texts);
      const output = new Float32Array(texts.length * dimension);
      const files = new Map<string, string>();
      for (const text of texts) if (!files.has(text)) files.set(text, vectorFile(folder, text));
      const unique = [...files.keys()];
      const found = new Map<string, Float32Array>();
      await forEachLimited(unique, FILE_CONCURRENCY, async (text) => {
        const vector = await read(files.get(text)!);
        if (vector) found.set(text, vector);
      });
      const missing = unique.filter((text) => !found.has(text));
      if (missing.length > 0) {
        const computed = await embedder.embed(missing);
        if (computed.length !== missing.length * dimension) {
          throw new Error(`embedder ${embedder.id} returned ${computed.length} floats for ${missing.length} texts of dimension ${dimension}`);
        }
        missing.forEach((text, index) => found.set(text, computed.subarray(index * dimension, (index + 1) * dimension)));
        await forEachLimited(missing, FILE_CONCURRENCY, (text) => write(files.get(text)!, found.get(text)!));
      }
      texts.forEach((text, index) => output.set(found.get(text)!, index * dimension));
      return output;
    },
    dispose() {
      return embedder.dispose();
    },
  };
}
