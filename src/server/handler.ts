import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Registry } from 'prom-client';
import type { Controller } from '../controller/controller.js';
import { inSpan } from '../controller/request-path.js';
import { parseOptions } from '../options.js';
import { RequestAbortedError } from '../providers/errors.js';
import { fetchHandler, nodeHandler, type NodeHandler } from './adapters.js';
import { bearerCheck, makeRedactor } from './auth.js';
import { errorResponse, HttpError, type OpenAIErrorBody } from './error-body.js';
import { jsonReply, type HandlerReply, type HandlerRequest } from './exchange.js';
import { handlerOptionsSchema, type HandlerOptions } from './handler-options.js';
import { ServerMetrics } from './metrics.js';
import { createRequestLogger, logRequest } from './request-log.js';
import type { RequestRecord } from './request-record.js';
import { TrafficLog } from './traffic-log.js';
import { chatCompletions, feedback, modelList, reloadRoute, routePrompts, stats, upstreamKind, type Route, type RouteContext } from './routes.js';

/** Request-record fields put on the request span as `routellm.<field>` (the routing, as the log line has it; never prompts or keys). */
const SPAN_FIELDS = ['router', 'model', 'decision', 'knob', 'within_best', 'models', 'chosen'] as const satisfies readonly (keyof RequestRecord)[];

/** The routes as a handler any server can mount. */
export interface RouteLLMHandler {
  /** The web-standard form: `Request -> Response` (Hono, Bun, Deno, service workers). */
  fetch(request: Request): Promise<Response>;
  /**
   * The node:http form, also an Express middleware: paths it does not serve go to `next` when
   * given, else get 404.
   */
  node: NodeHandler;
  /** The core: one request in, one reply out (adapters write it). Never rejects. */
  handle(request: HandlerRequest): Promise<HandlerReply>;
  /** True for `/health`, `/metrics` and `/v1/*` (the paths this handler answers). */
  serves(path: string): boolean;
  /** The Prometheus registry behind `GET /metrics` (merge it into an application's own with `Registry.merge`). */
  readonly metrics: Registry | undefined;
  /**
   * Hot reload (also `POST /admin/reload`): builds new routers (the `reload` option, else the
   * controller's routers given by name, read again) and swaps them in without dropping a request;
   * reloads run one at a time. Resolves with the names reloaded.
   */
  reload(): Promise<string[]>;
  /** Set by a server that is shutting down: `/health` says so and replies ask to close the connection. */
  shuttingDown: boolean;
}

/** A request id from the client's `x-request-id` when it is short and plain, else a new one. */
function requestId(given: string | undefined): string {
  return given !== undefined && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

/** Runs `onDone` after the last event of a streamed body, or when the reader stops early. */
async function* finishing(events: AsyncIterable<string>, onDone: () => void): AsyncGenerator<string> {
  try {
    yield* events;
  } finally {
    onDone();
  }
}

/**
 * The routes of the OpenAI-compatible server as a mountable handler over a `Controller`:
 * `POST /v1/chat/completions`, `POST /v1/route`, `POST /v1/feedback`, `GET /v1/models`, `GET /v1/stats`,
 * `GET /metrics`, `GET /health`, `POST /admin/reload`. Every request gets one structured log line (at `info`) and counts in the metrics;
 * errors are OpenAI-shaped bodies with the statuses the README lists. The controller stays the
 * caller's: the handler never disposes it.
 *
 * ```ts
 * const handler = createHandler(controller, { authToken: process.env.ROUTELLM_TOKEN });
 * http.createServer(handler.node).listen(6060);          // node:http
 * expressApp.use('/llm', handler.node);                    // Express
 * honoApp.mount('/llm', handler.fetch);                    // Hono (any fetch-style server)
 * ```
 */
export function createHandler(controller: Controller, options: HandlerOptions = {}): RouteLLMHandler {
  const resolved = parseOptions(handlerOptionsSchema, options, 'handler options');
  const redact = makeRedactor([
    resolved.authToken,
    ...resolved.secrets,
    process.env.OPENAI_API_KEY,
    process.env.ANTHROPIC_API_KEY,
    ...Object.values(controller.options.endpoints).map((endpoint) => endpoint.apiKey),
  ]);
  const authorized = bearerCheck(resolved.authToken);
  const logger = createRequestLogger(resolved);
  const metrics = resolved.metrics ? new ServerMetrics(resolved.processMetrics) : undefined;
  const describeError = (error: unknown, record: RequestRecord): { status: number; body: OpenAIErrorBody } => {
    const response = errorResponse(error, redact);
    const { type, code, message } = response.body.error;
    record.error = { type, code, kind: upstreamKind(error), message };
    return response;
  };
  const traffic = resolved.logDir === undefined ? undefined : new TrafficLog(resolved.logDir, { maxBytes: resolved.logMaxBytes, maxFiles: resolved.logMaxFiles });
  const context: RouteContext = { controller, options: resolved, metrics, traffic, errorBody: (error, record) => describeError(error, record).body };
  let reloading: Promise<unknown> = Promise.resolve();
  const reload = (): Promise<string[]> => {
    const run = reloading.then(async () => controller.reload(resolved.reload ? await resolved.reload() : undefined));
    reloading = run.catch(() => undefined);
    return run;
  };
  const routes: Record<string, { method: string; run: Route }> = {
    '/admin/reload': { method: 'POST', run: reloadRoute(reload) },
    '/v1/chat/completions': { method: 'POST', run: chatCompletions },
    '/v1/route': { method: 'POST', run: routePrompts },
    '/v1/feedback': { method: 'POST', run: feedback },
    '/v1/models': { method: 'GET', run: modelList(context) },
    '/v1/stats': { method: 'GET', run: stats },
  };
  const handler: RouteLLMHandler = {
    shuttingDown: false,
    reload,
    metrics: metrics?.registry,
    serves: (path) => path === '/health' || path === '/metrics' || path.startsWith('/v1/') || path.startsWith('/admin/'),
    fetch: (request) => fetchHandler(handler, request),
    node: (request: http.IncomingMessage, response: http.ServerResponse, next?: (error?: unknown) => void) =>
      nodeHandler(handler, request, response, next),
    handle: async (request) => {
      const record: RequestRecord = {
        request_id: requestId(request.header('x-request-id')),
        method: request.method,
        path: request.path,
        status: 0,
        latency_ms: { total: 0 },
        started: performance.now(),
      };
      const reply = await inSpan('routellm.request', { 'http.request.method': request.method, 'url.path': request.path }, async (span) => {
        const result = await answer(request, record).catch((error: unknown) => failure(error, record));
        span.setAttribute('http.response.status_code', result.status);
        for (const field of SPAN_FIELDS) {
          const value = record[field];
          if (value !== undefined) span.setAttribute(`routellm.${field}`, value);
        }
        return result;
      });
      record.status = reply.status;
      reply.headers['x-request-id'] = record.request_id;
      if (handler.shuttingDown) reply.headers.connection = 'close';
      const done = () => {
        record.latency_ms.total = performance.now() - record.started;
        if (request.signal.aborted) record.aborted = true;
        metrics?.observe(record);
        logRequest(logger, record);
      };
      if (typeof reply.body === 'string') done();
      else reply.body = finishing(reply.body, done);
      return reply;
    },
  };

  const answer = async (request: HandlerRequest, record: RequestRecord): Promise<HandlerReply> => {
    const { path, method } = request;
    if (path === '/health') {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `Method ${method} not allowed on ${path}.`, 'invalid_request_error', 'method_not_allowed');
      return jsonReply(200, { status: handler.shuttingDown ? 'shutting_down' : 'online' });
    }
    if (path.startsWith('/admin/') && resolved.authToken === undefined) {
      throw new HttpError(403, `${path} needs the server to have an auth token (authToken, --auth-token).`, 'invalid_request_error', 'admin_disabled');
    }
    if ((path.startsWith('/v1/') || path === '/metrics' || path.startsWith('/admin/')) && !authorized(request.header('authorization'))) {
      throw new HttpError(401, 'Missing or invalid bearer token.', 'invalid_request_error', 'invalid_api_key');
    }
    if (path === '/metrics' && metrics) {
      if (method !== 'GET') throw new HttpError(405, `Method ${method} not allowed on ${path}; use GET.`, 'invalid_request_error', 'method_not_allowed');
      return { status: 200, headers: { 'content-type': metrics.registry.contentType }, body: await metrics.registry.metrics() };
    }
    const target = routes[path];
    if (!target) throw new HttpError(404, `No route for ${method} ${path}.`, 'invalid_request_error', 'not_found');
    if (target.method !== method) {
      throw new HttpError(405, `Method ${method} not allowed on ${path}; use ${target.method}.`, 'invalid_request_error', 'method_not_allowed');
    }
    return target.run(context, request, record);
  };

  const failure = (error: unknown, record: RequestRecord): HandlerReply => {
    if (RequestAbortedError.isInstance(error)) {
      // The client has gone: nobody reads this reply; 499 is what the log and metrics say.
      return jsonReply(499, { error: { message: 'The client closed the request.', type: 'invalid_request_error', param: null, code: 'client_closed' } });
    }
    const { status, body } = describeError(error, record);
    const headers: Record<string, string> = status === 401 ? { 'www-authenticate': 'Bearer' } : {};
    // The rest of a body over the limit is never read: the connection cannot carry another request.
    if (status === 413) headers.connection = 'close';
    return jsonReply(status, body, headers);
  };

  return handler;
}
