export { backendInfo, initBackend, liveTensorCount, BACKEND_PREFERENCES } from './backend.js';
export type { BackendInfo, BackendPreference } from './backend.js';
export { AdamTrainer, VectorIndex, cosineRows, dense, normalizeRows, project, sigmoid, softmax } from './ops.js';
export type { AdamOptions, DenseLayer, Matrix, ParameterData, SimilarityIndex } from './ops.js';
export { Int8VectorIndex, int8KernelAvailable } from './int8-vector-index.js';
