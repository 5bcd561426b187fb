export { backendInfo, initBackend, liveTensorCount, BACKEND_PREFERENCES } from './backend.js';
export type { BackendInfo, BackendPreference } from './backend.js';
export { AdamTrainer, VectorIndex, cosineRows, dense, normalizeRows, project, sigmoid, softmax } from './ops.js';
export type { AdamOptions, DenseLayer, Matrix, ParameterData } from './ops.js';
