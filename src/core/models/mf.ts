/**
 * The matrix-factorisation (MF) router model of RouteLLM:
 *   s(M, q) = w^T ( normalize(v_M) ⊙ (W^T e_q) ),   strong win rate = sigmoid(s(strong, q) - s(weak, q))
 * with model embeddings v (numModels x dim), a text projection W (textDim x dim, no bias) and a
 * classifier w (dim, no bias). Scoring a fixed pair folds into one vector u = W ((n_s - n_w) ⊙ w),
 * so a prompt costs one dot product (plain JS, float64 sums). Training uses tfjs (Adam, pairwise
 * BCE, Gaussian noise on the prompt embedding); model lookups are one-hot matrix products because
 * the gradient of `gather` is not available on the wasm backend.
 */
import { createRng, gaussian, type Rng } from '../../train/random.js';
import type * as TF from '@tensorflow/tfjs-core';
import { getTf, loadedTf } from '../backend.js';
import { AdamTrainer, normalizeRows, type ParameterData } from '../ops.js';

/** The learned parameters, row-major. */
export interface MfParameters {
  numModels: number;
  textDim: number;
  dim: number;
  /** numModels x dim, raw (L2-normalised at use). */
  modelEmbeddings: Float32Array;
  /** textDim x dim. */
  projection: Float32Array;
  /** dim. */
  classifier: Float32Array;
}

/** Sizes of a fresh model. */
export interface MfShape {
  numModels: number;
  textDim: number;
  dim: number;
}

/** Checks that the arrays of `parameters` have the sizes its shape says; throws a RangeError naming the first that does not. */
export function assertMfParameters(parameters: MfParameters): void {
  const { numModels, textDim, dim } = parameters;
  const expected: [string, number, number][] = [
    ['modelEmbeddings', parameters.modelEmbeddings.length, numModels * dim],
    ['projection', parameters.projection.length, textDim * dim],
    ['classifier', parameters.classifier.length, dim],
  ];
  for (const [name, actual, wanted] of expected) {
    if (actual !== wanted) throw new RangeError(`MF ${name}: ${actual} values, expected ${wanted} (models ${numModels}, text ${textDim}, dim ${dim})`);
  }
}

/**
 * Random initial parameters as torch initialises the original: model embeddings N(0, 1), the
 * projection and classifier uniform in ±1/sqrt(fan in). Reproducible for a seed.
 */
export function initMfParameters(shape: MfShape, seed = 0): MfParameters {
  const rng = createRng(seed);
  const uniform = (count: number, bound: number) => Float32Array.from({ length: count }, () => (rng() * 2 - 1) * bound);
  return {
    ...shape,
    modelEmbeddings: Float32Array.from({ length: shape.numModels * shape.dim }, () => gaussian(rng)),
    projection: uniform(shape.textDim * shape.dim, 1 / Math.sqrt(shape.textDim)),
    classifier: uniform(shape.dim, 1 / Math.sqrt(shape.dim)),
  };
}

/**
 * The folded pair vector u = W ((n_strong - n_weak) ⊙ w) of length textDim: the strong win rate
 * of a prompt embedding e is sigmoid(e · u).
 */
export function foldMfPair(parameters: MfParameters, strong: number, weak: number): Float32Array {
  const { numModels, textDim, dim } = parameters;
  for (const index of [strong, weak]) {
    if (!Number.isInteger(index) || index < 0 || index >= numModels) throw new RangeError(`MF model index ${index} outside [0, ${numModels})`);
  }
  const normalized = normalizeRows(parameters.modelEmbeddings, dim);
  const combined = new Float64Array(dim);
  for (let k = 0; k < dim; k++) {
    combined[k] = (normalized[strong * dim + k] - normalized[weak * dim + k]) * parameters.classifier[k];
  }
  const folded = new Float32Array(textDim);
  for (let i = 0; i < textDim; i++) {
    let sum = 0;
    const row = i * dim;
    for (let k = 0; k < dim; k++) sum += parameters.projection[row + k] * combined[k];
    folded[i] = sum;
  }
  return folded;
}

/** sigmoid(e_i · u) for `count` row-major embeddings of length u.length. */
export function scoreFolded(folded: Float32Array, embeddings: Float32Array, count: number): Float32Array {
  const textDim = folded.length;
  if (embeddings.length !== count * textDim) {
    throw new RangeError(`MF scoring: expected ${count * textDim} embedding values (${count} x ${textDim}), got ${embeddings.length}`);
  }
  const out = new Float32Array(count);
  for (let row = 0; row < count; row++) {
    let logit = 0;
    const offset = row * textDim;
    for (let i = 0; i < textDim; i++) logit += embeddings[offset + i] * folded[i];
    out[row] = 1 / (1 + Math.exp(-logit));
  }
  return out;
}

/**
 * The unfolded model: s(M, q) for every model and prompt (count x numModels, row-major), computed
 * step by step. Slow; for tests and inspection.
 */
export function mfModelScores(parameters: MfParameters, embeddings: Float32Array, count: number): Float32Array {
  const { numModels, textDim, dim } = parameters;
  const normalized = normalizeRows(parameters.modelEmbeddings, dim);
  const out = new Float32Array(count * numModels);
  const projected = new Float64Array(dim);
  for (let row = 0; row < count; row++) {
    projected.fill(0);
    for (let i = 0; i < textDim; i++) {
      const value = embeddings[row * textDim + i];
      for (let k = 0; k < dim; k++) projected[k] += value * parameters.projection[i * dim + k];
    }
    for (let model = 0; model < numModels; model++) {
      let score = 0;
      for (let k = 0; k < dim; k++) score += parameters.classifier[k] * normalized[model * dim + k] * projected[k];
      out[row * numModels + model] = score;
    }
  }
  return out;
}

/** Pairwise training examples over a table of prompt embeddings. */
export interface MfExamples {
  /** Prompt embeddings, row-major, `textDim` floats each. */
  embeddings: Float32Array;
  textDim: number;
  /** Per example: the row of its prompt in `embeddings`. */
  prompt: Int32Array;
  /** Per example: index of the winning model. */
  winner: Int32Array;
  /** Per example: index of the losing model. */
  loser: Int32Array;
  /** Per example: weight in the loss (default 1). */
  weight?: Float32Array;
}

/** Options of `MfTrainer`. */
export interface MfTrainerOptions {
  /** Adam learning rate. */
  learningRate: number;
  /** L2 penalty (torch Adam `weight_decay`). */
  weightDecay: number;
  /** Std of the Gaussian noise added to each prompt embedding during training. */
  noiseStd: number;
  /** Seed of the noise. */
  seed: number;
}

/** Loss and accuracy on a set of examples. */
export interface MfEvaluation {
  /** Weighted mean BCE (no noise, no weight decay). */
  loss: number;
  /** Weighted share of examples where the winner scores higher. */
  accuracy: number;
  count: number;
}

type VariableName = 'modelEmbeddings' | 'projection' | 'classifier';

/**
 * Trains MF parameters with Adam. A batch is a set of prompts with all their examples: each
 * prompt is projected once per step (with fresh noise), then every battle of it contributes
 * BCE(sigmoid(w^T((n_win - n_lose) ⊙ W^T(e + noise))), 1), weighted.
 */
export class MfTrainer {
  private readonly rng: Rng;

  private constructor(
    private readonly trainer: AdamTrainer<VariableName>,
    readonly shape: MfShape,
    private readonly options: MfTrainerOptions,
  ) {
    this.rng = createRng(options.seed);
  }

  /** Makes the variables on the tensor backend from `initial`. */
  static async create(initial: MfParameters, options: MfTrainerOptions): Promise<MfTrainer> {
    assertMfParameters(initial);
    const { numModels, textDim, dim } = initial;
    const trainer = await AdamTrainer.create<VariableName>(
      {
        modelEmbeddings: { data: initial.modelEmbeddings, shape: [numModels, dim] },
        projection: { data: initial.projection, shape: [textDim, dim] },
        classifier: { data: initial.classifier, shape: [dim, 1] },
      },
      { learningRate: options.learningRate, weightDecay: options.weightDecay },
    );
    return new MfTrainer(trainer, { numModels, textDim, dim }, options);
  }

  /**
   * One optimisation step on the examples of `prompts` (rows of `examples.embeddings`), whose
   * example indices are `byPrompt.get(prompt)`. Returns the batch loss (with weight decay).
   */
  step(examples: MfExamples, prompts: Int32Array, byPrompt: ReadonlyMap<number, readonly number[]>): number {
    const { numModels, textDim } = this.shape;
    const batch = prompts.length;
    const inputs = new Float32Array(batch * textDim);
    const noise = this.options.noiseStd;
    let exampleCount = 0;
    for (const prompt of prompts) exampleCount += byPrompt.get(prompt)?.length ?? 0;
    if (exampleCount === 0) return 0;
    const select = new Float32Array(exampleCount * batch);
    const difference = new Float32Array(exampleCount * numModels);
    const weights = new Float32Array(exampleCount);
    let row = 0;
    let weightSum = 0;
    for (let b = 0; b < batch; b++) {
      const prompt = prompts[b];
      const source = prompt * textDim;
      for (let i = 0; i < textDim; i++) {
        inputs[b * textDim + i] = examples.embeddings[source + i] + (noise > 0 ? noise * gaussian(this.rng) : 0);
      }
      for (const example of byPrompt.get(prompt) ?? []) {
        select[row * batch + b] = 1;
        difference[row * numModels + examples.winner[example]] += 1;
        difference[row * numModels + examples.loser[example]] -= 1;
        const weight = examples.weight ? examples.weight[example] : 1;
        weights[row] = weight;
        weightSum += weight;
        row++;
      }
    }
    if (weightSum <= 0) return 0;
    for (let i = 0; i < weights.length; i++) weights[i] /= weightSum;
    const tf = loadedTf();
    return this.trainer.step((variables) => {
      const x = tf.tensor2d(inputs, [batch, textDim]);
      const projected = tf.matMul(tf.tensor2d(select, [exampleCount, batch]), tf.matMul(x, variables.projection));
      const embeddings = variables.modelEmbeddings;
      const normalized = tf.div(embeddings, tf.sqrt(tf.add(tf.sum(tf.square(embeddings), 1, true), 1e-12)));
      const modelDifference = tf.matMul(tf.tensor2d(difference, [exampleCount, numModels]), normalized);
      const logits = tf.reshape(tf.matMul(tf.mul(modelDifference, projected), variables.classifier), [exampleCount]);
      return tf.sum(tf.mul(tf.tensor1d(weights), tf.softplus(tf.neg(logits)))) as TF.Scalar;
    });
  }

  /** The current parameters as plain arrays. */
  parameters(): MfParameters {
    const snapshot: Record<VariableName, ParameterData> = this.trainer.snapshot();
    return {
      ...this.shape,
      modelEmbeddings: snapshot.modelEmbeddings.data,
      projection: snapshot.projection.data,
      classifier: snapshot.classifier.data,
    };
  }

  /** Frees the variables and optimiser state. */
  dispose(): void {
    this.trainer.dispose();
  }
}

/**
 * Loss and accuracy of `parameters` on `examples` (only the examples listed in `indices`, default
 * all), without noise: each distinct prompt is projected once, on the tensor backend.
 */
export async function evaluateMf(parameters: MfParameters, examples: MfExamples, indices?: readonly number[]): Promise<MfEvaluation> {
  const { textDim, dim } = parameters;
  const chosen = indices ?? Array.from({ length: examples.prompt.length }, (_, i) => i);
  if (chosen.length === 0) return { loss: Number.NaN, accuracy: Number.NaN, count: 0 };
  const prompts = [...new Set(chosen.map((i) => examples.prompt[i]))];
  const rowOf = new Map(prompts.map((prompt, row) => [prompt, row]));
  const inputs = new Float32Array(prompts.length * textDim);
  prompts.forEach((prompt, row) => inputs.set(examples.embeddings.subarray(prompt * textDim, (prompt + 1) * textDim), row * textDim));
  const tf = await getTf();
  const result = tf.tidy(() => tf.matMul(tf.tensor2d(inputs, [prompts.length, textDim]), tf.tensor2d(parameters.projection, [textDim, dim])));
  let projected: Float32Array;
  try {
    projected = (await result.data()) as Float32Array;
  } finally {
    result.dispose();
  }
  const normalized = normalizeRows(parameters.modelEmbeddings, dim);
  let loss = 0;
  let correct = 0;
  let total = 0;
  for (const example of chosen) {
    const row = rowOf.get(examples.prompt[example])!;
    const winner = examples.winner[example] * dim;
    const loser = examples.loser[example] * dim;
    let logit = 0;
    for (let k = 0; k < dim; k++) logit += parameters.classifier[k] * (normalized[winner + k] - normalized[loser + k]) * projected[row * dim + k];
    const weight = examples.weight ? examples.weight[example] : 1;
    loss += weight * (logit > 0 ? Math.log1p(Math.exp(-logit)) : -logit + Math.log1p(Math.exp(logit)));
    if (logit > 0) correct += weight;
    total += weight;
  }
  return { loss: loss / total, accuracy: correct / total, count: chosen.length };
}
