export { Controller, RoutedChatCompletionStream, ROUTE_BATCH_CHUNK } from './controller.js';
export type { RouteBatchOptions } from './controller.js';
export type {
  RouteResult,
  RoutedChatCompletion,
  RoutedChatCompletionChunk,
  RoutedCreateParams,
  RoutedCreateParamsNonStreaming,
  RoutedCreateParamsStreaming,
  RoutedRequestOptions,
  RoutingRecord,
} from './types.js';
export { controllerOptionsSchema } from './options.js';
export type { ControllerOptions, EndpointOptions, ModelPrice, ResolvedControllerOptions } from './options.js';
export type { ControllerStats, ModelCounts, RequestCost, RouterCounts } from './accounting.js';
export { feedbackWinner, UnknownCompletionError } from './feedback.js';
export type { FeedbackOutcome, FeedbackRow, ServedCompletion } from './feedback.js';
export { isModelRoutingRecord } from './model-choice.js';
export type { ModelRouteResult, ModelRoutingRecord } from './model-choice.js';
export type { ModelRouting, ModelRoutingFields } from './model-routing.js';
