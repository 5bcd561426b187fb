/**
 * A small classification head over frozen features: a linear layer or a one-hidden-layer MLP
 * followed by a softmax. Trained here with Adam on a (class- and sample-) weighted cross-entropy;
 * inference returns class probabilities. Used by the bert router's head mode.
 */
import type * as TF from '@tensorflow/tfjs-core';
import { getTf, loadedTf } from '../backend.js';
import { AdamTrainer, type DenseLayer, type ParameterData } from '../ops.js';
import { mulberry32, shuffleInPlace } from '../../train/random.js';

/** Shape of the head. */
export type HeadArchitecture = 'linear' | 'mlp';

/** Trained head parameters as plain data (what the weights files store). */
export interface ClassifierHeadParameters {
  architecture: HeadArchitecture;
  inputs: number;
  classes: number;
  /** Hidden units of the MLP (0 for linear). */
  hidden: number;
  /** Dense layers in order: [input -> classes] or [input -> hidden (relu), hidden -> classes]. */
  layers: DenseLayer[];
}

/** A labelled feature matrix. */
export interface LabelledFeatures {
  /** Row-major `rows x inputs`. */
  features: Float32Array;
  /** One class index per row. */
  labels: Int32Array;
  /** Optional per-row weights (default 1). */
  weights?: Float32Array;
}

/** Options of `trainClassifierHead`. */
export interface TrainClassifierHeadOptions {
  architecture: HeadArchitecture;
  inputs: number;
  classes: number;
  train: LabelledFeatures;
  validation: LabelledFeatures;
  /** MLP hidden units. Default 64. */
  hidden?: number;
  /** Per-class loss weights (length `classes`). Default all 1. */
  classWeights?: readonly number[];
  /** Default 1e-3. */
  learningRate?: number;
  /** L2 penalty. Default 1e-4. */
  weightDecay?: number;
  /** Maximum epochs. Default 60. */
  epochs?: number;
  /** Default 64. */
  batchSize?: number;
  /** Epochs without a better validation loss before stopping. Default 6. */
  patience?: number;
  /** Seed of the initialisation and the batch order. Default 0. */
  seed?: number;
  /** Called after each epoch. */
  onEpoch?: (epoch: number, trainLoss: number, validationLoss: number) => void;
}

/** What training returns: the parameters of the best epoch and its validation loss. */
export interface TrainedClassifierHead {
  parameters: ClassifierHeadParameters;
  /** Weighted cross-entropy on the validation rows at the best epoch. */
  validationLoss: number;
  bestEpoch: number;
  epochsRun: number;
}

type HeadVariable = 'w1' | 'b1' | 'w2' | 'b2';

function uniformSource(seed: number): () => number {
  return mulberry32((seed ^ 0x5bd1e995) >>> 0);
}

function glorot(random: () => number, inputs: number, outputs: number): Float32Array {
  const limit = Math.sqrt(6 / (inputs + outputs));
  const out = new Float32Array(inputs * outputs);
  for (let i = 0; i < out.length; i++) out[i] = (random() * 2 - 1) * limit;
  return out;
}

function rowWeights(set: LabelledFeatures, classWeights: readonly number[]): Float32Array {
  const out = new Float32Array(set.labels.length);
  for (let i = 0; i < out.length; i++) out[i] = (set.weights ? set.weights[i] : 1) * classWeights[set.labels[i]];
  return out;
}

function logitsOf(tfjs: typeof TF, architecture: HeadArchitecture, variables: Record<HeadVariable, TF.Variable>, x: TF.Tensor2D): TF.Tensor2D {
  if (architecture === 'linear') return tfjs.add(tfjs.matMul(x, variables.w1 as TF.Tensor2D), variables.b1);
  const hidden = tfjs.relu(tfjs.add(tfjs.matMul(x, variables.w1 as TF.Tensor2D), variables.b1));
  return tfjs.add(tfjs.matMul(hidden as TF.Tensor2D, variables.w2 as TF.Tensor2D), variables.b2);
}

/** Weighted mean cross-entropy; labels as one-hot rows, weights per row. */
function crossEntropy(tfjs: typeof TF, logits: TF.Tensor2D, oneHot: TF.Tensor2D, weights: TF.Tensor1D): TF.Scalar {
  const logProbabilities = tfjs.logSoftmax(logits);
  const perRow = tfjs.neg(tfjs.sum(tfjs.mul(oneHot, logProbabilities), 1));
  return tfjs.div(tfjs.sum(tfjs.mul(perRow, weights)), tfjs.maximum(tfjs.sum(weights), 1e-12)) as TF.Scalar;
}

function oneHotRows(labels: Int32Array, indices: ArrayLike<number>, classes: number): Float32Array {
  const out = new Float32Array(indices.length * classes);
  for (let i = 0; i < indices.length; i++) out[i * classes + labels[indices[i]]] = 1;
  return out;
}

function gatherRows(features: Float32Array, indices: ArrayLike<number>, inputs: number): Float32Array {
  const out = new Float32Array(indices.length * inputs);
  for (let i = 0; i < indices.length; i++) out.set(features.subarray(indices[i] * inputs, (indices[i] + 1) * inputs), i * inputs);
  return out;
}

function checkSet(name: string, set: LabelledFeatures, inputs: number, classes: number): void {
  const rows = set.labels.length;
  if (set.features.length !== rows * inputs) {
    throw new RangeError(`${name}: expected ${rows * inputs} feature values (${rows} rows x ${inputs}), got ${set.features.length}`);
  }
  if (set.weights && set.weights.length !== rows) throw new RangeError(`${name}: expected ${rows} row weights, got ${set.weights.length}`);
  for (const label of set.labels) {
    if (!(label >= 0 && label < classes)) throw new RangeError(`${name}: label ${label} is outside [0, ${classes})`);
  }
}

/**
 * Trains a head with Adam and early stopping on the validation loss; returns the parameters of
 * the best epoch. Rows are batched from plain arrays (no gather on the backend, which the wasm
 * backend cannot differentiate).
 */
export async function trainClassifierHead(options: TrainClassifierHeadOptions): Promise<TrainedClassifierHead> {
  const tfjs = await getTf();
  const { inputs, classes, architecture } = options;
  checkSet('train', options.train, inputs, classes);
  checkSet('validation', options.validation, inputs, classes);
  if (options.train.labels.length === 0) throw new RangeError('train: no rows');
  const hidden = architecture === 'mlp' ? (options.hidden ?? 64) : 0;
  const classWeights = options.classWeights ?? new Array(classes).fill(1);
  const random = uniformSource(options.seed ?? 0);
  const firstOutputs = architecture === 'mlp' ? hidden : classes;
  const initial: Record<HeadVariable, ParameterData> = {
    w1: { data: glorot(random, inputs, firstOutputs), shape: [inputs, firstOutputs] },
    b1: { data: new Float32Array(firstOutputs), shape: [firstOutputs] },
    w2: architecture === 'mlp' ? { data: glorot(random, hidden, classes), shape: [hidden, classes] } : { data: new Float32Array(1), shape: [1] },
    b2: { data: new Float32Array(architecture === 'mlp' ? classes : 1), shape: [architecture === 'mlp' ? classes : 1] },
  };
  const trainer = await AdamTrainer.create(initial, {
    learningRate: options.learningRate ?? 1e-3,
    weightDecay: options.weightDecay ?? 1e-4,
  });
  try {
    const trainWeights = rowWeights(options.train, classWeights);
    const validationWeights = rowWeights(options.validation, classWeights);
    const validationRows = options.validation.labels.length;
    const allValidation = Int32Array.from({ length: validationRows }, (_, i) => i);
    const validationX = tfjs.keep(tfjs.tensor2d(options.validation.features, [validationRows, inputs]));
    const validationY = tfjs.keep(tfjs.tensor2d(oneHotRows(options.validation.labels, allValidation, classes), [validationRows, classes]));
    const validationW = tfjs.keep(tfjs.tensor1d(validationWeights));
    const batchSize = options.batchSize ?? 64;
    const maxEpochs = options.epochs ?? 60;
    const patience = options.patience ?? 6;
    let best = { loss: Number.POSITIVE_INFINITY, epoch: -1, snapshot: trainer.snapshot() };
    let epochsRun = 0;
    try {
      const trainRows = options.train.labels.length;
      const order = Array.from({ length: trainRows }, (_, i) => i);
      for (let epoch = 0; epoch < maxEpochs; epoch++) {
        shuffleInPlace(order, random);
        let lossSum = 0;
        let batches = 0;
        for (let start = 0; start < trainRows; start += batchSize) {
          const indices = order.slice(start, start + batchSize);
          const x = gatherRows(options.train.features, indices, inputs);
          const y = oneHotRows(options.train.labels, indices, classes);
          const w = Float32Array.from(indices, (index) => trainWeights[index]);
          lossSum += trainer.step((variables) =>
            crossEntropy(
              tfjs,
              logitsOf(tfjs, architecture, variables, tfjs.tensor2d(x, [indices.length, inputs])),
              tfjs.tensor2d(y, [indices.length, classes]),
              tfjs.tensor1d(w),
            ),
          );
          batches++;
        }
        epochsRun = epoch + 1;
        const validationLoss =
          validationRows > 0
            ? trainer.evaluate((variables) => crossEntropy(tfjs, logitsOf(tfjs, architecture, variables, validationX), validationY, validationW))[0]
            : lossSum / batches;
        options.onEpoch?.(epoch, lossSum / batches, validationLoss);
        if (validationLoss < best.loss - 1e-5) best = { loss: validationLoss, epoch, snapshot: trainer.snapshot() };
        else if (epoch - best.epoch >= patience) break;
      }
    } finally {
      validationX.dispose();
      validationY.dispose();
      validationW.dispose();
    }
    const snapshot = best.snapshot;
    const layers: DenseLayer[] =
      architecture === 'linear'
        ? [{ weights: snapshot.w1.data, inputs, outputs: classes, bias: snapshot.b1.data, activation: 'none' }]
        : [
            { weights: snapshot.w1.data, inputs, outputs: hidden, bias: snapshot.b1.data, activation: 'relu' },
            { weights: snapshot.w2.data, inputs: hidden, outputs: classes, bias: snapshot.b2.data, activation: 'none' },
          ];
    return {
      parameters: { architecture, inputs, classes, hidden, layers },
      validationLoss: best.loss,
      bestEpoch: best.epoch,
      epochsRun,
    };
  } finally {
    trainer.dispose();
  }
}

/**
 * A trained head held on the backend for inference. `probabilities()` returns row-major
 * `rows x classes` softmax outputs; `dispose()` frees the tensors.
 */
export class ClassifierHead {
  private tensors: { weights: TF.Tensor2D; bias: TF.Tensor1D; activation: DenseLayer['activation'] }[] | undefined;

  private constructor(
    readonly parameters: ClassifierHeadParameters,
    tensors: { weights: TF.Tensor2D; bias: TF.Tensor1D; activation: DenseLayer['activation'] }[],
  ) {
    this.tensors = tensors;
  }

  /** Validates the parameters and uploads them to the backend. */
  static async create(parameters: ClassifierHeadParameters): Promise<ClassifierHead> {
    const tfjs = await getTf();
    let width = parameters.inputs;
    for (const layer of parameters.layers) {
      if (layer.inputs !== width || layer.weights.length !== layer.inputs * layer.outputs) {
        throw new RangeError(`classifier head: a layer of ${layer.inputs}x${layer.outputs} does not fit (input width ${width}, ${layer.weights.length} weights)`);
      }
      if (layer.bias && layer.bias.length !== layer.outputs) throw new RangeError('classifier head: bias length does not match the layer outputs');
      width = layer.outputs;
    }
    if (width !== parameters.classes) throw new RangeError(`classifier head: last layer gives ${width} outputs, expected ${parameters.classes}`);
    const tensors = parameters.layers.map((layer) =>
      tfjs.tidy(() => ({
        weights: tfjs.keep(tfjs.tensor2d(layer.weights, [layer.inputs, layer.outputs])),
        bias: tfjs.keep(tfjs.tensor1d(layer.bias ?? new Float32Array(layer.outputs))),
        activation: layer.activation,
      })),
    );
    return new ClassifierHead(parameters, tensors);
  }

  /** Class probabilities for `rows` feature rows (row-major `rows x inputs`). */
  async probabilities(features: Float32Array, rows: number): Promise<Float32Array> {
    if (!this.tensors) throw new Error('ClassifierHead was disposed');
    if (features.length !== rows * this.parameters.inputs) {
      throw new RangeError(`classifier head: expected ${rows * this.parameters.inputs} feature values, got ${features.length}`);
    }
    const layers = this.tensors;
    const tf = loadedTf();
    const result = tf.tidy(() => {
      let x: TF.Tensor2D = tf.tensor2d(features, [rows, this.parameters.inputs]);
      for (const layer of layers) {
        x = tf.add(tf.matMul(x, layer.weights), layer.bias);
        if (layer.activation === 'relu') x = tf.relu(x);
      }
      return tf.softmax(x);
    });
    try {
      return Float32Array.from((await result.data()) as Float32Array);
    } finally {
      result.dispose();
    }
  }

  /** Frees the backend tensors. */
  dispose(): void {
    for (const layer of this.tensors ?? []) {
      layer.weights.dispose();
      layer.bias.dispose();
    }
    this.tensors = undefined;
  }
}
