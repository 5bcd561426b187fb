import type { Controller } from '../controller/controller.js';
import { RoutedChatCompletionStream } from '../controller/routed-stream.js';
import { InvalidInputError, ProviderError } from '../errors.js';
import { readJsonBody } from './body.js';
import { modelListEntry, routeAmongModels } from './model-routes.js';
import type { OpenAIErrorBody } from './error-body.js';
import { jsonReply, type HandlerReply, type HandlerRequest } from './exchange.js';
import type { ResolvedHandlerOptions } from './handler-options.js';
import type { ServerMetrics } from './metrics.js';
import { recordRouting, recordUsage, type RequestRecord } from './request-record.js';
import { SSE_HEADERS, sseEvents } from './sse.js';
import type { TrafficLog } from './traffic-log.js';

/** What the routes share. */
export interface RouteContext {
  controller: Controller;
  options: ResolvedHandlerOptions;
  metrics?: ServerMetrics;
  /** The traffic log, with `logDir`. */
  traffic?: TrafficLog;
  /** The OpenAI error body of an error (redacted); also fills the record's `error`. */
  errorBody(error: unknown, record: RequestRecord): OpenAIErrorBody;
}

/** A route: answers one request and fills its record. */
export type Route = (context: RouteContext, request: HandlerRequest, record: RequestRecord) => Promise<HandlerReply> | HandlerReply;

async function readObject(context: RouteContext, request: HandlerRequest): Promise<Record<string, unknown>> {
  const body = await readJsonBody(request.body, request.header('content-length'), context.options.maxBodyBytes);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidInputError('request body', 'a JSON object');
  return body as Record<string, unknown>;
}

/** `POST /v1/chat/completions`: JSON, or server-sent events with `stream: true`. */
export const chatCompletions: Route = async (context, request, record) => {
  const body = await readObject(context, request);
  record.stream = body.stream === true;
  const result = await context.controller.chat.completions.create(body as never, { signal: request.signal });
  recordRouting(record, result.routellm);
  const served = context.traffic && context.controller.servedCompletion(result.routellm.id);
  if (served) void context.traffic!.served(served);
  const { routing, upstream } = result.routellm.latency_ms;
  const headers = {
    'server-timing': `routing;dur=${routing.toFixed(3)}, upstream;dur=${upstream.toFixed(3)}, server;dur=${(performance.now() - record.started).toFixed(3)}`,
  };
  if (!(result instanceof RoutedChatCompletionStream)) {
    recordUsage(record, result.usage);
    return jsonReply(200, result, headers);
  }
  const events = sseEvents(
    result,
    (error) => context.errorBody(error, record),
    () => {
      recordUsage(record, result.usage);
      if (result.routellm.cost) record.cost = result.routellm.cost;
    },
  );
  return { status: 200, headers: { ...SSE_HEADERS, ...headers }, body: events };
};

/**
 * `POST /v1/feedback`: `{ "id", "score" }` (score in [0, 1]) or `{ "id", "winner" }` for a served
 * completion; answers the training row, written to the traffic log and (with `learn`) absorbed.
 */
export const feedback: Route = async (context, request, record) => {
  const { id, ...outcome } = await readObject(context, request);
  const { row, learned } = await context.controller.feedback(id as string, outcome as never, { learn: context.options.learn });
  record.router = row.router;
  await context.traffic?.learned(row);
  return jsonReply(200, { object: 'routellm.feedback', id: row.id, winner: row.winner, learned, row });
};

/** `POST /admin/reload`: hot reload of the routers (see `RouteLLMHandler.reload`). */
export function reloadRoute(reload: () => Promise<string[]>): Route {
  return async () => {
    const started = performance.now();
    const routers = await reload();
    return jsonReply(200, { object: 'routellm.reload', routers, ms: Math.round(performance.now() - started) });
  };
}

/** `POST /v1/route`: decisions for `prompts` (or one `prompt`), without a model call. */
export const routePrompts: Route = async (context, request, record) => {
  const body = await readObject(context, request);
  const prompts = body.prompts ?? (body.prompt === undefined ? undefined : [body.prompt]);
  if (!Array.isArray(prompts) || prompts.length === 0) throw new InvalidInputError('prompts', 'a non-empty array of strings (or `prompt`)');
  const limit = context.options.maxRoutePrompts;
  if (prompts.length > limit) throw new InvalidInputError('prompts', `at most ${limit} prompts per request, got ${prompts.length}`);
  if (context.controller.models) return routeAmongModels(context, request, body, prompts as string[], record);
  const { router, threshold } = context.controller.resolveRouting(body);
  record.router = router;
  record.threshold = threshold;
  record.prompts = prompts.length;
  const routingStart = performance.now();
  const results = await context.controller.routeBatch(prompts as string[], router, threshold, { signal: request.signal });
  record.latency_ms.routing = performance.now() - routingStart;
  const strong = results.filter((result) => result.decision === 'strong').length;
  context.metrics?.observeRoute(router, strong, results.length - strong);
  const { strongModel, weakModel } = context.controller;
  return jsonReply(200, {
    object: 'routellm.route',
    router,
    threshold,
    strong_model: strongModel,
    weak_model: weakModel,
    results: results.map(({ strong_win_rate, decision, model }) => ({ strong_win_rate, decision, model })),
  });
};

/** `GET /v1/stats`: the controller's counts since start. */
export const stats: Route = (context) => jsonReply(200, { object: 'routellm.stats', ...context.controller.stats() });

/**
 * `GET /v1/models`: one `router-<name>-<threshold>` id per router with a configured threshold,
 * each of which a chat request can send as it is (routing among N models: the threshold is the knob).
 */
export function modelList(context: RouteContext): Route {
  const created = Math.floor(Date.now() / 1000);
  const data = Object.entries(context.options.thresholds).map(([name, threshold]) => {
    if (context.controller.models) return modelListEntry(context, name, threshold, created);
    // A threshold for a router this controller does not serve fails here, at setup.
    const { router } = context.controller.resolveRouting({ router: name, threshold });
    return { id: `router-${router}-${threshold}`, object: 'model', created, owned_by: 'routellm' };
  });
  const text = JSON.stringify({ object: 'list', data });
  return () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: text });
}

/** The upstream failure kind of an error, for the record (undefined for errors that are not upstream ones). */
export function upstreamKind(error: unknown): string | undefined {
  return ProviderError.isInstance(error) ? error.kind : undefined;
}
