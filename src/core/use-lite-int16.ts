/**
 * The USE-lite forward pass written out for its fixed architecture, on int16 matrix products in
 * WebAssembly (int16-matrix.ts) instead of the tfjs graph: the same weights, the same vectors to
 * within quantisation error (cosine > 0.999 to the graph's), several times faster on CPU.
 *
 * Why hand-scheduled: the graph runs ~300 tfjs ops per batch (sparse-to-dense, gathers, scatters,
 * reshapes), pads every sentence of a batch to the longest, and its float32 matrix products use
 * a multiply and an add per four multiply-adds. Here tokens of all sentences are stacked into one
 * matrix (no padding), each product is one kernel call on int16 codes, and attention runs per
 * sentence and head on the same kernel.
 *
 * The architecture, as the graph computes it (checked against it in the tests):
 * - input: the first 128 tokens of each sentence (the graph drops later positions);
 *   x = 2 * embedding(id) + timing(position) ([sin | cos] of position * 128 inverse timescales);
 * - layer 0 (width 256 -> 512): h = dense(x) + out(attention(norm(x))); h += ffn(norm(h));
 * - layer 1 (width 512): h += out(attention(norm(h))); h += ffn(norm(h));
 *   attention: 4 heads; layer norm with epsilon 1e-6; ffn: relu(h W1 + b1) W2 + b2 (1,536 wide);
 * - output: l2-normalised tanh(mean of h over the sentence's tokens x W + b).
 */
import type { ExpExports } from './fast-math.js';
import { Int16Matrices, roundUp, type PackedMatrix } from './int16-matrix.js';
import { instantiateOn } from './wasm-runtime.js';
import { EXP_AFFINE_WASM_BASE64 } from './wasm/exp-affine.wasm.js';
import { USE_LITE_DIMENSION, type GraphModelFiles } from './use-lite.js';

/** Positions the graph reads: tokens after the first 128 of a sentence change nothing. */
export const USE_LITE_POSITIONS = 128;
/** Most tokens stacked into one pass (bounds the scratch memory to ~35 MB). */
const TOKENS_PER_PASS = 2048;
const ENCODE = 'module_apply_default/Encoder_en/KonaTransformer/Encode/';
const HEADS = 4;

/** A layer norm's scale and bias (float32 in kernel memory). */
interface Norm {
  scaleAt: number;
  biasAt: number;
}

interface Layer {
  /** Width of the layer's input. */
  width: number;
  headWidth: number;
  queryScale: number;
  attentionNorm: Norm;
  qkv: PackedMatrix;
  output: PackedMatrix;
  /** Layer 0 only: the projection of its 256-wide input onto the 512-wide residual stream. */
  residual?: PackedMatrix;
  ffnNorm: Norm;
  ffnIn: PackedMatrix;
  ffnOut: PackedMatrix;
}

/** Every weight of the graph by name (all are float32 or int32: 4 bytes per value). */
function weightsByName(files: GraphModelFiles): Map<string, Float32Array> {
  const byName = new Map<string, Float32Array>();
  let offset = 0;
  for (const group of files.modelJson.weightsManifest) {
    for (const entry of group.weights as { name: string; shape: number[]; dtype: string }[]) {
      const count = entry.shape.reduce((product, size) => product * size, 1);
      if (entry.dtype === 'float32') byName.set(entry.name, new Float32Array(files.weightData, offset, count));
      offset += count * 4;
    }
  }
  return byName;
}

/** The USE-lite graph's weights in int16 kernel memory; `embedTokens` runs the forward pass. */
export class UseLiteInt16 {
  private matrices: Int16Matrices | undefined;
  private readonly layers: Layer[];
  private readonly embeddings: Float32Array;
  private readonly timing: Float32Array;
  private readonly hidden: PackedMatrix;
  private readonly epsilon: number;
  private readonly vocabularySize: number;

  private constructor(
    files: GraphModelFiles,
    matrices: Int16Matrices,
    private readonly exp: ExpExports,
  ) {
    this.matrices = matrices;
    const weights = weightsByName(files);
    const get = (name: string): Float32Array => {
      const found = weights.get(name);
      if (!found) throw new Error(`USE-lite weights: "${name}" not found in model.json`);
      return found;
    };
    const stored = (values: Float32Array): number => {
      const at = matrices.allocate(values.length * 4);
      matrices.floats(at, values.length).set(values);
      return at;
    };
    const norm = (prefix: string): Norm => ({
      scaleAt: stored(get(`${prefix}/layer_norm/layer_norm_scale/ConcatPartitions/concat`)),
      biasAt: stored(get(`${prefix}/layer_norm/layer_norm_bias/ConcatPartitions/concat`)),
    });
    const pack = (kernel: Float32Array, bias: Float32Array, rows: number, columns: number) => matrices.pack(kernel, rows, columns, bias);
    this.embeddings = get('module/Embeddings_en');
    this.vocabularySize = this.embeddings.length / 256;
    this.epsilon = get(`${ENCODE}TransformerStack/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`)[0];
    this.layers = [0, 1].map((index) => {
      const width = index === 0 ? 256 : 512;
      const layer = `${ENCODE}Layer_${index}/TransformerLayer`;
      const stack = `${ENCODE}TransformerStack/Layer_${index}/TransformerLayer`;
      const attention = `module/Encoder_en/KonaTransformer/Encode/Layer_${index}/TransformerLayer/MultiheadAttention`;
      return {
        width,
        headWidth: width / HEADS,
        queryScale: get(`${stack}/MultiheadAttention/mul/y`)[0],
        attentionNorm: norm(`${layer}/layer_prepostprocess`),
        qkv: pack(get(`${attention}/qkv_transform_single/kernel/part_0`), get(`${layer}/MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat`), width, 3 * width),
        output: pack(get(`${attention}/output_transform_single/kernel/part_0`), get(`${layer}/MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat`), width, 512),
        residual: index === 0 ? pack(get(`${layer}/dense/kernel/ConcatPartitions/concat`), get(`${layer}/dense/bias/ConcatPartitions/concat`), 256, 512) : undefined,
        ffnNorm: norm(`${layer}/FFN/layer_prepostprocess`),
        ffnIn: pack(get(`${stack}/FFN/conv1/Tensordot/Reshape_1`), get(`${layer}/FFN/conv1/bias/ConcatPartitions/concat`), 512, 1536),
        ffnOut: pack(get(`${stack}/FFN/conv2/Tensordot/Reshape_1`), get(`${layer}/FFN/conv2/bias/ConcatPartitions/concat`), 1536, 512),
      };
    });
    this.hidden = pack(get('module/Encoder_en/hidden_layers/tanh_layer_0/weights'), get('module/Encoder_en/hidden_layers/tanh_layer_0/bias'), 512, 512);
    const inverseTimescales = get(`${ENCODE}TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`);
    this.timing = new Float32Array(USE_LITE_POSITIONS * 256);
    for (let position = 0; position < USE_LITE_POSITIONS; position++) {
      for (let i = 0; i < 128; i++) {
        const angle = Math.fround(position * inverseTimescales[i]);
        this.timing[position * 256 + i] = Math.sin(angle);
        this.timing[position * 256 + 128 + i] = Math.cos(angle);
      }
    }
  }

  /** Loads the weights into a new kernel memory, or returns undefined where WebAssembly SIMD is missing. */
  static load(files: GraphModelFiles): UseLiteInt16 | undefined {
    const matrices = Int16Matrices.create();
    const exp = matrices && instantiateOn<ExpExports>(EXP_AFFINE_WASM_BASE64, matrices.wasmMemory);
    return matrices && exp ? new UseLiteInt16(files, matrices, exp.exports) : undefined;
  }

  /** Bytes of WebAssembly memory held (weights and the largest pass's scratch). */
  get memoryBytes(): number {
    return this.matrices?.memoryBytes ?? 0;
  }

  /**
   * Embeds sentences given as token id rows (each non-empty; only the first 128 tokens count).
   * Returns `rows.length * 512` floats, row-major.
   */
  embedTokens(rows: readonly ArrayLike<number>[]): Float32Array {
    if (!this.matrices) throw new Error('UseLiteInt16 was disposed');
    const output = new Float32Array(rows.length * USE_LITE_DIMENSION);
    let start = 0;
    while (start < rows.length) {
      let end = start;
      let tokens = 0;
      while (end < rows.length && (end === start || tokens + Math.min(rows[end].length, USE_LITE_POSITIONS) <= TOKENS_PER_PASS)) {
        if (rows[end].length === 0) throw new RangeError('UseLiteInt16.embedTokens: every row needs at least one token');
        tokens += Math.min(rows[end].length, USE_LITE_POSITIONS);
        end++;
      }
      output.set(this.pass(rows.slice(start, end), tokens), start * USE_LITE_DIMENSION);
      start = end;
    }
    return output;
  }

  /** Frees the kernel memory. Safe to call twice. */
  dispose(): void {
    this.matrices = undefined;
  }

  /** One forward pass over sentences whose clipped lengths sum to `tokens`. */
  private pass(rows: readonly ArrayLike<number>[], tokens: number): Float32Array {
    const matrices = this.matrices!;
    const mark = matrices.mark();
    try {
      // Rows rounded up to 4 for the kernel, plus 4 that attention may write past the last sentence.
      const height = roundUp(tokens, 4) + 4;
      const sentences = roundUp(rows.length, 4);
      // Not zeroed: rows past the last token hold finite leftovers, and their results are never read.
      const at = {
        input: matrices.allocate(height * 256 * 4, false),
        stream: matrices.allocate(height * 512 * 4, false),
        normed: matrices.allocate(height * 512 * 4, false),
        qkv: matrices.allocate(height * 1536 * 4, false),
        attended: matrices.allocate(height * 512 * 4, false),
        wide: matrices.allocate(height * 1536 * 4, false),
        codes: matrices.allocate(height * 1536 * 2, false),
        codeScales: matrices.allocate(height * 4, false),
        pooled: matrices.allocate(sentences * 512 * 4),
        result: matrices.allocate(sentences * 512 * 4, false),
      };
      // Grow once for attention's scratch rather than during the first sentence's heads.
      matrices.reserve(attentionScratchBytes());
      const lengths = rows.map((row) => Math.min(row.length, USE_LITE_POSITIONS));
      this.embedInput(rows, lengths, matrices.floats(at.input, height * 256));
      const m = roundUp(tokens, 4);
      const [first, second] = this.layers;
      // Layer 0: the residual stream starts as a projection of the input.
      matrices.quantizeRows(at.input, tokens, 256, 256, at.codes, at.codeScales);
      matrices.multiply(at.codes, m, at.codeScales, first.residual!, at.stream, 512);
      this.attentionBlock(first, at.input, lengths, tokens, at);
      this.ffnBlock(first, tokens, at);
      this.attentionBlock(second, at.stream, lengths, tokens, at);
      this.ffnBlock(second, tokens, at);
      return this.pool(lengths, tokens, at.stream, at.pooled, at.codes, at.codeScales, at.result);
    } finally {
      matrices.release(mark);
    }
  }

  /** x = 2 * embedding + timing signal, one row per token. */
  private embedInput(rows: readonly ArrayLike<number>[], lengths: number[], input: Float32Array): void {
    let token = 0;
    rows.forEach((row, sentence) => {
      for (let position = 0; position < lengths[sentence]; position++, token++) {
        const id = row[position];
        if (!Number.isInteger(id) || id < 0 || id >= this.vocabularySize) throw new RangeError(`UseLiteInt16: token id ${id} is outside the vocabulary`);
        const embedding = id * 256;
        const timing = position * 256;
        const target = token * 256;
        for (let i = 0; i < 256; i++) input[target + i] = 2 * this.embeddings[embedding + i] + this.timing[timing + i];
      }
    });
  }

  /** stream += output(attention(norm(source))), where `source` is layer 0's input or the stream. */
  private attentionBlock(layer: Layer, sourceAt: number, lengths: number[], tokens: number, at: Buffers): void {
    const matrices = this.matrices!;
    const m = roundUp(tokens, 4);
    const width = layer.width;
    matrices.layerNorm(sourceAt, tokens, width, layer.attentionNorm.scaleAt, layer.attentionNorm.biasAt, this.epsilon, at.normed);
    matrices.quantizeRows(at.normed, tokens, width, width, at.codes, at.codeScales);
    matrices.multiply(at.codes, m, at.codeScales, layer.qkv, at.qkv, 3 * width);
    let base = 0;
    for (const length of lengths) {
      for (let head = 0; head < HEADS; head++) this.attendHead(layer, base, length, head, at);
      base += length;
    }
    matrices.quantizeRows(at.attended, tokens, width, width, at.codes, at.codeScales);
    matrices.multiply(at.codes, m, at.codeScales, layer.output, at.stream, 512, { add: true });
  }

  /** One head of one sentence: softmax(q k^T * scale) v into the head's columns of `attended`. */
  private attendHead(layer: Layer, base: number, length: number, head: number, at: Buffers): void {
    const matrices = this.matrices!;
    const mark = matrices.mark();
    const { width, headWidth } = layer;
    const stride = 3 * width;
    const rows = roundUp(length, 4);
    const keys = roundUp(length, 8);
    const queriesAt = at.qkv + (base * stride + head * headWidth) * 4;
    matrices.quantizeRows(queriesAt, length, headWidth, stride, at.codes, at.codeScales);
    // Keys as a headWidth x length matrix (columns are positions), values as length x headWidth.
    const keyMatrix = matrices.packTransposed(at.qkv + (base * stride + width + head * headWidth) * 4, headWidth, length, stride);
    const valueMatrix = matrices.packStored(at.qkv + (base * stride + 2 * width + head * headWidth) * 4, length, headWidth, stride);
    const scoresAt = matrices.allocate(rows * keys * 4, false);
    const weightCodesAt = matrices.allocate(rows * keys * 2, false);
    const weightScalesAt = matrices.allocate(rows * 4, false);
    matrices.multiply(at.codes, rows, at.codeScales, keyMatrix, scoresAt, keys);
    const scores = matrices.floats(scoresAt, rows * keys);
    const sums = new Float64Array(length);
    for (let row = 0; row < length; row++) {
      const offset = row * keys;
      let largest = -Infinity;
      for (let key = 0; key < length; key++) largest = Math.max(largest, scores[offset + key]);
      // exp(scale * (score - largest)), in place, four at a time.
      this.exp.expAffine(scoresAt + offset * 4, keys, -layer.queryScale * largest, layer.queryScale, scoresAt + offset * 4);
      let sum = 0;
      for (let key = 0; key < length; key++) sum += scores[offset + key];
      scores.fill(0, offset + length, offset + keys);
      sums[row] = sum;
    }
    matrices.quantizeRows(scoresAt, length, keys, keys, weightCodesAt, weightScalesAt);
    // Codes are per row, so dividing a row by its sum only scales its step.
    const weightScales = matrices.floats(weightScalesAt, length);
    for (let row = 0; row < length; row++) weightScales[row] /= sums[row];
    // Rows past `length` spill into the next sentence's rows, which its own pass overwrites later.
    matrices.multiply(weightCodesAt, rows, weightScalesAt, valueMatrix, at.attended + (base * width + head * headWidth) * 4, width);
    matrices.release(mark);
  }

  /** stream += ffnOut(relu(ffnIn(norm(stream)))). */
  private ffnBlock(layer: Layer, tokens: number, at: Buffers): void {
    const matrices = this.matrices!;
    const m = roundUp(tokens, 4);
    matrices.layerNorm(at.stream, tokens, 512, layer.ffnNorm.scaleAt, layer.ffnNorm.biasAt, this.epsilon, at.normed);
    matrices.quantizeRows(at.normed, tokens, 512, 512, at.codes, at.codeScales);
    matrices.multiply(at.codes, m, at.codeScales, layer.ffnIn, at.wide, 1536, { relu: true });
    matrices.quantizeRows(at.wide, tokens, 1536, 1536, at.codes, at.codeScales);
    matrices.multiply(at.codes, m, at.codeScales, layer.ffnOut, at.stream, 512, { add: true });
  }

  /** Mean of each sentence's rows, then the tanh layer and l2 normalisation. */
  private pool(lengths: number[], tokens: number, streamAt: number, pooledAt: number, codesAt: number, scalesAt: number, resultAt: number): Float32Array {
    const matrices = this.matrices!;
    const stream = matrices.floats(streamAt, tokens * 512);
    const pooled = matrices.floats(pooledAt, lengths.length * 512);
    let base = 0;
    lengths.forEach((length, sentence) => {
      const target = sentence * 512;
      for (let token = base; token < base + length; token++) {
        for (let i = 0; i < 512; i++) pooled[target + i] += stream[token * 512 + i];
      }
      for (let i = 0; i < 512; i++) pooled[target + i] /= length;
      base += length;
    });
    matrices.quantizeRows(pooledAt, lengths.length, 512, 512, codesAt, scalesAt);
    matrices.multiply(codesAt, roundUp(lengths.length, 4), scalesAt, this.hidden, resultAt, 512);
    const result = new Float32Array(matrices.floats(resultAt, lengths.length * 512));
    for (let sentence = 0; sentence < lengths.length; sentence++) {
      const offset = sentence * 512;
      let squares = 0;
      for (let i = 0; i < 512; i++) {
        const value = Math.tanh(result[offset + i]);
        result[offset + i] = value;
        squares += value * value;
      }
      const inverse = 1 / Math.sqrt(Math.max(squares, 1e-12));
      for (let i = 0; i < 512; i++) result[offset + i] *= inverse;
    }
    return result;
  }
}

type Buffers = { qkv: number; attended: number; codes: number; codeScales: number; stream: number; normed: number; wide: number };

/** The most bytes one head's attention allocates at once (128 positions, head width 128). */
function attentionScratchBytes(): number {
  const positions = USE_LITE_POSITIONS;
  const headWidth = 128;
  // Keys and values packed (codes, column steps, bias), keys' row codes before packing, then the
  // scores as floats and codes with their row steps; 1 KiB for 16-byte alignment.
  const packed = positions * headWidth * 2 + positions * 8;
  return 2 * packed + positions * headWidth * 2 + positions * positions * 6 + positions * 4 + 1024;
}
