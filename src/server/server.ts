import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { Controller, RoutedChatCompletionStream } from '../controller/controller.js';
import type { ControllerOptions, EndpointOptions } from '../controller/options.js';
import { InvalidInputError } from '../errors.js';
import { parseOptions } from '../options.js';
import { RequestAbortedError } from '../providers/errors.js';
import { createNodeFetch, type NodeFetch } from '../providers/node-fetch.js';
import { serverConfigSchema, type ResolvedServerConfig, type ServerConfig } from './config.js';
import { errorResponse, HttpError } from './error-body.js';

/** A running server. */
export interface RunningServer {
  /** `http://<host>:<port>` */
  readonly url: string;
  readonly host: string;
  /** The bound port (the real one when the config asked for 0). */
  readonly port: number;
  /** The controller behind the server (its `stats()` count every request). */
  readonly controller: Controller;
  /** Requests being answered now. */
  inFlight(): number;
  /**
   * Graceful shutdown: stops accepting connections, lets requests in flight finish (up to
   * `shutdownTimeoutMs`, then cuts them), disposes the routers the server built.
   */
  close(): Promise<void>;
}

/** Controller options for a server config: `baseURL` binds both models unless they have their own endpoint. */
export function controllerOptionsFor(config: ResolvedServerConfig, fetchImpl?: typeof fetch): ControllerOptions {
  const endpoints: Record<string, EndpointOptions> = { ...config.endpoints };
  if (config.baseURL) {
    const apiKey = config.apiKey ?? process.env.OPENAI_API_KEY;
    for (const model of [config.strongModel, config.weakModel]) {
      endpoints[model] ??= { baseURL: config.baseURL, ...(apiKey ? { apiKey } : {}) };
    }
  }
  const providers = { ...config.providers };
  if (!providers.openai && config.apiKey) {
    providers.openai = new OpenAI({
      apiKey: config.apiKey,
      maxRetries: config.maxRetries,
      timeout: config.timeoutMs,
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    });
  }
  return {
    routers: config.routers,
    config: config.config,
    strongModel: config.strongModel,
    weakModel: config.weakModel,
    providers,
    endpoints,
    routeTurns: config.routeTurns,
    fallback: config.fallback,
    prices: config.prices,
    maxRetries: config.maxRetries,
    timeoutMs: config.timeoutMs,
  };
}

/** Replaces every configured secret, and anything shaped like an API key, in `text`. */
function makeRedactor(config: ResolvedServerConfig): (text: string) => string {
  const secrets = [
    config.apiKey,
    config.authToken,
    process.env.OPENAI_API_KEY,
    process.env.ANTHROPIC_API_KEY,
    ...Object.values(config.endpoints).map((endpoint) => endpoint.apiKey),
  ].filter((secret): secret is string => typeof secret === 'string' && secret.length >= 4);
  return (text) => {
    let result = text;
    for (const secret of secrets) result = result.split(secret).join('[redacted]');
    return result.replace(/\b(sk|key|pk)-[A-Za-z0-9_\-*]{8,}/g, '[redacted]');
  };
}

/**
 * Starts the OpenAI-compatible HTTP server (node:http) over a `Controller`:
 * `POST /v1/chat/completions` (JSON, or server-sent events ending with `data: [DONE]`),
 * `GET /v1/models`, `POST /v1/route`, `GET /health`. Routers are built before it listens.
 * Errors are OpenAI error bodies: 400 bad request or model string, 401 auth, 404 unknown router
 * or path, 413 body too large, 502 upstream failure. A client that disconnects cancels its
 * upstream request.
 */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const resolved = parseOptions(serverConfigSchema, config, 'server config');
  const serverFetch: NodeFetch = createNodeFetch();
  const controller = new Controller(controllerOptionsFor(resolved, serverFetch.fetch));
  await controller.ready();
  const redact = makeRedactor(resolved);
  const log = resolved.log ?? (() => {});
  const created = Math.floor(Date.now() / 1000);
  const expectedAuth = resolved.authToken ? Buffer.from(`Bearer ${resolved.authToken}`) : undefined;
  let active = 0;
  let closing = false;
  let drained: (() => void) | undefined;

  const sendJson = (response: http.ServerResponse, status: number, body: unknown) => {
    response.setHeader('content-type', 'application/json');
    if (closing) response.setHeader('connection', 'close');
    response.writeHead(status);
    response.end(JSON.stringify(body));
  };

  const sendError = (response: http.ServerResponse, error: unknown) => {
    const { status, body } = errorResponse(error, redact);
    if (status >= 500) log(`routellm serve: ${status} ${body.error.message}`);
    if (response.headersSent) {
      if (!response.writableEnded) response.end(`data: ${JSON.stringify(body)}\n\n`);
      return;
    }
    if (status === 401) response.setHeader('www-authenticate', 'Bearer');
    sendJson(response, status, body);
  };

  const authorized = (request: http.IncomingMessage) => {
    if (!expectedAuth) return true;
    const given = Buffer.from(request.headers.authorization ?? '');
    return given.length === expectedAuth.length && timingSafeEqual(given, expectedAuth);
  };

  const readJson = (request: http.IncomingMessage): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const limit = resolved.maxBodyBytes;
      const declared = Number(request.headers['content-length']);
      const parts: Buffer[] = [];
      let size = 0;
      let tooLarge = Number.isFinite(declared) && declared > limit;
      const tooLargeError = () => new HttpError(413, `Request body exceeds the limit of ${limit} bytes.`, 'invalid_request_error', 'request_too_large');
      request.on('data', (part: Buffer) => {
        size += part.length;
        if (size > limit) tooLarge = true;
        // Past the limit the body is drained (so the client reads the 413), but cut off when far too large.
        if (tooLarge) {
          parts.length = 0;
          if (size > Math.max(limit * 16, 64 * 1024 * 1024)) {
            reject(tooLargeError());
            request.destroy();
          }
          return;
        }
        parts.push(part);
      });
      request.on('error', reject);
      request.on('end', () => {
        if (tooLarge) return reject(tooLargeError());
        const text = Buffer.concat(parts).toString('utf8');
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new HttpError(400, 'The request body is not valid JSON.', 'invalid_request_error', 'invalid_json'));
        }
      });
    });

  const chatCompletions = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const started = performance.now();
    const body = await readJson(request);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidInputError('request body', 'a JSON object');
    const abort = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) abort.abort();
    });
    const result = await controller.chat.completions.create(body as never, { signal: abort.signal });
    const { routing, upstream } = result.routellm.latency_ms;
    const serverTiming = `routing;dur=${routing.toFixed(3)}, upstream;dur=${upstream.toFixed(3)}, server;dur=${(performance.now() - started).toFixed(3)}`;
    response.setHeader('server-timing', serverTiming);
    if (!(result instanceof RoutedChatCompletionStream)) {
      sendJson(response, 200, result);
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: closing ? 'close' : 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // Chunks that arrive together (one upstream read parsed into several events) leave in one
    // socket write: the response is corked at the first and uncorked once this turn of the event
    // loop is done. A chunk that arrives alone still goes out in the same turn.
    let flushScheduled = false;
    const flushSoon = () => {
      if (flushScheduled) return;
      flushScheduled = true;
      response.cork();
      setImmediate(() => {
        flushScheduled = false;
        response.uncork();
      });
    };
    try {
      for await (const chunk of result) {
        if (response.destroyed) break;
        flushSoon();
        if (!response.write(`data: ${JSON.stringify(chunk)}\n\n`)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              response.off('drain', done);
              response.off('close', done);
              resolve();
            };
            response.on('drain', done);
            response.on('close', done);
          });
        }
      }
      if (!response.destroyed) response.end('data: [DONE]\n\n');
    } catch (error) {
      if (!(error instanceof RequestAbortedError)) sendError(response, error);
      else response.end();
    }
  };

  const route = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const body = (await readJson(request)) as { prompts?: unknown; prompt?: unknown; router?: unknown; threshold?: unknown; model?: unknown };
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidInputError('request body', 'a JSON object');
    const prompts = body.prompts ?? (body.prompt === undefined ? undefined : [body.prompt]);
    if (!Array.isArray(prompts) || prompts.length === 0) throw new InvalidInputError('prompts', 'a non-empty array of strings (or `prompt`)');
    const { router, threshold } = controller.resolveRouting(body);
    const results = await controller.routeBatch(prompts as string[], router, threshold);
    sendJson(response, 200, {
      object: 'routellm.route',
      router: results[0].router,
      threshold: results[0].threshold,
      strong_model: controller.strongModel,
      weak_model: controller.weakModel,
      results: results.map(({ strong_win_rate, decision, model }) => ({ strong_win_rate, decision, model })),
    });
  };

  // The routers and models are fixed once the controller exists: the list is built once.
  const modelList = {
    object: 'list',
    data: [
      ...controller.routerNames.map((name) => ({ id: `router-${name}`, object: 'model', created, owned_by: 'routellm' })),
      ...[...new Set([controller.strongModel, controller.weakModel])].map((id) => ({ id, object: 'model', created, owned_by: 'routellm' })),
    ],
  };

  type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => Promise<void> | void;
  const routes: Record<string, { method: string; run: Handler }> = {
    '/v1/chat/completions': { method: 'POST', run: chatCompletions },
    '/v1/route': { method: 'POST', run: route },
    '/v1/models': { method: 'GET', run: (_request, response) => sendJson(response, 200, modelList) },
  };

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    const method = request.method ?? 'GET';
    if (path === '/health') {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `Method ${method} not allowed on ${path}.`, 'invalid_request_error', 'method_not_allowed');
      return sendJson(response, 200, { status: closing ? 'shutting_down' : 'online' });
    }
    const target = routes[path];
    if (path.startsWith('/v1/') && !authorized(request)) {
      request.resume();
      throw new HttpError(401, 'Missing or invalid bearer token.', 'invalid_request_error', 'invalid_api_key');
    }
    if (!target) {
      request.resume();
      throw new HttpError(404, `No route for ${method} ${path}.`, 'invalid_request_error', 'not_found');
    }
    if (target.method !== method) {
      request.resume();
      throw new HttpError(405, `Method ${method} not allowed on ${path}; use ${target.method}.`, 'invalid_request_error', 'method_not_allowed');
    }
    await target.run(request, response);
  };

  const server = http.createServer((request, response) => {
    active++;
    response.on('close', () => {
      active--;
      if (closing) {
        server.closeIdleConnections();
        if (active === 0) drained?.();
      }
    });
    handle(request, response).catch((error) => {
      if (error instanceof RequestAbortedError || response.destroyed) {
        if (!response.writableEnded) response.end();
        return;
      }
      sendError(response, error);
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;

  return {
    url: `http://${hostForUrl}:${address.port}`,
    host: address.address,
    port: address.port,
    controller,
    inFlight: () => active,
    close: () =>
      (closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (active > 0) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            new Promise<void>((resolve) => (drained = resolve)),
            new Promise<void>((resolve) => (timer = setTimeout(resolve, resolved.shutdownTimeoutMs))),
          ]);
          clearTimeout(timer);
        }
        server.closeAllConnections();
        await stopped;
        await controller.dispose();
        serverFetch.close();
      })()),
  };
}
