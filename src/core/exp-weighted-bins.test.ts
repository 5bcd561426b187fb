import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../train/random.js';
import { ExpWeightedBins, type WeightedBinEntries } from './exp-weighted-bins.js';
import { expAffine } from './fast-math.js';
import { Int8VectorIndex } from './int8-vector-index.js';

function randomIndex(rows: number, dimension: number, seed: number): Int8VectorIndex {
  const next = mulberry32(seed);
  return Int8VectorIndex.create(Int8Array.from({ length: rows * dimension }, () => Math.round((next() - 0.5) * 254)), rows, dimension);
}

function randomEntries(sources: number, entryCount: number, binCount: number, seed: number): WeightedBinEntries {
  const next = mulberry32(seed);
  return {
    source: Uint32Array.from({ length: entryCount }, () => Math.floor(next() * sources)),
    bin: Uint32Array.from({ length: entryCount }, () => Math.floor(next() * binCount)),
    amount: Float32Array.from({ length: entryCount }, () => (next() < 0.5 ? 1 : 2) * (next() < 0.9 ? 1 : next())),
    binCount,
  };
}

/** The JavaScript loop the kernel replaces: float32 weights of expAffine, float64 sums in entry order. */
function plainSums(values: Float32Array, entries: WeightedBinEntries, offset: number, slope: number): Float64Array {
  const weights = expAffine(values, offset, slope);
  const sums = new Float64Array(entries.binCount);
  for (let e = 0; e < entries.source.length; e++) sums[entries.bin[e]] += entries.amount[e] * weights[entries.source[e]];
  return sums;
}

function plainMax(values: Float32Array, maxOver?: Uint8Array): number {
  let max = -Infinity;
  for (let p = 0; p < values.length; p++) if ((!maxOver || maxOver[p]) && values[p] > max) max = values[p];
  return max;
}

describe('ExpWeightedBins', () => {
  it.each([
    { rows: 1, entries: 3, bins: 2 },
    { rows: 3, entries: 10, bins: 5 },
    { rows: 1001, entries: 1500, bins: 120 },
    { rows: 4096, entries: 5000, bins: 30 },
  ])('equals the JavaScript max, weights and sums bit for bit: $rows sources, $entries entries, $bins bins', ({ rows, entries, bins }) => {
    const dimension = 40;
    const index = randomIndex(rows, dimension, rows);
    const list = randomEntries(rows, entries, bins, rows + 1);
    const next = mulberry32(rows + 2);
    const maxOver = Uint8Array.from({ length: rows }, (_, p) => (p === 0 || next() < 0.7 ? 1 : 0));
    const plain = ExpWeightedBins.create(index, list);
    const masked = ExpWeightedBins.create(index, list, { maxOver });
    const queries = Float32Array.from({ length: 3 * dimension }, () => next() - 0.5);
    const view = index.similaritiesView(queries, 3);
    for (let q = 0; q < 3; q++) {
      const values = view.subarray(q * rows, (q + 1) * rows);
      const copy = values.slice();
      expect(plain.max(values)).toBe(plainMax(copy));
      expect(masked.max(values)).toBe(plainMax(copy, maxOver));
      const max = plainMax(copy, maxOver);
      const slope = Math.LN10 / Math.abs(max);
      expect(masked.sums(values, Math.LN10, slope)).toEqual(plainSums(copy, list, Math.LN10, slope));
      const weights = new Float32Array(rows).fill(10);
      const constant = new Float64Array(bins);
      for (let e = 0; e < entries; e++) constant[list.bin[e]] += list.amount[e] * weights[list.source[e]];
      expect(plain.constantSums(10)).toEqual(constant);
      expect(Array.from(values)).toEqual(Array.from(copy)); // the similarities are read, not changed
    }
    index.dispose();
  });

  it('skips NaN in the max (as the JavaScript comparison does): a non-finite query gives -Infinity', () => {
    const index = randomIndex(9, 16, 4);
    const bins = ExpWeightedBins.create(index, randomEntries(9, 20, 4, 5));
    const query = new Float32Array(16).fill(1);
    query[3] = Number.NaN;
    const values = index.similaritiesView(query, 1);
    expect(values.every(Number.isNaN)).toBe(true);
    expect(bins.max(values)).toBe(-Infinity);
    index.dispose();
  });

  it('lets the index grow its memory: similarities before and after are the same', () => {
    const index = randomIndex(300, 64, 6);
    const query = Float32Array.from({ length: 64 }, (_, j) => Math.sin(j));
    const before = index.similaritiesView(query, 1).slice();
    const buffer = index.wasmMemory.buffer;
    const bins = ExpWeightedBins.create(index, randomEntries(300, 20_000, 7, 7));
    expect(index.wasmMemory.buffer).not.toBe(buffer); // 240 KB of entries: the memory grew
    const after = index.similaritiesView(query, 1);
    expect(Array.from(after)).toEqual(Array.from(before));
    expect(bins.sums(after, 0, 1)).toEqual(plainSums(before, randomEntries(300, 20_000, 7, 7), 0, 1));
    index.dispose();
  });

  it('rejects entries out of range, values not in the index memory, and use after dispose', () => {
    const index = randomIndex(5, 16, 8);
    expect(() => ExpWeightedBins.create(index, { source: Uint32Array.of(5), bin: Uint32Array.of(0), amount: Float32Array.of(1), binCount: 1 })).toThrow(/entry 0 has source 5/);
    expect(() => ExpWeightedBins.create(index, { source: Uint32Array.of(0), bin: Uint32Array.of(2), amount: Float32Array.of(1), binCount: 2 })).toThrow(/bin 2/);
    expect(() => ExpWeightedBins.create(index, { source: Uint32Array.of(0), bin: Uint32Array.of(0), amount: new Float32Array(2), binCount: 1 })).toThrow(/one value per entry/);
    const bins = ExpWeightedBins.create(index, randomEntries(5, 9, 3, 9));
    expect(() => bins.max(new Float32Array(5))).toThrow(/view of the index's memory/);
    const view = index.similaritiesView(new Float32Array(16).fill(1), 1);
    expect(() => bins.max(view.subarray(0, 4))).toThrow(/5 values/);
    bins.dispose();
    expect(() => bins.max(view)).toThrow(/disposed/);
    index.dispose();
  });
});
