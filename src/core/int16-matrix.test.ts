import { describe, expect, it } from 'vitest';
import { codeLimit, Int16Matrices, int16KernelAvailable } from './int16-matrix.js';
import { createRng } from '../train/random.js';

/** Plain float64 product `a (m x k) x w (k x n) + bias`. */
function product(a: Float32Array, w: Float32Array, bias: Float32Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < n; c++) {
      let sum = bias[c];
      for (let i = 0; i < k; i++) sum += a[r * k + i] * w[i * n + c];
      out[r * n + c] = sum;
    }
  }
  return out;
}

function randomMatrix(count: number, scale: number, random: () => number): Float32Array {
  return Float32Array.from({ length: count }, () => (random() * 2 - 1) * scale);
}

describe('int16 matrix kernel', () => {
  it('runs here (WebAssembly SIMD)', () => {
    expect(int16KernelAvailable()).toBe(true);
  });

  it('multiplies within the quantisation error, with bias, residual add and relu, for odd shapes', () => {
    const random = createRng(3);
    // 9 x 1536 (the widest product) and a 12 x 20 block of a 12 x 37 matrix with 13 columns.
    for (const [m, k, n] of [
      [9, 1536, 24],
      [12, 24, 13],
    ]) {
      const matrices = Int16Matrices.create()!;
      const a = randomMatrix(m * k, 3, random);
      const w = randomMatrix(k * n, 0.05, random);
      const bias = randomMatrix(n, 1, random);
      const packed = matrices.pack(w, k, n, bias);
      expect(packed.n % 8).toBe(0);
      expect(packed.k % 8).toBe(0);
      const rows = Math.ceil(m / 4) * 4;
      const sourceAt = matrices.allocate(rows * packed.k * 4);
      const source = matrices.floats(sourceAt, rows * packed.k);
      for (let r = 0; r < m; r++) source.set(a.subarray(r * k, (r + 1) * k), r * packed.k);
      const codesAt = matrices.allocate(rows * packed.k * 2);
      const scalesAt = matrices.allocate(rows * 4);
      const outAt = matrices.allocate(rows * packed.n * 4);
      matrices.quantizeRows(sourceAt, m, packed.k, packed.k, codesAt, scalesAt);
      const codes = matrices.codes(codesAt, rows * packed.k);
      expect(Math.max(...Array.from(codes, Math.abs))).toBe(codeLimit(packed.k));
      const expected = product(a, w, bias, m, k, n);
      const scale = Math.max(...Array.from(expected, Math.abs));

      matrices.multiply(codesAt, rows, scalesAt, packed, outAt, packed.n);
      const out = matrices.floats(outAt, rows * packed.n);
      let worst = 0;
      for (let r = 0; r < m; r++) for (let c = 0; c < n; c++) worst = Math.max(worst, Math.abs(out[r * packed.n + c] - expected[r * n + c]));
      expect(worst / scale).toBeLessThan(2e-3);
      expect(worst).toBeGreaterThan(0); // quantised, not exact

      // Residual: adds onto what is there (1 everywhere); then relu clamps.
      out.fill(1);
      matrices.multiply(codesAt, rows, scalesAt, packed, outAt, packed.n, { add: true, relu: true });
      for (let r = 0; r < m; r++) {
        for (let c = 0; c < n; c++) {
          const want = Math.max(0, expected[r * n + c] + 1);
          expect(Math.abs(out[r * packed.n + c] - want)).toBeLessThan(2e-3 * scale + 1e-6);
        }
      }
    }
  });

  it('packs matrices already in memory as they are (strided rows) and transposed, as attention does', () => {
    const random = createRng(11);
    const matrices = Int16Matrices.create()!;
    // A 13 x 48 block of a wider matrix: queries are its columns 0-15, keys 16-31, values 32-47.
    const [tokens, stride, width] = [13, 48, 16];
    const block = randomMatrix(tokens * stride, 2, random);
    const blockAt = matrices.allocate(block.length * 4);
    matrices.floats(blockAt, block.length).set(block);
    const keys = matrices.packTransposed(blockAt + width * 4, width, tokens, stride);
    const values = matrices.packStored(blockAt + 2 * width * 4, tokens, width, stride);
    expect([keys.k, keys.n, values.k, values.n]).toEqual([16, 16, 16, 16]);
    const rows = 16;
    const codesAt = matrices.allocate(rows * 16 * 2);
    const scalesAt = matrices.allocate(rows * 4);
    const outAt = matrices.allocate(rows * 16 * 4);
    // scores = queries x keys^T
    matrices.quantizeRows(blockAt, tokens, width, stride, codesAt, scalesAt);
    matrices.multiply(codesAt, rows, scalesAt, keys, outAt, 16);
    let out = matrices.floats(outAt, rows * 16);
    for (let q = 0; q < tokens; q++) {
      for (let t = 0; t < tokens; t++) {
        let want = 0;
        for (let d = 0; d < width; d++) want += block[q * stride + d] * block[t * stride + width + d];
        expect(Math.abs(out[q * 16 + t] - want)).toBeLessThan(2e-3 * width * 4);
      }
    }
    // mixed = queries (as 13 x 13 weights, padded to 16 columns) x values
    const mixAt = matrices.allocate(rows * 16 * 4);
    const mix = matrices.floats(mixAt, rows * 16);
    for (let q = 0; q < tokens; q++) for (let t = 0; t < tokens; t++) mix[q * 16 + t] = block[q * stride + t];
    matrices.quantizeRows(mixAt, tokens, 16, 16, codesAt, scalesAt);
    matrices.multiply(codesAt, rows, scalesAt, values, outAt, 16);
    out = matrices.floats(outAt, rows * 16);
    for (let q = 0; q < tokens; q++) {
      for (let d = 0; d < width; d++) {
        let want = 0;
        for (let t = 0; t < tokens; t++) want += mix[q * 16 + t] * block[t * stride + 2 * width + d];
        expect(Math.abs(out[q * 16 + d] - want)).toBeLessThan(2e-3 * tokens * 4);
      }
    }
  });

  it('keeps integer sums exact at the largest codes (no i32 overflow at k = 1536)', () => {
    const matrices = Int16Matrices.create()!;
    const k = 1536;
    // Every activation and weight at its largest magnitude and the same sign: the worst case.
    const packed = matrices.pack(new Float32Array(k * 8).fill(1), k, 8);
    const sourceAt = matrices.allocate(4 * k * 4);
    matrices.floats(sourceAt, 4 * k).fill(-2);
    const codesAt = matrices.allocate(4 * k * 2);
    const scalesAt = matrices.allocate(16);
    const outAt = matrices.allocate(4 * 8 * 4);
    matrices.quantizeRows(sourceAt, 4, k, k, codesAt, scalesAt);
    matrices.multiply(codesAt, 4, scalesAt, packed, outAt, 8);
    for (const value of matrices.floats(outAt, 32)) expect(value / (-2 * k)).toBeCloseTo(1, 5);
  });

  it('gives zero codes and a zero step for a zero row', () => {
    const matrices = Int16Matrices.create()!;
    const sourceAt = matrices.allocate(2 * 8 * 4);
    matrices.floats(sourceAt, 16).set([0, 0, 0, 0, 0, 0, 0, 0, 1, -2, 3, 0, 0, 0, 0, 0.25]);
    const codesAt = matrices.allocate(4 * 8 * 2);
    const scalesAt = matrices.allocate(8);
    matrices.quantizeRows(sourceAt, 2, 8, 8, codesAt, scalesAt);
    // Groups of 4 rows; for each pair of columns, the 4 rows' two codes side by side.
    const codes = matrices.codes(codesAt, 32);
    const row = (index: number) => [0, 1, 2, 3].flatMap((pair) => [codes[pair * 8 + index * 2], codes[pair * 8 + index * 2 + 1]]);
    expect(row(0)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(matrices.floats(scalesAt, 2)[0]).toBe(0);
    const limit = codeLimit(8);
    expect(row(1)).toEqual([1, -2, 3, 0, 0, 0, 0, 0.25].map((x) => Math.round((x * limit) / 3)));
  });
});
