export { createRng, gaussian, randomInt, sampleIndices, shuffleInPlace, shuffled } from './random.js';
export type { Rng } from './random.js';
export { batchIndices, splitTrainValidation } from './split.js';
export type { Split, SplitOptions } from './split.js';
export { EarlyStopping } from './early-stopping.js';
export type { EarlyStoppingOptions } from './early-stopping.js';
export { ProgressBar } from './progress.js';
export type { ProgressBarOptions } from './progress.js';
