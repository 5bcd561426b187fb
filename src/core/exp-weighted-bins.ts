/**
 * Sums of exponential weights into bins, computed in WebAssembly right where an `Int8VectorIndex`
 * left its similarities: `sums[b] = sum over entries e of bin b of amount[e] * exp(offset + slope *
 * values[source[e]])`, with the largest value (over chosen sources) to pick the slope from.
 *
 * Why: after the int8 similarity scan, sw_ranking's per-query work was three JavaScript passes over
 * ~100k values (a max, a copy into and out of the exp kernel, a gather into a tier table), about
 * 1 ms of a ~3 ms query at 100k battles. Here the similarities are never copied: the max, the
 * exponentials (the kernel of `expAffine`, so the same float32 weights) and the bin sums run on the
 * index's memory, the entries (sources, amounts) living there too.
 *
 * The sums equal, bit for bit, a float64 loop `sums[bin[e]] += amount[e] * weight[source[e]]` in
 * entry order over the float32 weights of `expAffine`: the entries are grouped by bin at creation
 * keeping their order within a bin.
 */
import { BackendError } from '../errors.js';
import type { ExpExports } from './fast-math.js';
import type { Int8VectorIndex } from './int8-vector-index.js';
import { instantiateOn } from './wasm-runtime.js';
import { EXP_AFFINE_WASM_BASE64 } from './wasm/exp-affine.wasm.js';
import { WEIGHTED_BINS_WASM_BASE64 } from './wasm/weighted-bins.wasm.js';

interface BinExports {
  maxOf(values: number, bias: number, count: number): number;
  binSums(weights: number, sourceOffsets: number, amounts: number, binEnds: number, binCount: number, out: number): void;
}

/** The entries of `ExpWeightedBins`: entry e adds `amount[e]` times the weight of source `source[e]` to bin `bin[e]`. */
export interface WeightedBinEntries {
  source: Uint32Array;
  bin: Uint32Array;
  /** float32: with the float32 weights, each product is exact in float64 (only the sums round). */
  amount: Float32Array;
  /** Number of bins (every `bin[e]` is below it). */
  binCount: number;
}

/** Options of `ExpWeightedBins.create`. */
export interface ExpWeightedBinsOptions {
  /** The sources `max` looks at (1 = counted). Default: all. */
  maxOver?: Uint8Array;
}

/**
 * Exponentially weighted bin sums over the similarities of one `Int8VectorIndex` (one per index;
 * the sources are its rows). Values passed in must be views of the index's memory, as
 * `similaritiesView` returns them; read the results before the next call on the index.
 */
export class ExpWeightedBins {
  private bins: BinExports | undefined;
  private exp: ExpExports | undefined;
  private readonly sourceCount: number;
  private readonly binCount: number;
  private readonly biasAt: number;
  private readonly weightsAt: number;
  private readonly sourceOffsetsAt: number;
  private readonly amountsAt: number;
  private readonly binEndsAt: number;
  private readonly sumsAt: number;

  private constructor(
    private readonly index: Int8VectorIndex,
    entries: WeightedBinEntries,
    maxOver: Uint8Array | undefined,
  ) {
    const { source, bin, amount, binCount } = entries;
    const entryCount = source.length;
    this.sourceCount = index.size;
    this.binCount = binCount;
    const paddedSources = Math.ceil(index.size / 4) * 4;
    // Reserved before any view is taken: reserving may grow (and detach) the memory.
    this.biasAt = maxOver ? index.reserve(paddedSources * 4) : 0;
    this.weightsAt = index.reserve(paddedSources * 4);
    this.sourceOffsetsAt = index.reserve(entryCount * 4);
    this.amountsAt = index.reserve(entryCount * 4);
    this.binEndsAt = index.reserve(binCount * 4);
    this.sumsAt = index.reserve(binCount * 8);
    const memory = index.wasmMemory;
    const bins = instantiateOn<BinExports>(WEIGHTED_BINS_WASM_BASE64, memory);
    const exp = instantiateOn<ExpExports>(EXP_AFFINE_WASM_BASE64, memory);
    if (!bins || !exp) throw new BackendError('wasm-simd', 'ExpWeightedBins: this runtime has no WebAssembly SIMD');
    this.bins = bins.exports;
    this.exp = exp.exports;

    const buffer = memory.buffer;
    if (maxOver) {
      const bias = new Float32Array(buffer, this.biasAt, paddedSources);
      for (let p = 0; p < index.size; p++) bias[p] = maxOver[p] ? 0 : -Infinity;
    }
    // Counting sort by bin, stable: within a bin the entries keep their order.
    const binEnds = new Uint32Array(buffer, this.binEndsAt, binCount);
    for (let e = 0; e < entryCount; e++) binEnds[bin[e]]++;
    for (let b = 1; b < binCount; b++) binEnds[b] += binEnds[b - 1];
    const next = new Uint32Array(binCount);
    for (let b = 1; b < binCount; b++) next[b] = binEnds[b - 1];
    const sourceOffsets = new Uint32Array(buffer, this.sourceOffsetsAt, entryCount);
    const amounts = new Float32Array(buffer, this.amountsAt, entryCount);
    for (let e = 0; e < entryCount; e++) {
      const slot = next[bin[e]]++;
      sourceOffsets[slot] = source[e] * 4;
      amounts[slot] = amount[e];
    }
  }

  /**
   * Prepares the entries (copied, grouped by bin, into `index`'s memory). Throws when a source or bin
   * is out of range, or the runtime has no WebAssembly SIMD (an `Int8VectorIndex` exists, so it has).
   */
  static create(index: Int8VectorIndex, entries: WeightedBinEntries, options: ExpWeightedBinsOptions = {}): ExpWeightedBins {
    const { source, bin, amount, binCount } = entries;
    if (!Number.isInteger(binCount) || binCount < 0) throw new RangeError(`ExpWeightedBins: binCount must be an integer >= 0, got ${binCount}`);
    if (bin.length !== source.length || amount.length !== source.length) {
      throw new RangeError(`ExpWeightedBins: source, bin and amount must have one value per entry, got ${source.length}, ${bin.length}, ${amount.length}`);
    }
    for (let e = 0; e < source.length; e++) {
      if (source[e] >= index.size || bin[e] >= binCount) {
        throw new RangeError(`ExpWeightedBins: entry ${e} has source ${source[e]} (of ${index.size}) and bin ${bin[e]} (of ${binCount})`);
      }
    }
    if (options.maxOver && options.maxOver.length !== index.size) {
      throw new RangeError(`ExpWeightedBins: maxOver has ${options.maxOver.length} flags for ${index.size} sources`);
    }
    return new ExpWeightedBins(index, entries, options.maxOver);
  }

  /** The byte address of `values` in the index's memory; throws when it is not a view of it of one value per source. */
  private addressOf(values: Float32Array): number {
    if (!this.bins) throw new Error('ExpWeightedBins was disposed');
    if (values.buffer !== this.index.wasmMemory.buffer || values.length !== this.sourceCount) {
      throw new RangeError(`ExpWeightedBins: values must be a view of the index's memory with ${this.sourceCount} values (from similaritiesView)`);
    }
    return values.byteOffset;
  }

  /** The largest of `values` over the `maxOver` sources (float32 max; NaN values are skipped; -Infinity if none is counted). */
  max(values: Float32Array): number {
    const address = this.addressOf(values);
    return this.bins!.maxOf(address, this.biasAt, this.sourceCount);
  }

  /**
   * Bin sums with weights `exp(offset + slope * values[source])` (float32, as `expAffine`), into
   * `out` (default a new array of `binCount`). Returns `out`.
   */
  sums(values: Float32Array, offset: number, slope: number, out: Float64Array = new Float64Array(this.binCount)): Float64Array {
    const address = this.addressOf(values);
    // The exp kernel works on multiples of 4 values: the padding reads past `values` (still index
    // memory: the result buffer or what follows) into the weights' padding, which no entry uses.
    this.exp!.expAffine(address, Math.ceil(this.sourceCount / 4) * 4, offset, slope, this.weightsAt);
    return this.binSumsInto(out);
  }

  /** Bin sums with every weight equal to `weight` (rounded to float32). Returns `out`. */
  constantSums(weight: number, out: Float64Array = new Float64Array(this.binCount)): Float64Array {
    if (!this.bins) throw new Error('ExpWeightedBins was disposed');
    new Float32Array(this.index.wasmMemory.buffer, this.weightsAt, this.sourceCount).fill(weight);
    return this.binSumsInto(out);
  }

  private binSumsInto(out: Float64Array): Float64Array {
    if (out.length < this.binCount) throw new RangeError(`ExpWeightedBins: out has ${out.length} slots for ${this.binCount} bins`);
    this.bins!.binSums(this.weightsAt, this.sourceOffsetsAt, this.amountsAt, this.binEndsAt, this.binCount, this.sumsAt);
    out.set(new Float64Array(this.index.wasmMemory.buffer, this.sumsAt, this.binCount));
    return out;
  }

  /** Stops further use and lets go of the kernels (the memory belongs to the index and goes with it). */
  dispose(): void {
    this.bins = undefined;
    this.exp = undefined;
  }
}
