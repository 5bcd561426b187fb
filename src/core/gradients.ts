/**
 * Gradients of the kernels our trainers differentiate (MF, the classifier heads, weight decay).
 *
 * Why here: `@tensorflow/tfjs-core` registers no gradients; the `@tensorflow/tfjs` umbrella does,
 * but it also brings layers, data and webgl (~200 MB installed) that routellm never runs. Only the
 * kernels a loss of ours passes through are covered; a kernel already registered (by the umbrella,
 * which `@tensorflow/tfjs-node` loads) is left as it is.
 */
import type * as TF from '@tensorflow/tfjs-core';

type Gradient = TF.GradConfig['gradFunc'];

/** Sums `gradient` over the axes `shape` was broadcast along, back to `shape`. */
function unbroadcast(tf: typeof TF, gradient: TF.Tensor, shape: number[]): TF.Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, gradient.shape);
  return axes.length > 0 ? tf.reshape(tf.sum(gradient, axes), shape) : gradient;
}

type PartialDerivative = (dy: TF.Tensor, a: TF.Tensor, b: TF.Tensor) => TF.Tensor;

function binaryGradients(tf: typeof TF, kernelName: string, ofA: PartialDerivative, ofB: PartialDerivative): TF.GradConfig {
  const gradFunc: Gradient = (dy, saved) => {
    const [a, b] = saved;
    return {
      a: () => unbroadcast(tf, ofA(dy as TF.Tensor, a, b), a.shape),
      b: () => unbroadcast(tf, ofB(dy as TF.Tensor, a, b), b.shape),
    };
  };
  return { kernelName, inputsToSave: ['a', 'b'], gradFunc };
}

function unaryGradient(kernelName: string, gradient: (dy: TF.Tensor, x: TF.Tensor) => TF.Tensor): TF.GradConfig {
  return { kernelName, inputsToSave: ['x'], gradFunc: (dy, saved) => ({ x: () => gradient(dy as TF.Tensor, saved[0]) }) };
}

/** d(a x b)/da and /db for each combination of transposes: `da` has a's shape, `db` b's. */
function matMulGradients(tf: typeof TF): TF.GradConfig {
  return {
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved;
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const up = dy as TF.Tensor;
      if (!transposeA && !transposeB) return { a: () => tf.matMul(up, b, false, true), b: () => tf.matMul(a, up, true, false) };
      if (!transposeA) return { a: () => tf.matMul(up, b), b: () => tf.matMul(up, a, true, false) };
      if (!transposeB) return { a: () => tf.matMul(b, up, false, true), b: () => tf.matMul(a, up) };
      return { a: () => tf.matMul(b, up, true, true), b: () => tf.matMul(up, a, true, true) };
    },
  };
}

function sumGradient(tf: typeof TF): TF.GradConfig {
  return {
    kernelName: tf.Sum,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const { axis } = attrs as unknown as { axis: number | number[] };
      const axes = tf.util.parseAxisParam(axis, x.shape);
      // dy has x's rank with size 1 on the summed axes whether or not keepDims was set.
      const kept = x.shape.map((size, axis) => (axes.includes(axis) ? 1 : size));
      return { x: () => tf.mul(tf.reshape(dy as TF.Tensor, kept), tf.onesLike(x)) };
    },
  };
}

/** The gradient configurations, built against the loaded tfjs-core. */
export function trainingGradients(tf: typeof TF): TF.GradConfig[] {
  return [
    binaryGradients(tf, tf.Add, (dy) => dy, (dy) => dy),
    binaryGradients(tf, tf.Sub, (dy) => dy, (dy) => tf.neg(dy)),
    binaryGradients(tf, tf.Multiply, (dy, _a, b) => tf.mul(dy, b), (dy, a) => tf.mul(dy, a)),
    binaryGradients(tf, tf.RealDiv, (dy, _a, b) => tf.div(dy, b), (dy, a, b) => tf.neg(tf.div(tf.mul(dy, a), tf.square(b)))),
    matMulGradients(tf),
    sumGradient(tf),
    unaryGradient(tf.Neg, (dy) => tf.neg(dy)),
    unaryGradient(tf.Square, (dy, x) => tf.mul(dy, tf.mul(x, 2))),
    unaryGradient(tf.Sqrt, (dy, x) => tf.div(dy, tf.mul(tf.sqrt(x), 2))),
    unaryGradient(tf.Softplus, (dy, x) => tf.mul(dy, tf.sigmoid(x))),
    unaryGradient(tf.Sigmoid, (dy, x) => tf.mul(dy, tf.mul(tf.sigmoid(x), tf.sub(1, tf.sigmoid(x))))),
    unaryGradient(tf.Relu, (dy, x) => tf.mul(dy, tf.cast(tf.greater(x, 0), 'float32'))),
    unaryGradient(tf.Reshape, (dy, x) => tf.reshape(dy, x.shape)),
  ];
}

/** Registers each training gradient that no other package registered first. */
export function registerTrainingGradients(tf: typeof TF): void {
  for (const config of trainingGradients(tf)) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
}
