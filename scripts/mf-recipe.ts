/**
 * The shipped mf training configuration (lowest validation loss of the sweep recorded in
 * scripts/build-mf-weights.ts), shared by that script and the mf experiments.
 */
export const MF_RECIPE = {
  dim: 64,
  learningRate: 1e-3,
  weightDecay: 1e-5,
  noiseStd: 0.03,
  batchSize: 64,
  maxPairsPerPrompt: 10,
  sourceWeights: {} as Record<string, number>,
};
