/**
 * routellm: what an application uses to route. Trainers and their schemas are in `routellm/train`,
 * the evaluation harness and calibration internals in `routellm/eval`, the OpenAI-compatible server
 * and the controller's schema in `routellm/server`.
 */
export { createRouter, ROUTER_NAMES, resolveRouterName, routerDefinition } from './routers/registry.js';
export type { CheckedRouterName, RouterName, RouterOptionsFor, RouterSpelling } from './routers/registry.js';
export type { RouterDefinition, TrainerDefinition } from './routers/definition.js';
export { parseRouterModel } from './routers/model-string.js';
export type { RouterModel } from './routers/model-string.js';
export { isEmbeddingRouter, isPairRouter } from './routers/types.js';
export type { EmbeddingRouter, PairRouter, RouteDecision, Router } from './routers/types.js';
export { BaseRouter } from './routers/base.js';
export { createRandomRouter } from './routers/random/index.js';
export type { RandomRouter, RandomRouterOptions } from './routers/random/index.js';
export { createMfRouter } from './routers/mf/index.js';
export type { MfRouter, MfRouterOptions } from './routers/mf/index.js';
export { createSwRankingRouter } from './routers/sw_ranking/index.js';
export type { SwRankingRouter, SwRankingRouterOptions } from './routers/sw_ranking/index.js';
export { createBertRouter } from './routers/bert/index.js';
export type { BertHeadRouter, BertLabel, BertOnnxRouter, BertRouterOptions } from './routers/bert/index.js';
export { createRidgeRouter } from './routers/ridge/index.js';
export type { RidgeRouter, RidgeRouterOptions } from './routers/ridge/index.js';
export { createCausalLLMRouter } from './routers/causal_llm/index.js';
export type { CausalLLMRouter, CausalLLMRouterOptions, CausalLLMRouterStats, ConversationTurn } from './routers/causal_llm/index.js';
export { createQualityRouter } from './routers/quality/index.js';
export type { QualityRouter, QualityRouterOptions } from './routers/quality/index.js';
export type { Embedder } from './embedders/types.js';
export { createEmbedder, DEFAULT_EMBEDDER, EMBEDDER_NAMES } from './embedders/registry.js';
export type { EmbedderName, EmbedderOptionsByName, EmbedderSpec } from './embedders/registry.js';
export { withDiskCache } from './embedders/disk-cache.js';
export { withMicroBatching } from './embedders/micro-batch.js';
export type { MicroBatchOptions } from './embedders/micro-batch.js';
export type { DiskCachedEmbedder } from './embedders/disk-cache.js';
export { createUseLiteEmbedder } from './embedders/use-lite/index.js';
export type { UseLiteOptions } from './embedders/use-lite/index.js';
export { createOpenAIEmbedder } from './embedders/openai/index.js';
export type { OpenAIEmbedderOptions } from './embedders/openai/index.js';
export { createTransformersEmbedder } from './embedders/transformers/index.js';
export type { TransformersEmbedderOptions } from './embedders/transformers/index.js';
export { backendInfo, initBackend } from './core/backend.js';
export type { BackendInfo, BackendPreference } from './core/backend.js';
export {
  BackendError,
  FallbackFailedError,
  InvalidInputError,
  InvalidModelStringError,
  InvalidOptionsError,
  InvalidThresholdError,
  MissingPeerDependencyError,
  ProviderError,
  RouteLLMError,
  UnknownModelError,
  UnknownRouterError,
  WeightsError,
} from './errors.js';
export type { FailedAttempt, WeightsProblem } from './errors.js';
export { DataError } from './data/errors.js';
export type { DataProblem } from './data/errors.js';
export { calibrateThreshold } from './calibration/index.js';
export type { CalibrateOptions, Calibration, CalibrationSource } from './calibration/index.js';
export { Controller, isModelRoutingRecord, UnknownCompletionError } from './controller/index.js';
export type {
  ControllerOptions,
  ModelRouteResult,
  ModelRouting,
  ModelRoutingFields,
  ModelRoutingRecord,
  ControllerStats,
  EndpointOptions,
  FeedbackOutcome,
  FeedbackRow,
  ModelPrice,
  RequestCost,
  RouteResult,
  RoutedChatCompletion,
  RoutedChatCompletionChunk,
  RoutedChatCompletionStream,
  RoutedCreateParams,
  RoutedCreateParamsNonStreaming,
  RoutedCreateParamsStreaming,
  RoutedRequestOptions,
  RoutingRecord,
} from './controller/index.js';
export { RequestAbortedError } from './providers/errors.js';
export type { AnthropicClientLike } from './providers/types.js';
