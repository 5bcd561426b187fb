export { Controller, RoutedChatCompletionStream } from './controller.js';
export type {
  RouteResult,
  RoutedChatCompletion,
  RoutedChatCompletionChunk,
  RoutedCreateParams,
  RoutedCreateParamsNonStreaming,
  RoutedCreateParamsStreaming,
  RoutedRequestOptions,
  RoutingRecord,
} from './controller.js';
export { controllerOptionsSchema } from './options.js';
export type { ControllerOptions, EndpointOptions, ModelPrice, ResolvedControllerOptions } from './options.js';
export type { ControllerStats, ModelCounts, RequestCost, RouterCounts } from './accounting.js';
