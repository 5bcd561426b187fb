/**
 * Cosine similarity against rows stored as int8 codes, computed by a small hand-written WebAssembly
 * SIMD kernel (wasm/int8-dot.wat) instead of a float matrix product.
 *
 * Why: one query against N float32 rows reads 4N x dim bytes (205 MB for 100k x 512); int8 rows
 * are a quarter of that, and an integer dot (`i32x4.dot_i16x8_s`) does eight multiply-adds per
 * instruction. The query is quantised to int16 codes (15 bits; its error is far below that of the
 * int8 rows themselves), so the dot products are exact integer sums, scaled once per row and query
 * into float32. Measured at 100k x 512 on a 2-core x86-64 machine: ~2-3 ms per query, where the
 * tfjs wasm matrix product over float32 rows took 7-10 ms.
 *
 * The result equals the cosine similarity of the query with the dequantised rows (`code * s`, any
 * per-row `s > 0`: only the row's direction counts) to within float32 rounding and the query's
 * quantisation step. The query's largest code is min(32767, (2^31 - 1) / (128 * dimension rounded
 * up to 16)) so the integer sums cannot overflow: 32767 up to 512-d (error about 1e-6 for unit
 * vectors, measured 5e-7 at 512-d), 4095 at 4096-d (~1e-5), fewer at larger widths. Zero rows and zero
 * queries give 0; a query with a non-finite value gives NaN, as the float path does.
 */
import { BackendError } from '../errors.js';
import type { SimilarityIndex } from './ops.js';
import { instantiateKernel, kernelAvailable, WASM_PAGE_BYTES, type WasmMemory } from './wasm-runtime.js';
import { INT8_DOT_WASM_BASE64 } from './wasm/int8-dot.wasm.js';
/** 4 GiB: the most a 32-bit WebAssembly memory can address. */
const MAX_PAGES = 65536;
/** Queries handled per kernel call: bounds the output buffer in wasm memory to this many rows of results. */
const QUERY_CHUNK = 16;
/** Bytes of rows per tile: a tile stays in the L2 cache while every query of a chunk scans it. */
const TILE_BYTES = 128 * 1024;

interface KernelExports {
  similarities(
    rows: number,
    rowCount: number,
    stride: number,
    rowScales: number,
    queries: number,
    queryCount: number,
    queryScales: number,
    out: number,
    tile: number,
  ): void;
}

/** Whether the int8 kernel can run here (WebAssembly with SIMD). */
export function int8KernelAvailable(): boolean {
  return kernelAvailable(INT8_DOT_WASM_BASE64);
}

function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/**
 * A fixed set of int8-coded rows in WebAssembly memory, answering cosine similarities of query
 * batches against every row. Holds `rows x dimension` bytes (rounded up to a multiple of 16 per
 * row) plus a result buffer of 16 queries x rows floats.
 */
export class Int8VectorIndex implements SimilarityIndex {
  private kernel: KernelExports | undefined;
  private readonly stride: number;
  private readonly queryMax: number;
  private readonly rowsAt = 0;
  private readonly rowScalesAt: number;
  private readonly queriesAt: number;
  private readonly queryScalesAt: number;
  private readonly outAt: number;
  private readonly tileRows: number;
  private memory: WasmMemory | undefined;
  /** End of the bytes in use: the index's own, then those handed out by `reserve`. */
  private used: number;
  /** The memory buffer the views below are on (a new one after the memory grows). */
  private viewBuffer: ArrayBuffer;
  private queryCodes: Int16Array;
  private queryScales: Float32Array;
  private results: Float32Array;

  private constructor(
    codes: Int8Array,
    readonly size: number,
    readonly dimension: number,
  ) {
    this.stride = align16(dimension);
    // Largest int16 query code for which 128 * code * stride fits an i32: the integer dot never overflows.
    this.queryMax = Math.min(32767, Math.floor((2 ** 31 - 1) / (128 * this.stride)));
    this.rowScalesAt = align16(this.rowsAt + size * this.stride);
    this.queriesAt = align16(this.rowScalesAt + size * 4);
    this.queryScalesAt = align16(this.queriesAt + QUERY_CHUNK * this.stride * 2);
    this.outAt = align16(this.queryScalesAt + QUERY_CHUNK * 4);
    const bytes = this.outAt + QUERY_CHUNK * size * 4;
    const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE_BYTES));
    if (pages > MAX_PAGES) {
      throw new RangeError(`Int8VectorIndex: ${size} rows of ${dimension} need ${(bytes / 2 ** 30).toFixed(1)} GiB, over the 4 GiB WebAssembly limit`);
    }
    // Growable (up to 4 GiB) only for `reserve`: the index itself never grows it.
    const instance = instantiateKernel<KernelExports>(INT8_DOT_WASM_BASE64, pages, MAX_PAGES);
    if (!instance) throw new BackendError('wasm-simd', 'Int8VectorIndex: this runtime has no WebAssembly SIMD (check int8KernelAvailable() first)');
    const { exports: kernel, memory } = instance;
    this.kernel = kernel;
    this.memory = memory;
    this.used = bytes;
    this.tileRows = Math.max(2, Math.floor(TILE_BYTES / this.stride));

    const buffer = (this.viewBuffer = memory.buffer);
    const rows = new Int8Array(buffer, this.rowsAt, size * this.stride);
    if (this.stride === dimension) rows.set(codes);
    else for (let r = 0; r < size; r++) rows.set(codes.subarray(r * dimension, (r + 1) * dimension), r * this.stride);
    const rowScales = new Float32Array(buffer, this.rowScalesAt, size);
    for (let r = 0; r < size; r++) {
      let sum = 0;
      for (let j = r * dimension, end = j + dimension; j < end; j++) sum += codes[j] * codes[j];
      rowScales[r] = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    }
    this.queryCodes = new Int16Array(buffer, this.queriesAt, QUERY_CHUNK * this.stride);
    this.queryScales = new Float32Array(buffer, this.queryScalesAt, QUERY_CHUNK);
    this.results = new Float32Array(buffer, this.outAt, QUERY_CHUNK * size);
  }

  /**
   * Builds an index from `rows` rows of `dimension` int8 codes (row-major). Each row stands for the
   * direction of its codes (any positive per-row scale gives the same cosine). Throws when the
   * runtime has no WebAssembly SIMD or the rows do not fit in 4 GiB.
   */
  static create(codes: Int8Array, rows: number, dimension: number): Int8VectorIndex {
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(dimension) || dimension <= 0) {
      throw new RangeError(`Int8VectorIndex: rows must be an integer >= 0 and dimension > 0, got ${rows} x ${dimension}`);
    }
    if (codes.length !== rows * dimension) {
      throw new RangeError(`Int8VectorIndex: expected ${rows * dimension} codes, got ${codes.length}`);
    }
    return new Int8VectorIndex(codes, rows, dimension);
  }

  /**
   * The WebAssembly memory holding the rows and the results of `similaritiesView`, for kernels of
   * src/core that read those results in place (see `ExpWeightedBins`). Throws once disposed.
   */
  get wasmMemory(): WasmMemory {
    if (!this.memory) throw new Error('Int8VectorIndex was disposed');
    return this.memory;
  }

  /**
   * Reserves `bytes` bytes of this index's memory (16-byte aligned, zeroed, growing the memory if
   * needed) for another kernel's data, and returns their byte address. They stay reserved until the
   * index is disposed. Views on the memory taken before may be detached by the growth: take them after.
   */
  reserve(bytes: number): number {
    const memory = this.wasmMemory;
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`Int8VectorIndex.reserve: bytes must be an integer >= 0, got ${bytes}`);
    const address = align16(this.used);
    const end = address + bytes;
    const have = memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / WASM_PAGE_BYTES);
      if (have / WASM_PAGE_BYTES + pages > MAX_PAGES) throw new RangeError(`Int8VectorIndex.reserve: ${bytes} more bytes go over the 4 GiB WebAssembly limit`);
      memory.grow(pages);
    }
    this.used = end;
    return address;
  }

  /** Re-creates the views on the memory after it grew (the old buffer is then detached). */
  private refreshViews(): void {
    const buffer = this.memory!.buffer;
    if (buffer === this.viewBuffer) return;
    this.viewBuffer = buffer;
    this.queryCodes = new Int16Array(buffer, this.queriesAt, QUERY_CHUNK * this.stride);
    this.queryScales = new Float32Array(buffer, this.queryScalesAt, QUERY_CHUNK);
    this.results = new Float32Array(buffer, this.outAt, QUERY_CHUNK * this.size);
  }

  /** Quantises query `q` of `queries` into slot `slot` of the kernel's query buffer. */
  private writeQuery(queries: Float32Array, q: number, slot: number): void {
    const { dimension, stride } = this;
    const start = q * dimension;
    let sum = 0;
    let largest = 0;
    for (let j = start; j < start + dimension; j++) {
      const value = queries[j];
      sum += value * value;
      const magnitude = Math.abs(value);
      if (magnitude > largest) largest = magnitude;
    }
    const codes = this.queryCodes;
    const base = slot * stride;
    if (!Number.isFinite(sum) || !(sum > 0)) {
      codes.fill(0, base, base + stride);
      this.queryScales[slot] = Number.isFinite(sum) ? 0 : NaN;
      return;
    }
    const step = largest / this.queryMax;
    const inverse = 1 / step;
    for (let j = 0; j < dimension; j++) codes[base + j] = Math.round(queries[start + j] * inverse);
    this.queryScales[slot] = step / Math.sqrt(sum);
  }

  /**
   * Cosine similarity of each query (row-major, `count` x `dimension` floats) with every row.
   * Returns `count` x `size` values, row-major. (Async only to match `VectorIndex`; the work is
   * synchronous.)
   */
  async similarities(queries: Float32Array, count: number): Promise<Float32Array> {
    return this.similaritiesSync(queries, count);
  }

  /** `similarities`, synchronously. */
  similaritiesSync(queries: Float32Array, count: number): Float32Array {
    this.checkQueries(queries, count);
    const out = new Float32Array(count * this.size);
    for (let first = 0; first < count; first += QUERY_CHUNK) {
      const chunk = Math.min(QUERY_CHUNK, count - first);
      this.run(queries.subarray(first * this.dimension, (first + chunk) * this.dimension), chunk);
      out.set(this.results.subarray(0, chunk * this.size), first * this.size);
    }
    return out;
  }

  /**
   * `similarities` for at most `Int8VectorIndex.MAX_VIEW_QUERIES` queries, returned as a view of the
   * kernel's own result buffer: no allocation and no copy, but the values are overwritten by the next
   * call on this index (read them before, synchronously).
   */
  similaritiesView(queries: Float32Array, count: number): Float32Array {
    this.checkQueries(queries, count);
    if (count > QUERY_CHUNK) throw new RangeError(`Int8VectorIndex.similaritiesView: at most ${QUERY_CHUNK} queries, got ${count}`);
    this.run(queries, count);
    return this.results.subarray(0, count * this.size);
  }

  /** Most queries `similaritiesView` takes at once. */
  static readonly MAX_VIEW_QUERIES = QUERY_CHUNK;

  private checkQueries(queries: Float32Array, count: number): void {
    if (!this.kernel) throw new Error('Int8VectorIndex was disposed');
    if (!Number.isInteger(count) || count < 0 || queries.length !== count * this.dimension) {
      throw new RangeError(`Int8VectorIndex: expected ${count * this.dimension} query floats, got ${queries.length}`);
    }
  }

  /** Runs the kernel for `count` <= QUERY_CHUNK queries into the result buffer. */
  private run(queries: Float32Array, count: number): void {
    this.refreshViews();
    for (let slot = 0; slot < count; slot++) this.writeQuery(queries, slot, slot);
    this.kernel!.similarities(
      this.rowsAt,
      this.size,
      this.stride,
      this.rowScalesAt,
      this.queriesAt,
      count,
      this.queryScalesAt,
      this.outAt,
      this.tileRows,
    );
  }

  /** Lets the WebAssembly memory go. Further queries throw. */
  dispose(): void {
    this.kernel = undefined;
    this.memory = undefined;
    // The buffer is the memory's own: holding it would keep the whole index alive.
    this.viewBuffer = new ArrayBuffer(0);
    this.queryCodes = new Int16Array(0);
    this.queryScales = new Float32Array(0);
    this.results = new Float32Array(0);
  }
}
