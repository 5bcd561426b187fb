/**
 * Tensor operations shared by the routers. Plain typed arrays go in and come out; every tensor
 * made here is freed before the function returns (tf.tidy / dispose), except those held by an
 * object with a `dispose()` method.
 */
import type * as TF from '@tensorflow/tfjs-core';
import { getTf, loadedTf } from './backend.js';

/** A row-major matrix of float32 values. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** Scales each row of a row-major matrix to unit L2 norm (zero rows stay zero). Returns a new array. */
export function normalizeRows(data: Float32Array, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let start = 0; start < data.length; start += cols) {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += data[start + j] * data[start + j];
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let j = 0; j < cols; j++) out[start + j] = data[start + j] * scale;
  }
  return out;
}

/** Cosine similarities of query batches against a fixed set of rows (`VectorIndex`, `Int8VectorIndex`). */
export interface SimilarityIndex {
  /** Number of rows. */
  readonly size: number;
  readonly dimension: number;
  /** Cosine similarity of each query (`count` x `dimension`, row-major) with every row: `count` x `size` values. */
  similarities(queries: Float32Array, count: number): Promise<Float32Array>;
  /** Frees the rows. Further queries throw. */
  dispose(): void;
}

/**
 * A fixed set of vectors held on the backend, normalised once and stored transposed ([dim, N]),
 * the layout that made one-query matMul fastest on wasm. Answers cosine similarities of query
 * batches against every row.
 */
export class VectorIndex implements SimilarityIndex {
  private transposed: TF.Tensor2D | undefined;

  private constructor(
    transposed: TF.Tensor2D,
    readonly size: number,
    readonly dimension: number,
  ) {
    this.transposed = transposed;
  }

  /** Builds an index from `rows` vectors of `dimension` floats (row-major). */
  static async create(vectors: Float32Array, rows: number, dimension: number): Promise<VectorIndex> {
    if (vectors.length !== rows * dimension) {
      throw new RangeError(`VectorIndex: expected ${rows * dimension} floats, got ${vectors.length}`);
    }
    const tfjs = await getTf();
    // Normalise and transpose in JS: the backend then holds one copy (wasm memory never shrinks).
    const transposedData = new Float32Array(rows * dimension);
    for (let row = 0; row < rows; row++) {
      let sum = 0;
      for (let j = 0; j < dimension; j++) sum += vectors[row * dimension + j] ** 2;
      const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
      for (let j = 0; j < dimension; j++) transposedData[j * rows + row] = vectors[row * dimension + j] * scale;
    }
    return new VectorIndex(tfjs.tensor2d(transposedData, [dimension, rows]), rows, dimension);
  }

  /**
   * Cosine similarity of each query (row-major, `count` x `dimension`) with every row of the
   * index. Returns `count` x `size` values, row-major.
   */
  async similarities(queries: Float32Array, count: number): Promise<Float32Array> {
    if (!this.transposed) throw new Error('VectorIndex was disposed');
    if (queries.length !== count * this.dimension) {
      throw new RangeError(`VectorIndex: expected ${count * this.dimension} query floats, got ${queries.length}`);
    }
    const matrix = this.transposed;
    const normalized = normalizeRows(queries, this.dimension);
    const tf = loadedTf();
    const result = tf.tidy(() => tf.matMul(tf.tensor2d(normalized, [count, this.dimension]), matrix));
    try {
      return (await result.data()) as Float32Array;
    } finally {
      result.dispose();
    }
  }

  /** Frees the backend memory. Further queries throw. */
  dispose(): void {
    this.transposed?.dispose();
    this.transposed = undefined;
  }
}

/** Row-wise cosine similarity between two equally shaped row-major matrices (plain JS, float64 sums). */
export function cosineRows(a: Float32Array, b: Float32Array, cols: number): Float32Array {
  const rows = a.length / cols;
  const out = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let j = 0; j < cols; j++) {
      const x = a[i * cols + j];
      const y = b[i * cols + j];
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    out[i] = na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
  }
  return out;
}

/** One dense layer: `weights` is in x out, row-major. */
export interface DenseLayer {
  weights: Float32Array;
  inputs: number;
  outputs: number;
  bias?: Float32Array;
  activation?: 'relu' | 'tanh' | 'sigmoid' | 'none';
}

/** Matrix product `input (rows x k) @ weights (k x n)`, as a projection without bias. */
export async function project(input: Matrix, weights: Matrix): Promise<Matrix> {
  const out = await dense(input, [{ weights: weights.data, inputs: weights.rows, outputs: weights.cols }]);
  return out;
}

/** Runs `input` through a stack of dense layers. Returns rows x (last layer's outputs). */
export async function dense(input: Matrix, layers: readonly DenseLayer[]): Promise<Matrix> {
  const tfjs = await getTf();
  if (layers.length === 0) return input;
  if (input.cols !== layers[0].inputs) {
    throw new RangeError(`dense: input has ${input.cols} columns, first layer expects ${layers[0].inputs}`);
  }
  const result = tfjs.tidy(() => {
    let x: TF.Tensor2D = tfjs.tensor2d(input.data, [input.rows, input.cols]);
    for (const layer of layers) {
      x = tfjs.matMul(x, tfjs.tensor2d(layer.weights, [layer.inputs, layer.outputs]));
      if (layer.bias) x = tfjs.add(x, tfjs.tensor1d(layer.bias));
      x = applyActivation(tfjs, x, layer.activation ?? 'none');
    }
    return x;
  });
  const outputs = layers[layers.length - 1].outputs;
  try {
    return { data: (await result.data()) as Float32Array, rows: input.rows, cols: outputs };
  } finally {
    result.dispose();
  }
}

function applyActivation(tfjs: typeof TF, x: TF.Tensor2D, activation: NonNullable<DenseLayer['activation']>): TF.Tensor2D {
  switch (activation) {
    case 'relu':
      return tfjs.relu(x);
    case 'tanh':
      return tfjs.tanh(x);
    case 'sigmoid':
      return tfjs.sigmoid(x);
    default:
      return x;
  }
}

/** Row-wise softmax of a rows x cols matrix of logits. */
export async function softmax(logits: Matrix): Promise<Matrix> {
  const tfjs = await getTf();
  const result = tfjs.tidy(() => tfjs.softmax(tfjs.tensor2d(logits.data, [logits.rows, logits.cols])));
  try {
    return { data: (await result.data()) as Float32Array, rows: logits.rows, cols: logits.cols };
  } finally {
    result.dispose();
  }
}

/** Element-wise logistic sigmoid. */
export async function sigmoid(values: Float32Array): Promise<Float32Array> {
  const tfjs = await getTf();
  const result = tfjs.tidy(() => tfjs.sigmoid(tfjs.tensor1d(values)));
  try {
    return (await result.data()) as Float32Array;
  } finally {
    result.dispose();
  }
}

/** A named trainable parameter, as plain data. */
export interface ParameterData {
  data: Float32Array;
  shape: number[];
}

/** Options of an Adam optimiser (decoupled from the loss, which the model code supplies). */
export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** L2 penalty added to the loss, as torch's Adam `weight_decay` does. */
  weightDecay?: number;
}

/**
 * A set of trainable variables and an Adam optimiser. The model code (in src/core) gives a loss
 * function of the variables; `step()` computes gradients, applies them and returns the loss.
 */
export class AdamTrainer<Name extends string> {
  private readonly optimizer: TF.AdamOptimizer;
  readonly variables: Record<Name, TF.Variable>;
  private disposed = false;

  /** Starts the backend if needed and makes the variables. */
  static async create<N extends string>(initial: Record<N, ParameterData>, options: AdamOptions): Promise<AdamTrainer<N>> {
    await getTf();
    return new AdamTrainer(initial, options);
  }

  private constructor(
    initial: Record<Name, ParameterData>,
    private readonly options: AdamOptions,
  ) {
    const tf = loadedTf();
    this.optimizer = tf.train.adam(options.learningRate, options.beta1 ?? 0.9, options.beta2 ?? 0.999, options.epsilon ?? 1e-8);
    const variables = {} as Record<Name, TF.Variable>;
    for (const name of Object.keys(initial) as Name[]) {
      variables[name] = tf.tidy(() => tf.variable(tf.tensor(initial[name].data, initial[name].shape), true));
    }
    this.variables = variables;
  }

  /** One optimisation step on `loss(variables)`; returns the loss value before the update. */
  step(loss: (variables: Record<Name, TF.Variable>) => TF.Scalar): number {
    const decay = this.options.weightDecay ?? 0;
    const tf = loadedTf();
    const value = tf.tidy(() => {
      const cost = this.optimizer.minimize(
        () => {
          let total = loss(this.variables);
          if (decay > 0) {
            for (const variable of Object.values<TF.Variable>(this.variables)) {
              total = tf.add(total, tf.mul(decay / 2, tf.sum(tf.square(variable))));
            }
          }
          return total as TF.Scalar;
        },
        true,
      );
      return cost!.dataSync()[0];
    });
    return value;
  }

  /** Evaluates `fn` on the current variables without training (under tidy). */
  evaluate(fn: (variables: Record<Name, TF.Variable>) => TF.Tensor): Float32Array {
    return loadedTf().tidy(() => fn(this.variables).dataSync() as Float32Array);
  }

  /** Copies the current parameter values out as plain arrays. */
  snapshot(): Record<Name, ParameterData> {
    const out = {} as Record<Name, ParameterData>;
    for (const name of Object.keys(this.variables) as Name[]) {
      const variable = this.variables[name];
      out[name] = { data: Float32Array.from(variable.dataSync() as Float32Array), shape: [...variable.shape] };
    }
    return out;
  }

  /** Frees the variables and the optimiser state. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const variable of Object.values<TF.Variable>(this.variables)) variable.dispose();
    this.optimizer.dispose();
  }
}
