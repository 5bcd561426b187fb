import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { Controller } from '../controller/controller.js';
import type { ControllerOptions, EndpointOptions } from '../controller/options.js';
import { parseOptions } from '../options.js';
import { createNodeFetch, type NodeFetch } from '../providers/node-fetch.js';
import { CONTROLLER_KEYS, HANDLER_KEYS, serverConfigSchema, type ResolvedServerConfig, type ServerConfig } from './config.js';
import { createHandler, type RouteLLMHandler } from './handler.js';
import type { HandlerOptions } from './handler-options.js';

/** A running server. */
export interface RunningServer {
  /** `http://<host>:<port>` */
  readonly url: string;
  readonly host: string;
  /** The bound port (the real one when the config asked for 0). */
  readonly port: number;
  /** The controller behind the server (its `stats()` count every request). */
  readonly controller: Controller;
  /** The handler the server runs (its `metrics` registry, for instance). */
  readonly handler: RouteLLMHandler;
  /** Requests being answered now. */
  inFlight(): number;
  /**
   * Graceful shutdown: stops accepting connections, lets requests in flight finish (up to
   * `shutdownTimeoutMs`, then cuts them), disposes the routers the server built.
   */
  close(): Promise<void>;
}

function pick<K extends string>(config: Record<string, unknown>, keys: readonly K[]): Record<K, unknown> {
  return Object.fromEntries(keys.filter((key) => config[key] !== undefined).map((key) => [key, config[key]])) as Record<K, unknown>;
}

/**
 * Controller options for a server config: `baseURL` binds both models (or every one of `models`)
 * unless they have their own endpoint.
 */
export function controllerOptionsFor(config: ResolvedServerConfig, fetchImpl?: typeof fetch): ControllerOptions {
  const endpoints: Record<string, EndpointOptions> = { ...config.endpoints };
  if (config.baseURL) {
    const apiKey = config.apiKey ?? process.env.OPENAI_API_KEY;
    for (const model of config.models ?? [config.strongModel, config.weakModel]) {
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
  return { ...pick(config, CONTROLLER_KEYS), endpoints, providers } as ControllerOptions;
}

/**
 * Starts the OpenAI-compatible HTTP server (node:http) over a `Controller`, serving the routes of
 * `createHandler`: `POST /v1/chat/completions` (JSON, or server-sent events ending with
 * `data: [DONE]`), `POST /v1/route`, `GET /v1/models`, `GET /v1/stats`, `GET /metrics`, `GET /health`.
 * Routers are built before it listens. A client that disconnects cancels its upstream request.
 */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const resolved = parseOptions(serverConfigSchema, config, 'server config');
  const serverFetch: NodeFetch = createNodeFetch();
  const controller = new Controller(controllerOptionsFor(resolved, serverFetch.fetch));
  try {
    await controller.ready();
  } catch (error) {
    await controller.dispose();
    serverFetch.close();
    throw error;
  }
  const handler = createHandler(controller, { ...pick(resolved, HANDLER_KEYS), secrets: [...resolved.secrets, resolved.apiKey ?? ''] } as HandlerOptions);
  let active = 0;
  let drained: (() => void) | undefined;

  const server = http.createServer((request, response) => {
    active++;
    response.on('close', () => {
      active--;
      if (handler.shuttingDown) {
        server.closeIdleConnections();
        if (active === 0) drained?.();
      }
    });
    // The handler answers every error itself; a failure here can only be a broken socket.
    handler.node(request, response).catch(() => response.destroy());
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
    handler,
    inFlight: () => active,
    close: () =>
      (closed ??= (async () => {
        handler.shuttingDown = true;
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
