import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import type { ProviderErrorKind } from '../errors.js';
import type { RouteDecision } from '../routers/types.js';
import type { RequestCost } from './accounting.js';

/** A routing decision without a model call (`controller.route()`). */
export interface RouteResult {
  /** The router that scored the prompt. */
  router: string;
  /** The threshold the score was compared with. */
  threshold: number;
  /** The router's probability that the strong model's answer beats the weak one's. */
  strong_win_rate: number;
  /** `'strong'` when `strong_win_rate >= threshold`, else `'weak'`. */
  decision: RouteDecision;
  /** The model id of the chosen side. */
  model: string;
}

/**
 * The routing record attached as `routellm` to every response and every streamed chunk.
 * `model` is the model id that answered (the other side after a fallback).
 */
export interface RoutingRecord extends RouteResult {
  /** The response id (routellm's own, unique; also each streamed chunk's `id`): send it to `feedback()`. */
  id: string;
  /** The id the upstream gave its completion, when it gave one (non-streaming). */
  upstream_id?: string;
  /** Present when the chosen model failed and the other one answered. */
  fallback?: {
    /** The model id that failed. */
    from: string;
    /** The model id that answered instead. */
    to: string;
    /** The failure, as a message (no keys). */
    error: string;
    /** The upstream HTTP status, when it answered. */
    status?: number;
    /** What went wrong (`ProviderError.kind`). */
    kind?: ProviderErrorKind;
  };
  /** With a price table: the request's cost and savings against always-strong (streams: once usage arrived). */
  cost?: RequestCost;
  /**
   * Where the time went, in ms: `routing` (scoring the prompt) and `upstream` (the model call,
   * fallback included; for streams, until the first chunk).
   */
  latency_ms: { routing: number; upstream: number };
}

/**
 * A chat completion with the routing record. When the controller routes among N models
 * (`models`), `routellm` is a `ModelRoutingRecord` instead (tell them apart with `isModelRoutingRecord`).
 */
export type RoutedChatCompletion = ChatCompletion & { routellm: RoutingRecord };
/** A streamed chunk with the routing record. */
export type RoutedChatCompletionChunk = ChatCompletionChunk & { routellm: RoutingRecord };

/** How a request names its router: a `router-<name>-<threshold>` model string, or explicit fields. */
export interface RoutingFields {
  /** `router-<name>-<threshold>`, e.g. `router-mf-0.116`. Ignored when `router` or `threshold` is given. */
  model?: string;
  /** Router name (defaults to the only router when the controller has one). Use with `threshold`. */
  router?: string;
  /** Threshold in [0, 1]. Use with `router`. */
  threshold?: number;
  /** Routing among N models (`models` set): the cost-quality knob in [0, 1]. Use with `router`, instead of `threshold`. */
  knob?: number;
  /** Routing among N models: choose the cheapest model predicted within this margin of the best. Use with `router`. */
  within_best?: number;
  /**
   * Routing among N models: choose among these of the configured `models` only (at least one;
   * one pins the request to that model without scoring). Default: all of them.
   */
  models?: readonly string[];
}

/** Non-streaming parameters: the `openai` client's, with the routing fields. */
export type RoutedCreateParamsNonStreaming = Omit<ChatCompletionCreateParamsNonStreaming, 'model'> & RoutingFields;
/** Streaming parameters: the `openai` client's, with the routing fields. */
export type RoutedCreateParamsStreaming = Omit<ChatCompletionCreateParamsStreaming, 'model'> & RoutingFields;
/** Either form. */
export type RoutedCreateParams = RoutedCreateParamsNonStreaming | RoutedCreateParamsStreaming;

/** Per-request options, as the `openai` client's second argument. */
export interface RoutedRequestOptions {
  /** Aborts routing wait and the upstream request. */
  signal?: AbortSignal;
}
