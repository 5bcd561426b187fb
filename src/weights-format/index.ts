export { cacheDir, defaultDataDir, packageRoot, shippedWeightsDir } from './paths.js';
export {
  MANIFEST_FILE,
  WEIGHTS_FORMAT_VERSION,
  asFloat32,
  checkEmbedder,
  quantizeInt8,
  readManifest,
  readWeights,
  writeWeights,
} from './weights.js';
export type {
  DataSourceInfo,
  EmbedderInfo,
  LoadedWeights,
  ReadWeightsOptions,
  TensorData,
  TensorDtype,
  TensorEntry,
  WeightsManifest,
  WriteWeightsInput,
} from './weights.js';
