import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { assembleWat, generatedModule, generatedPath, WASM_SOURCE_DIR } from '../../scripts/build-wasm.js';
import { mulberry32 } from '../train/random.js';
import { expAffine } from './fast-math.js';
import { Int8VectorIndex, int8KernelAvailable } from './int8-vector-index.js';
import { VectorIndex } from './ops.js';

function randomCodes(length: number, seed: number): Int8Array {
  const next = mulberry32(seed);
  return Int8Array.from({ length }, () => Math.round((next() - 0.5) * 254));
}

function randomFloats(length: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length }, () => next() - 0.5);
}

/** The float path the router used before: dequantised rows through the tfjs cosine index. */
async function floatSimilarities(codes: Int8Array, rows: number, dimension: number, queries: Float32Array, count: number): Promise<Float32Array> {
  const index = await VectorIndex.create(Float32Array.from(codes, (code) => code / 127), rows, dimension);
  try {
    return await index.similarities(queries, count);
  } finally {
    index.dispose();
  }
}

describe('Int8VectorIndex', () => {
  it('runs here (Node has WebAssembly SIMD)', () => {
    expect(int8KernelAvailable()).toBe(true);
  });

  it.each([
    { rows: 1, dimension: 16, queries: 1 },
    { rows: 37, dimension: 512, queries: 1 },
    { rows: 301, dimension: 64, queries: 5 },
    { rows: 123, dimension: 50, queries: 3 },
    { rows: 1000, dimension: 33, queries: 40 },
    { rows: 2051, dimension: 128, queries: 17 },
  ])('equals the dequantised float path: $rows rows x $dimension, $queries queries', async ({ rows, dimension, queries }) => {
    const codes = randomCodes(rows * dimension, rows + dimension);
    if (rows > 2) codes.fill(0, dimension, 2 * dimension); // a zero row
    const query = randomFloats(queries * dimension, 7 * rows);
    const index = Int8VectorIndex.create(codes, rows, dimension);
    const got = await index.similarities(query, queries);
    index.dispose();
    const want = await floatSimilarities(codes, rows, dimension, query, queries);
    expect(got.length).toBe(want.length);
    let largest = 0;
    for (let i = 0; i < want.length; i++) largest = Math.max(largest, Math.abs(got[i] - want[i]));
    expect(largest).toBeLessThan(2e-5);
    if (rows > 2) for (let q = 0; q < queries; q++) expect(got[q * rows + 1]).toBe(0);
  });

  it('gives a batch the same values as one query at a time (across the 16-query chunks and row tiles)', () => {
    const rows = 777;
    const dimension = 512;
    const index = Int8VectorIndex.create(randomCodes(rows * dimension, 3), rows, dimension);
    const queries = randomFloats(40 * dimension, 4);
    const batch = index.similaritiesSync(queries, 40);
    for (const q of [0, 15, 16, 39]) {
      const single = index.similaritiesSync(queries.subarray(q * dimension, (q + 1) * dimension), 1);
      expect(Array.from(batch.subarray(q * rows, (q + 1) * rows))).toEqual(Array.from(single));
    }
  });

  it('similaritiesView gives the same values without a copy, up to 16 queries', () => {
    const index = Int8VectorIndex.create(randomCodes(50 * 40, 9), 50, 40);
    const queries = randomFloats(16 * 40, 10);
    const copied = index.similaritiesSync(queries, 16);
    expect(Array.from(index.similaritiesView(queries, 16))).toEqual(Array.from(copied));
    expect(() => index.similaritiesView(randomFloats(17 * 40, 11), 17)).toThrow(RangeError);
  });

  it('scores a row against itself as 1 and against its negation as -1, whatever the scale', () => {
    const dimension = 96;
    const codes = randomCodes(2 * dimension, 5);
    for (let j = 0; j < dimension; j++) codes[dimension + j] = -codes[j];
    const index = Int8VectorIndex.create(codes, 2, dimension);
    const query = Float32Array.from(codes.subarray(0, dimension), (code) => code * 0.003);
    const [same, opposite] = index.similaritiesSync(query, 1);
    expect(same).toBeCloseTo(1, 5);
    expect(opposite).toBeCloseTo(-1, 5);
  });

  it('gives 0 for a zero query, NaN for a non-finite one, and nothing for no queries or no rows', () => {
    const index = Int8VectorIndex.create(randomCodes(3 * 16, 6), 3, 16);
    expect(Array.from(index.similaritiesSync(new Float32Array(16), 1))).toEqual([0, 0, 0]);
    const bad = randomFloats(16, 7);
    bad[3] = Number.NaN;
    expect(index.similaritiesSync(bad, 1).every(Number.isNaN)).toBe(true);
    expect(index.similaritiesSync(new Float32Array(0), 0).length).toBe(0);
    expect(Int8VectorIndex.create(new Int8Array(0), 0, 16).similaritiesSync(randomFloats(16, 8), 1).length).toBe(0);
  });

  it('checks sizes and refuses queries after dispose', async () => {
    expect(() => Int8VectorIndex.create(new Int8Array(10), 2, 8)).toThrow(RangeError);
    const index = Int8VectorIndex.create(new Int8Array(16), 2, 8);
    expect(() => index.similaritiesSync(new Float32Array(7), 1)).toThrow(RangeError);
    index.dispose();
    await expect(index.similarities(new Float32Array(8), 1)).rejects.toThrow(/disposed/);
  });
});

describe('expAffine', () => {
  it('matches Math.exp of the float32 argument to float32 precision, with the edges of float32 range', () => {
    const values = Float32Array.from([0, 1, -1, 0.5, 3.3, -7, 40, -40, 88, -87, 89, -88, 1000, -1000, Number.NaN, 0.25, 1e-6]);
    const offset = 0.3;
    const slope = 1;
    const got = expAffine(values, offset, slope);
    values.forEach((value, i) => {
      const argument = Math.fround(Math.fround(offset) + value);
      if (Number.isNaN(argument)) expect(got[i]).toBeNaN();
      else if (argument > Math.fround(88.3)) expect(got[i]).toBe(Infinity);
      else if (argument < Math.fround(-87.3)) expect(got[i]).toBe(0);
      else expect(Math.abs(got[i] / Math.exp(argument) - 1)).toBeLessThan(5e-7);
    });
  });

  it('keeps the same clamps and float32 argument without WebAssembly (the JavaScript fallback)', async () => {
    const values = Float32Array.from([0, 1, -40, 88, -87, 89, -88, 1000, -1000, Number.NaN]);
    const withKernel = expAffine(values, 0.3, 1);
    vi.resetModules();
    vi.stubGlobal('WebAssembly', undefined);
    try {
      const fallback = (await import('./fast-math.js')).expAffine(values, 0.3, 1);
      values.forEach((_, i) => {
        if (Number.isNaN(withKernel[i]) || !Number.isFinite(withKernel[i]) || withKernel[i] === 0) expect(fallback[i]).toBe(withKernel[i]);
        else expect(Math.abs(fallback[i] / withKernel[i] - 1)).toBeLessThan(5e-7);
      });
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });

  it('gives the weights of sw_ranking (gamma^(1 + s / max)) to 5e-7 on random similarities of any length', () => {
    for (const length of [1, 3, 4, 1001]) {
      const similarities = Float32Array.from(randomFloats(length, length), (value) => value * 1.8);
      const max = 0.9;
      const got = expAffine(similarities, Math.LN10, Math.LN10 / max, new Float32Array(length + 2));
      for (let i = 0; i < length; i++) expect(Math.abs(got[i] / 10 ** (1 + similarities[i] / max) - 1)).toBeLessThan(5e-7);
    }
  });
});

describe('committed WebAssembly', () => {
  const sources = readdirSync(WASM_SOURCE_DIR).filter((name) => name.endsWith('.wat'));
  it('covers every .wat source', () => expect(sources).toEqual(expect.arrayContaining(['int8-dot.wat', 'int16-gemm.wat'])));
  it.each(sources)('%s: the committed module is the .wat assembled (npx tsx scripts/build-wasm.ts)', async (name) => {
    const watFile = path.join(WASM_SOURCE_DIR, name);
    const bytes = await assembleWat(readFileSync(watFile, 'utf8'), name);
    expect(readFileSync(generatedPath(watFile), 'utf8')).toBe(generatedModule(watFile, bytes));
  });
});
