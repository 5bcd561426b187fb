export { createRouter, ROUTER_NAMES, resolveRouterName } from './routers/registry.js';
export type { RouterName } from './routers/registry.js';
export { parseRouterModel } from './routers/model-string.js';
export type { RouterModel } from './routers/model-string.js';
export { isEmbeddingRouter } from './routers/types.js';
export type { EmbeddingRouter, RouteDecision, Router } from './routers/types.js';
export { BaseRouter } from './routers/base.js';
export { RandomRouter } from './routers/random/index.js';
export type { RandomRouterOptions } from './routers/random/index.js';
export { SwRankingRouter, swRankingRouterOptionsSchema } from './routers/sw-ranking/index.js';
export type { BattleIndex, BattleInput, SwRankingRouterOptions } from './routers/sw-ranking/index.js';
export { buildSwRankingIndex, buildSwRankingIndexOptionsSchema } from './routers/sw-ranking/train.js';
export type { BuildSwRankingIndexOptions, BuildSwRankingIndexResult } from './routers/sw-ranking/train.js';
export { MfRouter, mfRouterOptionsSchema } from './routers/mf/index.js';
export type { MfRouterOptions } from './routers/mf/index.js';
export { mfTrainingOptionsSchema, prepareMfData, trainMf } from './routers/mf/train.js';
export type { MfTrainingEvent, MfTrainingOptions, MfTrainingResult, PreparedMfData } from './routers/mf/train.js';
export { BertHeadRouter, BertOnnxRouter, bertRouterOptionsSchema, createBertRouter, ORIGINAL_LABEL_ORDER } from './routers/bert/index.js';
export type { BertLabel, BertRouterOptions } from './routers/bert/index.js';
export { trainBert, trainBertOptionsSchema } from './routers/bert/train.js';
export type { TrainBertOptions, TrainBertResult } from './routers/bert/train.js';
export { createRidgeRouter, RidgeRouter, ridgeRouterOptionsSchema } from './routers/ridge/index.js';
export type { RidgeRouterOptions } from './routers/ridge/index.js';
export { trainRidge, trainRidgeOptionsSchema } from './routers/ridge/train.js';
export type { TrainRidgeOptions, TrainRidgeResult } from './routers/ridge/train.js';
export {
  CausalLLMRouter,
  causalLLMRouterOptionsSchema,
  createCausalLLMRouter,
  DEFAULT_COMPLETION_FORMAT,
  DEFAULT_SYSTEM_PROMPT,
  DEFAULT_TEMPLATE,
  RATING_LABELS,
} from './routers/causal-llm/index.js';
export type { CausalLLMRouterOptions, CausalLLMRouterStats, ConversationTurn } from './routers/causal-llm/index.js';
export type { Embedder } from './embedders/types.js';
export { createEmbedder, DEFAULT_EMBEDDER, EMBEDDER_NAMES } from './embedders/registry.js';
export type { EmbedderName, EmbedderOptionsByName, EmbedderSpec } from './embedders/registry.js';
export { withDiskCache, defaultEmbeddingCacheDir, embeddingCachePath } from './embedders/disk-cache.js';
export type { DiskCachedEmbedder } from './embedders/disk-cache.js';
export { UseLiteEmbedder, createUseLiteEmbedder, useLiteOptionsSchema } from './embedders/use-lite/index.js';
export type { UseLiteOptions } from './embedders/use-lite/index.js';
export { OpenAIEmbedder, createOpenAIEmbedder, openAIEmbedderOptionsSchema } from './embedders/openai/index.js';
export type { OpenAIEmbedderOptions } from './embedders/openai/index.js';
export { TransformersEmbedder, createTransformersEmbedder, transformersEmbedderOptionsSchema } from './embedders/transformers/index.js';
export type { TransformersEmbedderOptions } from './embedders/transformers/index.js';
export { backendInfo, initBackend } from './core/backend.js';
export type { BackendInfo, BackendPreference } from './core/backend.js';
export {
  BackendError,
  InvalidInputError,
  InvalidModelStringError,
  InvalidOptionsError,
  InvalidThresholdError,
  ProviderError,
  RouteLLMError,
  UnknownModelError,
  UnknownRouterError,
  WeightsError,
} from './errors.js';
export type { WeightsProblem } from './errors.js';
export { DataError } from './data/errors.js';
export type { DataProblem } from './data/errors.js';
export { calibrateThreshold, thresholdFromScores, readCalibrationFile, CALIBRATION_FILE } from './calibration/index.js';
export type { CalibrateOptions, Calibration, CalibrationFile, CalibrationSource } from './calibration/index.js';
export { Controller, RoutedChatCompletionStream, controllerOptionsSchema } from './controller/index.js';
export type {
  ControllerOptions,
  ControllerStats,
  EndpointOptions,
  ModelPrice,
  RequestCost,
  RouteResult,
  RoutedChatCompletion,
  RoutedChatCompletionChunk,
  RoutedCreateParams,
  RoutedCreateParamsNonStreaming,
  RoutedCreateParamsStreaming,
  RoutedRequestOptions,
  RoutingRecord,
} from './controller/index.js';
export { RequestAbortedError } from './providers/errors.js';
export { MissingPeerDependencyError } from './ai-sdk/errors.js';
