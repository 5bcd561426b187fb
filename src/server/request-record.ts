import type { CompletionUsage } from 'openai/resources/completions';
import type { RequestCost } from '../controller/accounting.js';
import { isModelRoutingRecord, type ModelRoutingRecord } from '../controller/model-choice.js';
import type { RoutingRecord } from '../controller/types.js';

/** What the handler knows about one request once it is answered: the source of its log line and metrics. */
export interface RequestRecord {
  /** The client's `x-request-id` when it sent a usable one, else a new one; echoed in the reply. */
  request_id: string;
  method: string;
  path: string;
  /** HTTP status sent (streams: 200 even when an error event ended them; see `error`). */
  status: number;
  /** Router, threshold and decision (chat and route requests that got that far). */
  router?: string;
  threshold?: number;
  decision?: string;
  strong_win_rate?: number;
  /** Routing among N models: the cost-quality knob or the within-best margin the request named (exact, as sent). */
  knob?: number;
  within_best?: number;
  /** Routing among N models: the models it chose among (all configured ones, or the request's subset). */
  models?: string[];
  /** Routing among N models: the model the policy chose (`model` differs after a fallback). */
  chosen?: string;
  /** The model that answered (the other one after a fallback). */
  model?: string;
  fallback?: RoutingRecord['fallback'];
  stream?: boolean;
  /** Prompts scored by a `/v1/route` request. */
  prompts?: number;
  tokens?: { prompt: number; completion: number };
  cost?: RequestCost;
  /** Time in ms: routing (scoring), upstream (the model call; streams: to the first chunk), total. */
  latency_ms: { routing?: number; upstream?: number; total: number };
  /** The client left before the answer was complete. */
  aborted?: boolean;
  /** Why the request failed: the error's type and code, its upstream kind, and its (redacted) message. */
  error?: { type: string; code: string | null; kind?: string; message: string };
  /** `performance.now()` at arrival (not logged). */
  started: number;
}

/** Copies a routing record's fields (of either kind of routing) into a request record. */
export function recordRouting(record: RequestRecord, routing: RoutingRecord | ModelRoutingRecord): void {
  record.router = routing.router;
  if (isModelRoutingRecord(routing)) {
    if (routing.knob !== undefined) record.knob = routing.knob;
    if (routing.within_best !== undefined) record.within_best = routing.within_best;
    record.models = routing.models;
    record.chosen = routing.chosen;
  } else {
    record.threshold = routing.threshold;
    record.decision = routing.decision;
    record.strong_win_rate = routing.strong_win_rate;
  }
  record.model = routing.model;
  record.latency_ms.routing = routing.latency_ms.routing;
  record.latency_ms.upstream = routing.latency_ms.upstream;
  if (routing.fallback) record.fallback = routing.fallback;
  if (routing.cost) record.cost = routing.cost;
}

/** Copies usage counts into a request record. */
export function recordUsage(record: RequestRecord, usage: CompletionUsage | undefined): void {
  if (usage) record.tokens = { prompt: usage.prompt_tokens, completion: usage.completion_tokens };
}
