/**
 * `routellm/eval`: the evaluation harness (benchmarks, threshold sweep, APGR/CPT metrics, the
 * optimal router, results.json and the SVG plot) and threshold calibration.
 */
export {
  EVAL_BENCHMARKS,
  ORIGINAL_DATA_URL,
  benchmarkCacheDir,
  fetchBenchmarkData,
  loadBenchmarkFile,
  loadEvalBenchmark,
  pairwiseBenchmark,
  resolveBenchmarkName,
} from './benchmarks.js';
export type { EvalBenchmark, EvalBenchmarkName, FetchBenchmarkOptions, LoadEvalBenchmarkOptions, ScoreUnit } from './benchmarks.js';
export {
  apgrCostPoints,
  apgrTrapezoid,
  averageSweeps,
  callPerformanceThreshold,
  curveMetrics,
  meanScore,
  optimalCurve,
  performanceGapRecovered,
  pgrAt,
  quantileEdges,
  thresholdSweep,
} from './metrics.js';
export type { CurveMetrics, SweepInput, SweepPoint } from './metrics.js';
export { evaluateRouters } from './evaluate.js';
export type { EvaluateOptions, EvaluationResult, OptimalEvaluation, RouterEvaluation, RouterSpec } from './evaluate.js';
export { scoreCacheDir, scoreCacheKey, scorePrompts, weightsChecksum } from './scoring.js';
export type { ScorePromptsOptions, ScoringProgress } from './scoring.js';
export { formatResultsTable, toResultsJson } from './report.js';
export type { ResultsJson, ResultsJsonPoint, ResultsJsonRouter } from './report.js';
export { renderPlotSvg } from './plot.js';
export type { PlotOptions } from './plot.js';
export { calibrationFileSchema, CALIBRATION_FILE, readCalibrationFile, thresholdFromScores } from '../calibration/index.js';
export type { CalibrationFile } from '../calibration/index.js';
export { randomNoiseFloor } from './noise-floor.js';
export type { NoiseFloor } from './noise-floor.js';
export { areaMeasure, hullQualityAt, knobGrid, knobSweep, shareAbove, singleModelPoints, singleModelRange, upperHull } from './cost-quality.js';
export type { CostQualityPoint, CostRange, SweepTable } from './cost-quality.js';
export { readNModelTable } from './n-model-table.js';
export type { NModelTable, ReadNModelTableOptions } from './n-model-table.js';
export { parsePrices, readPrices } from './prices.js';
export { evaluateNModels, formatNModelTable } from './evaluate-n-models.js';
export type { CurveEvaluation, EvaluateNModelsOptions, NModelEvaluation, NModelRouterEvaluation, NModelRouterSpec } from './evaluate-n-models.js';
export { renderNModelPlotSvg } from './n-model-plot.js';
export type { NModelPlotOptions } from './n-model-plot.js';
