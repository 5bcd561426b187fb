/**
 * The Universal Sentence Encoder lite graph (a 2-layer transformer over SentencePiece ids that
 * returns 512-d unit vectors), loaded into our own TensorFlow.js from bytes in memory.
 *
 * The graph takes a sparse batch: `indices` ([n, 2] int32, rows of [sentence, position]) and
 * `values` ([n] int32 token ids). Its dense shape is `max(indices) + 1`, so every sentence must
 * have at least one token (a sentence with none at the end of a batch would vanish).
 */
import type * as TF from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { getTf } from './backend.js';

/** The files of a tfjs graph model, already read into memory. */
export interface GraphModelFiles {
  /** The parsed `model.json` (with `modelTopology` and `weightsManifest`). */
  modelJson: { modelTopology: unknown; weightsManifest: { paths: string[]; weights: unknown[] }[] };
  /** The concatenated bytes of every weight shard, in manifest order. */
  weightData: ArrayBuffer;
}

/** Width of every vector the graph returns. */
export const USE_LITE_DIMENSION = 512;

/** A loaded USE-lite graph. Call `dispose()` to free its weights. */
export class UseLiteGraph {
  private model: GraphModel | undefined;

  private constructor(model: GraphModel) {
    this.model = model;
  }

  /** Loads the graph from bytes in memory (no file or network access by tfjs). */
  static async load(files: GraphModelFiles): Promise<UseLiteGraph> {
    const tfjs = await getTf();
    const weightSpecs = files.modelJson.weightsManifest.flatMap((group) => group.weights) as TF.io.WeightsManifestEntry[];
    const handler = tfjs.io.fromMemory({
      modelTopology: files.modelJson.modelTopology as object,
      weightSpecs,
      weightData: files.weightData,
      format: 'graph-model',
    });
    const model = await tfjs.loadGraphModel(handler);
    return new UseLiteGraph(model);
  }

  /**
   * Embeds sentences given as token id rows (each non-empty). Returns `rows.length * 512`
   * floats, row-major; every tensor made here is freed before returning.
   */
  async embedTokens(rows: readonly ArrayLike<number>[]): Promise<Float32Array> {
    if (!this.model) throw new Error('UseLiteGraph was disposed');
    if (rows.length === 0) return new Float32Array(0);
    let total = 0;
    for (const row of rows) {
      if (row.length === 0) throw new RangeError('UseLiteGraph.embedTokens: every row needs at least one token');
      total += row.length;
    }
    const indexData = new Int32Array(total * 2);
    const valueData = new Int32Array(total);
    let cursor = 0;
    rows.forEach((row, sentence) => {
      for (let position = 0; position < row.length; position++) {
        indexData[cursor * 2] = sentence;
        indexData[cursor * 2 + 1] = position;
        valueData[cursor] = row[position];
        cursor++;
      }
    });
    const tfjs = await getTf();
    const indices = tfjs.tensor2d(indexData, [total, 2], 'int32');
    const values = tfjs.tensor1d(valueData, 'int32');
    let output: TF.Tensor | TF.Tensor[] | undefined;
    try {
      output = await this.model.executeAsync({ indices, values });
      const result = Array.isArray(output) ? output[0] : output;
      if (result.shape[0] !== rows.length || result.shape[1] !== USE_LITE_DIMENSION) {
        throw new Error(`USE-lite returned shape [${result.shape.join(', ')}] for ${rows.length} sentences`);
      }
      // A copy: the cpu backend may hand out its own buffer.
      return new Float32Array((await result.data()) as Float32Array);
    } finally {
      indices.dispose();
      values.dispose();
      if (output) tfjs.dispose(output);
    }
  }

  /** Frees the graph's weights. Safe to call twice. */
  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
  }
}
