/**
 * The weights folder format shared by the trained routers: `manifest.json` plus one little-endian
 * binary file per tensor (`<name>.bin`, float32 or int8), each with its shape and SHA-256 in the
 * manifest. Reading checks presence, sizes, checksums and the embedder, and throws `WeightsError`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WeightsError } from '../errors.js';

/** Version of the folder layout; readers refuse other versions. */
export const WEIGHTS_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';

/** Element type of a stored tensor. */
export type TensorDtype = 'float32' | 'int8';

/** A tensor in memory: flat row-major data and its shape. */
export interface TensorData {
  data: Float32Array | Int8Array;
  shape: number[];
  /** For int8 tensors: the float value of one step (value = int8 * scale). */
  scale?: number;
}

/** A tensor as the manifest describes it. */
export interface TensorEntry {
  /** Tensor name (letters, digits, `_`, `-`, `.`). */
  name: string;
  /** File name inside the folder. */
  file: string;
  dtype: TensorDtype;
  shape: number[];
  /** Bytes in the file. */
  bytes: number;
  /** SHA-256 hex digest of the file. */
  sha256: string;
  /** For int8: the float value of one step. */
  scale?: number;
}

/** The embedder a set of weights was made with. */
export interface EmbedderInfo {
  id: string;
  dimension: number;
}

/** One data source that went into training. */
export interface DataSourceInfo {
  /** Source label (file name without extension, or e.g. `mmlu-gold`). */
  name: string;
  /** Rows read from it. */
  rows?: number;
  /** Training examples (battles) it gave. */
  examples?: number;
  /** Anything else worth recording (weight, cap, file path relative to the data folder). */
  [key: string]: unknown;
}

/** `manifest.json`. */
export interface WeightsManifest {
  formatVersion: number;
  /** Router name (`mf`, `sw_ranking`, `bert`, ...). */
  router: string;
  /** ISO time of writing. */
  createdAt: string;
  /** The embedder the weights expect, if any. */
  embedder?: EmbedderInfo;
  /** Canonical model names, in the order the tensors use. */
  models?: string[];
  /** Hyperparameters used to make the weights. */
  hyperparameters: Record<string, unknown>;
  /** Training data: sources and counts, decontamination, etc. */
  data: { sources: DataSourceInfo[]; [key: string]: unknown };
  /** Measured results (e.g. `validationAccuracy`). */
  metrics: Record<string, number>;
  /** Free text: how to reproduce, caveats. */
  notes?: string;
  tensors: TensorEntry[];
  /** Router-specific extra fields. */
  extra?: Record<string, unknown>;
}

/** What `writeWeights` needs (the manifest without the computed fields). */
export interface WriteWeightsInput {
  router: string;
  embedder?: EmbedderInfo;
  models?: string[];
  hyperparameters?: Record<string, unknown>;
  data?: { sources: DataSourceInfo[]; [key: string]: unknown };
  metrics?: Record<string, number>;
  notes?: string;
  extra?: Record<string, unknown>;
  tensors: Record<string, TensorData>;
}

/** What `readWeights` returns. */
export interface LoadedWeights {
  manifest: WeightsManifest;
  tensors: Record<string, TensorData>;
  /** The folder read. */
  dir: string;
}

/** Checks `readWeights` applies beyond integrity. */
export interface ReadWeightsOptions {
  /** Refuse a manifest of another router. */
  router?: string;
  /** Refuse weights made with another embedder id or dimension. */
  embedder?: EmbedderInfo;
  /** Tensors that must be present (with these shapes where given; -1 matches any size). */
  tensors?: Record<string, number[] | undefined>;
}

const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function toLittleEndianBytes(tensor: TensorData): Uint8Array {
  if (tensor.data instanceof Int8Array) return new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength).slice();
  const bytes = new Uint8Array(tensor.data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < tensor.data.length; i++) view.setFloat32(i * 4, tensor.data[i], true);
  return bytes;
}

/**
 * Writes a weights folder: one `<name>.bin` per tensor, then `manifest.json` (written last, via a
 * temporary file, so a folder with a manifest is complete). Creates the folder. Returns the manifest.
 */
export async function writeWeights(dir: string, input: WriteWeightsInput): Promise<WeightsManifest> {
  await mkdir(dir, { recursive: true });
  const entries: TensorEntry[] = [];
  for (const [name, tensor] of Object.entries(input.tensors)) {
    if (!NAME_PATTERN.test(name)) throw new RangeError(`writeWeights: tensor name "${name}" must match ${NAME_PATTERN}`);
    if (elementCount(tensor.shape) !== tensor.data.length) {
      throw new RangeError(`writeWeights: tensor "${name}" has ${tensor.data.length} values but shape [${tensor.shape}]`);
    }
    const bytes = toLittleEndianBytes(tensor);
    const file = `${name}.bin`;
    await writeFile(path.join(dir, file), bytes);
    const entry: TensorEntry = {
      name,
      file,
      dtype: tensor.data instanceof Int8Array ? 'int8' : 'float32',
      shape: [...tensor.shape],
      bytes: bytes.length,
      sha256: sha256(bytes),
    };
    if (tensor.scale !== undefined) entry.scale = tensor.scale;
    entries.push(entry);
  }
  const manifest: WeightsManifest = {
    formatVersion: WEIGHTS_FORMAT_VERSION,
    router: input.router,
    createdAt: new Date().toISOString(),
    ...(input.embedder ? { embedder: { id: input.embedder.id, dimension: input.embedder.dimension } } : {}),
    ...(input.models ? { models: [...input.models] } : {}),
    hyperparameters: input.hyperparameters ?? {},
    data: input.data ?? { sources: [] },
    metrics: input.metrics ?? {},
    ...(input.notes ? { notes: input.notes } : {}),
    tensors: entries,
    ...(input.extra ? { extra: input.extra } : {}),
  };
  const temporary = path.join(dir, `${MANIFEST_FILE}.tmp-${process.pid}`);
  await writeFile(temporary, JSON.stringify(manifest, null, 2) + '\n');
  await rename(temporary, path.join(dir, MANIFEST_FILE));
  return manifest;
}

/** Reads and validates only `manifest.json` (no tensors, no checksums). */
export async function readManifest(dir: string): Promise<WeightsManifest> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const detail = (error as { code?: string }).code === 'ENOENT' ? `no ${MANIFEST_FILE} in the folder` : String((error as Error).message);
    throw new WeightsError('missing', dir, detail, { cause: error });
  }
  let manifest: WeightsManifest;
  try {
    manifest = JSON.parse(text) as WeightsManifest;
  } catch (error) {
    throw new WeightsError('corrupt', file, `not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof manifest !== 'object' || manifest === null || !Array.isArray(manifest.tensors) || typeof manifest.router !== 'string') {
    throw new WeightsError('corrupt', file, 'not a routellm weights manifest (no "router" or "tensors")');
  }
  if (manifest.formatVersion !== WEIGHTS_FORMAT_VERSION) {
    throw new WeightsError('mismatch', file, `format version ${manifest.formatVersion}, this library reads version ${WEIGHTS_FORMAT_VERSION}`);
  }
  return manifest;
}

/** Throws `WeightsError('mismatch')` unless the manifest's embedder is `expected` (same id and dimension). */
export function checkEmbedder(manifest: Pick<WeightsManifest, 'embedder'>, expected: EmbedderInfo, dir: string): void {
  const actual = manifest.embedder;
  if (!actual) throw new WeightsError('mismatch', dir, `the weights record no embedder, expected "${expected.id}" (${expected.dimension}-d)`);
  if (actual.id !== expected.id || actual.dimension !== expected.dimension) {
    throw new WeightsError(
      'mismatch',
      dir,
      `made with embedder "${actual.id}" (${actual.dimension}-d) but used with "${expected.id}" (${expected.dimension}-d): use the same embedder or retrain`,
    );
  }
}

/**
 * Reads a weights folder, checking the manifest, each tensor file's size and SHA-256, and the
 * options' router, embedder and required tensors. Throws `WeightsError`: `missing` (no folder,
 * manifest or tensor file), `corrupt` (bad JSON, wrong size, checksum mismatch), `mismatch`
 * (another router, embedder, format version or tensor shape).
 */
export async function readWeights(dir: string, options: ReadWeightsOptions = {}): Promise<LoadedWeights> {
  const manifest = await readManifest(dir);
  if (options.router && manifest.router !== options.router) {
    throw new WeightsError('mismatch', dir, `these are weights of the "${manifest.router}" router, expected "${options.router}"`);
  }
  if (options.embedder) checkEmbedder(manifest, options.embedder, dir);
  const tensors: Record<string, TensorData> = {};
  for (const entry of manifest.tensors) {
    if (!NAME_PATTERN.test(entry.file) || !Array.isArray(entry.shape)) {
      throw new WeightsError('corrupt', path.join(dir, MANIFEST_FILE), `bad tensor entry ${JSON.stringify(entry.name)}`);
    }
    const file = path.join(dir, entry.file);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new WeightsError('missing', file, `tensor file of "${entry.name}" is missing`, { cause: error });
    }
    const width = entry.dtype === 'int8' ? 1 : entry.dtype === 'float32' ? 4 : 0;
    if (width === 0) throw new WeightsError('corrupt', file, `unknown dtype ${JSON.stringify(entry.dtype)}`);
    const expectedBytes = elementCount(entry.shape) * width;
    if (bytes.length !== expectedBytes || bytes.length !== entry.bytes) {
      throw new WeightsError('corrupt', file, `${bytes.length} bytes, expected ${expectedBytes} for ${entry.dtype} [${entry.shape.join(', ')}]`);
    }
    const digest = sha256(bytes);
    if (digest !== entry.sha256) throw new WeightsError('corrupt', file, `SHA-256 ${digest} does not match the manifest's ${entry.sha256}`);
    let data: Float32Array | Int8Array;
    if (entry.dtype === 'int8') data = new Int8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    else {
      data = new Float32Array(bytes.length / 4);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      for (let i = 0; i < data.length; i++) {
        const value = view.getFloat32(i * 4, true);
        // A checksum proves the file is what was written, not that training wrote numbers.
        if (!Number.isFinite(value)) throw new WeightsError('corrupt', file, `element ${i} of "${entry.name}" is ${value}; weights must be finite`);
        data[i] = value;
      }
    }
    if (entry.scale !== undefined && !Number.isFinite(entry.scale)) {
      throw new WeightsError('corrupt', file, `the scale of "${entry.name}" is ${entry.scale}; weights must be finite`);
    }
    tensors[entry.name] = { data, shape: [...entry.shape], ...(entry.scale !== undefined ? { scale: entry.scale } : {}) };
  }
  for (const [name, shape] of Object.entries(options.tensors ?? {})) {
    const tensor = tensors[name];
    if (!tensor) throw new WeightsError('missing', dir, `no tensor "${name}" in the manifest`);
    if (shape && (shape.length !== tensor.shape.length || shape.some((size, i) => size !== -1 && size !== tensor.shape[i]))) {
      throw new WeightsError('mismatch', dir, `tensor "${name}" has shape [${tensor.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
  }
  return { manifest, tensors, dir };
}

/** A float32 view of a tensor (int8 tensors are dequantised with their scale). */
export function asFloat32(tensor: TensorData): Float32Array {
  if (tensor.data instanceof Float32Array) return tensor.data;
  const scale = tensor.scale ?? 1;
  return Float32Array.from(tensor.data, (value) => value * scale);
}

/** Symmetric int8 quantisation of a float tensor (one scale for the whole tensor). */
export function quantizeInt8(data: Float32Array, shape: number[]): TensorData {
  let max = 0;
  for (const value of data) max = Math.max(max, Math.abs(value));
  const scale = max > 0 ? max / 127 : 1;
  return { data: Int8Array.from(data, (value) => Math.round(value / scale)), shape, scale };
}
