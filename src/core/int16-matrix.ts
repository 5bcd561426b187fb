/**
 * Matrix products on int16 codes in WebAssembly memory (wasm/int16-gemm.wat): weights quantised
 * once per output column and packed for the kernel, activations quantised per row at each product,
 * sums exact in i32, one float32 rescale per output.
 *
 * Why int16 rather than float32: wasm SIMD has no fused multiply-add, so a float32 product costs a
 * multiply and an add per four multiply-adds, where `i32x4.dot_i16x8_s` does eight in one
 * instruction. Weights and activations get the same number of levels, as many as keep every
 * sum of k products below 2^31 (about 11 bits at k = 1,536, 12 at k = 256): errors of ~0.05%
 * per product, far below what changes a sentence vector.
 */
import { instantiateKernel, kernelAvailable, WASM_PAGE_BYTES, type WasmMemory } from './wasm-runtime.js';
import { INT16_GEMM_WASM_BASE64 } from './wasm/int16-gemm.wasm.js';

/** Rows per block of the kernel's outer loop (their codes stay in L2 while every weight panel passes). */
const ROW_BLOCK = 64;
/** 4 GiB: the most a 32-bit WebAssembly memory can address. */
const MAX_PAGES = 65536;

interface GemmExports {
  gemm(
    a: number,
    m: number,
    k: number,
    aScales: number,
    w: number,
    n: number,
    wScales: number,
    bias: number,
    out: number,
    outStride: number,
    mode: number,
    block: number,
  ): void;
  quantizeRows(src: number, m: number, k: number, srcStride: number, dst: number, scales: number, limit: number): void;
  columnMaxima(src: number, rows: number, columns: number, rowStride: number, out: number): void;
  packRows(src: number, rows: number, columns: number, rowStride: number, inverses: number, dst: number, k: number): void;
  layerNorm(src: number, m: number, width: number, scale: number, bias: number, epsilon: number, dst: number): void;
}

/** Weights packed for the kernel: `k x n` codes (k even, n a multiple of 8), their column steps and bias. */
export interface PackedMatrix {
  /** Byte address of the packed codes. */
  at: number;
  scalesAt: number;
  biasAt: number;
  /** Rows, rounded up to a multiple of 8 (the extra rows are zero). */
  k: number;
  /** Columns, rounded up to a multiple of 8. */
  n: number;
}

/** Whether the int16 kernel can run here (WebAssembly with SIMD). */
export function int16KernelAvailable(): boolean {
  return kernelAvailable(INT16_GEMM_WASM_BASE64);
}

/** Rounds `value` up to a multiple of `unit`. */
export function roundUp(value: number, unit: number): number {
  return Math.ceil(value / unit) * unit;
}

/**
 * The largest code of weights and of activations for products over `k` rows: the same for both,
 * and small enough that k x limit^2 (the largest possible sum) stays below 2^31. 2,896 at k = 256,
 * 2,047 at 512, 1,182 at 1,536.
 */
export function codeLimit(k: number): number {
  return Math.min(32767, Math.floor(Math.sqrt((2 ** 31 - 1) / k)));
}

/**
 * One WebAssembly memory with the kernel: packed weights at the bottom (kept), scratch above them
 * (`mark`/`release`). Views from `floats`/`codes` are valid until the next `allocate` (which may
 * grow the memory and detach them).
 */
export class Int16Matrices {
  private used = 16;
  private constructor(
    private readonly kernel: GemmExports,
    private readonly memory: WasmMemory,
  ) {}

  /** A new memory with the kernel, or undefined where WebAssembly SIMD is missing. */
  static create(): Int16Matrices | undefined {
    const instance = instantiateKernel<GemmExports>(INT16_GEMM_WASM_BASE64, 16, MAX_PAGES);
    return instance ? new Int16Matrices(instance.exports, instance.memory) : undefined;
  }

  /** Bytes of WebAssembly memory reserved (it never shrinks). */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /**
   * Reserves `bytes` (16-aligned) and returns their address. They are zero-filled unless `zero` is
   * false (then they hold whatever an earlier, released use left: finite numbers).
   */
  allocate(bytes: number, zero = true): number {
    const at = this.used;
    const end = roundUp(at + bytes, 16);
    this.reserve(end - at);
    this.used = end;
    if (zero) new Uint8Array(this.memory.buffer, at, end - at).fill(0);
    return at;
  }

  /** The memory, for other kernels to run on the same bytes. */
  get wasmMemory(): WasmMemory {
    return this.memory;
  }

  /** Grows the memory so that `bytes` more can be allocated without growing it (so views stay valid). */
  reserve(bytes: number): void {
    const needed = this.used + bytes;
    const have = this.memory.buffer.byteLength;
    if (needed > have) this.memory.grow(Math.ceil((needed - have) / WASM_PAGE_BYTES));
  }

  /** The current end of reserved memory: `release(mark())` frees everything reserved after it. */
  mark(): number {
    return this.used;
  }

  release(mark: number): void {
    this.used = mark;
  }

  /** A float32 view of `count` values at `at`. */
  floats(at: number, count: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, count);
  }

  /** An int16 view of `count` codes at `at`. */
  codes(at: number, count: number): Int16Array {
    return new Int16Array(this.memory.buffer, at, count);
  }

  /** Quantises and packs a `rows x columns` row-major matrix (weights), with an optional bias. */
  pack(values: Float32Array, rows: number, columns: number, bias?: Float32Array): PackedMatrix {
    const packed = this.newPacked(rows, columns);
    if (bias) this.floats(packed.biasAt, columns).set(bias.subarray(0, columns));
    const mark = this.mark();
    const copyAt = this.allocate(rows * packed.n * 4);
    const copy = this.floats(copyAt, rows * packed.n);
    for (let row = 0; row < rows; row++) copy.set(values.subarray(row * columns, (row + 1) * columns), row * packed.n);
    this.fillPacked(packed, copyAt, rows, packed.n);
    this.release(mark);
    return packed;
  }

  /**
   * Quantises and packs a `rows x columns` matrix already in this memory (float32 at `sourceAt`,
   * rows `rowStride` floats apart; `columns` a multiple of 8).
   */
  packStored(sourceAt: number, rows: number, columns: number, rowStride: number): PackedMatrix {
    if (columns % 8 !== 0) throw new RangeError(`Int16Matrices.packStored: ${columns} columns is not a multiple of 8`);
    const packed = this.newPacked(rows, columns);
    this.fillPacked(packed, sourceAt, rows, rowStride);
    return packed;
  }

  /**
   * Quantises and packs the transpose of a matrix in this memory: column c of the result is the
   * `rows` floats at `sourceAt + c * stride` floats (`rows` a multiple of 8). Each column's codes
   * are that row quantised by the row kernel, moved into place a pair of codes (32 bits) at a time.
   */
  packTransposed(sourceAt: number, rows: number, columns: number, stride: number): PackedMatrix {
    if (rows % 8 !== 0) throw new RangeError(`Int16Matrices.packTransposed: ${rows} rows is not a multiple of 8`);
    const packed = this.newPacked(rows, columns);
    const mark = this.mark();
    const codesAt = this.allocate(roundUp(columns, 4) * rows * 2, false);
    this.kernel.quantizeRows(sourceAt, columns, rows, stride, codesAt, packed.scalesAt, codeLimit(rows));
    const pairs = new Int32Array(this.memory.buffer, codesAt, (roundUp(columns, 4) * rows) / 2);
    const target = new Int32Array(this.memory.buffer, packed.at, (packed.k * packed.n) / 2);
    const pairsPerColumn = rows / 2;
    for (let column = 0; column < columns; column++) {
      // In 32-bit units. Source (quantizeRows): a group of 4 rows is 2 x rows, a pair 4, a lane 1.
      // Target: a panel of 8 columns is k x 4, a half 4, a lane 1, a pair of rows 8.
      const base = (column >> 3) * packed.k * 4 + ((column & 7) >> 2) * 4 + (column & 3);
      const from = (column >> 2) * rows * 2 + (column & 3);
      for (let pair = 0; pair < pairsPerColumn; pair++) target[base + pair * 8] = pairs[from + pair * 4];
    }
    this.release(mark);
    return packed;
  }

  /** Zeroed space for a packed `rows x columns` matrix (k rounded up to 8, n to 8). */
  private newPacked(rows: number, columns: number): PackedMatrix {
    // k a multiple of 8, so that rows of codes quantised for this product can be read by the kernel.
    const k = roundUp(rows, 8);
    const n = roundUp(columns, 8);
    return { at: this.allocate(k * n * 2), scalesAt: this.allocate(n * 4), biasAt: this.allocate(n * 4), k, n };
  }

  /** Column steps (largest |value| / limit) and codes of `packed` from the float32 matrix at `sourceAt`. */
  private fillPacked(packed: PackedMatrix, sourceAt: number, rows: number, rowStride: number): void {
    const mark = this.mark();
    const inversesAt = this.allocate(packed.n * 4, false);
    this.kernel.columnMaxima(sourceAt, rows, packed.n, rowStride, packed.scalesAt);
    const limit = codeLimit(packed.k);
    const scales = this.floats(packed.scalesAt, packed.n);
    const inverses = this.floats(inversesAt, packed.n);
    for (let column = 0; column < packed.n; column++) {
      inverses[column] = scales[column] > 0 ? limit / scales[column] : 0;
      scales[column] /= limit;
    }
    this.kernel.packRows(sourceAt, rows, packed.n, rowStride, inversesAt, packed.at, packed.k);
    this.release(mark);
  }

  /** Layer normalisation of `m` rows of `width` floats (a multiple of 4) from `sourceAt` to `targetAt`; scale and bias in this memory. */
  layerNorm(sourceAt: number, m: number, width: number, scaleAt: number, biasAt: number, epsilon: number, targetAt: number): void {
    this.kernel.layerNorm(sourceAt, m, width, scaleAt, biasAt, epsilon, targetAt);
  }

  /**
   * Quantises `m` rows of `k` floats at `sourceAt` (rows `sourceStride` floats apart; k a multiple
   * of 8) into codes at `codesAt` (m rounded up to 4 rows of k codes, in groups of 4 rows with
   * their pairs of codes interleaved, as the kernel reads them) with row steps at `scalesAt`, for a
   * product over `k` rows.
   */
  quantizeRows(sourceAt: number, m: number, k: number, sourceStride: number, codesAt: number, scalesAt: number): void {
    this.kernel.quantizeRows(sourceAt, m, k, sourceStride, codesAt, scalesAt, codeLimit(k));
  }

  /**
   * `out = codes x weights * steps + bias` for `m` rows of codes (`m` a multiple of 4, rows of
   * `weights.k` codes); output rows `outStride` floats apart, `weights.n` columns written. `add`
   * adds the product to what `out` holds (a residual connection); `relu` then clamps at 0.
   */
  multiply(codesAt: number, m: number, scalesAt: number, weights: PackedMatrix, outAt: number, outStride: number, how: { add?: boolean; relu?: boolean } = {}): void {
    const mode = (how.relu ? 1 : 0) | (how.add ? 2 : 0);
    this.kernel.gemm(codesAt, m, weights.k, scalesAt, weights.at, weights.n, weights.scalesAt, weights.biasAt, outAt, outStride, mode, ROW_BLOCK);
  }
}
