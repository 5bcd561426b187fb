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
    this.used = roundUp(at + bytes, 16);
    const have = this.memory.buffer.byteLength;
    if (this.used > have) this.memory.grow(Math.ceil((this.used - have) / WASM_PAGE_BYTES));
    if (zero) new Uint8Array(this.memory.buffer, at, this.used - at).fill(0);
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

  /**
   * Quantises and packs a `rows x columns` matrix read as `source[offset + r * rowStride + c *
   * columnStride]` (so a transposed or strided block needs no copy), with an optional bias.
   */
  pack(source: Float32Array, offset: number, rows: number, columns: number, rowStride: number, columnStride: number, bias?: Float32Array): PackedMatrix {
    // k a multiple of 8, so that rows of codes quantised for this product can be read by the kernel.
    const k = roundUp(rows, 8);
    const n = roundUp(columns, 8);
    const at = this.allocate(k * n * 2);
    const scalesAt = this.allocate(n * 4);
    const biasAt = this.allocate(n * 4);
    const codes = this.codes(at, k * n);
    const scales = this.floats(scalesAt, n);
    const limit = codeLimit(k);
    if (bias) this.floats(biasAt, n).set(bias.subarray(0, columns));
    // Where column c's codes start: its panel of 8 columns, then its half (columns 0-3 or 4-7) and
    // lane; each pair of rows then takes 16 codes.
    const bases = Int32Array.from({ length: columns }, (_, column) => (column >> 3) * k * 8 + ((column & 7) >> 2) * 8 + (column & 3) * 2);
    if (columnStride === 1) {
      // Rows contiguous (weights, attention values): read in row order, twice.
      const largest = new Float64Array(columns);
      for (let row = 0; row < rows; row++) {
        const start = offset + row * rowStride;
        for (let column = 0; column < columns; column++) largest[column] = Math.max(largest[column], Math.abs(source[start + column]));
      }
      const inverses = largest.map((value) => (value > 0 ? limit / value : 0));
      largest.forEach((value, column) => (scales[column] = value / limit));
      for (let row = 0; row < rows; row++) {
        const start = offset + row * rowStride;
        const pair = (row >> 1) * 16 + (row & 1);
        for (let column = 0; column < columns; column++) codes[bases[column] + pair] = Math.round(source[start + column] * inverses[column]);
      }
    } else {
      for (let column = 0; column < columns; column++) {
        const start = offset + column * columnStride;
        let largest = 0;
        for (let row = 0; row < rows; row++) largest = Math.max(largest, Math.abs(source[start + row * rowStride]));
        const inverse = largest > 0 ? limit / largest : 0;
        scales[column] = largest / limit;
        for (let row = 0; row < rows; row++) codes[bases[column] + (row >> 1) * 16 + (row & 1)] = Math.round(source[start + row * rowStride] * inverse);
      }
    }
    return { at, scalesAt, biasAt, k, n };
  }

  /**
   * Quantises `m` rows of `k` floats at `sourceAt` (rows `sourceStride` floats apart; k a multiple
   * of 8) into codes at `codesAt` with row steps at `scalesAt`, for a product over `k` rows.
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
