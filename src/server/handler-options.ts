import { z } from 'zod';
import type { Router } from '../routers/types.js';

/** Default request body limit: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Default cap on prompts in one `POST /v1/route` request. */
export const DEFAULT_MAX_ROUTE_PROMPTS = 10_000;

/** Where JSON log lines go: anything with `write(line)` (a stream, a file, a test's array). */
export interface LogDestination {
  write(line: string): unknown;
}

/** Log levels, as pino names them; `silent` logs nothing. */
export const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** Options of `createHandler()` (and the matching fields of the server config). */
export const handlerOptionsSchema = z
  .object({
    /**
     * When set, every `/v1/*` request and `GET /metrics` must send `Authorization: Bearer <authToken>`
     * (the scheme in any case); `/health` stays open. Never logged or echoed.
     */
    authToken: z.string().min(1).optional(),
    /** Largest request body accepted, in bytes; larger ones get 413 (at once when `Content-Length` says so). Default 1 MiB. */
    maxBodyBytes: z.number().int().positive().default(DEFAULT_MAX_BODY_BYTES),
    /** Most prompts one `POST /v1/route` request may carry; more get 400. Default 10,000. */
    maxRoutePrompts: z.number().int().positive().default(DEFAULT_MAX_ROUTE_PROMPTS),
    /**
     * Thresholds by router name, listed by `GET /v1/models` as `router-<name>-<threshold>` ids a
     * client can send as they are. A router without one is not listed (its ids need a threshold).
     * When the controller routes among N models (`models`), the value is the router's knob.
     */
    thresholds: z.record(z.string(), z.number().min(0).max(1)).default({}),
    /** One JSON line per request (and server failures) at `info`; `debug` adds nothing secret. Default `silent`. */
    logLevel: z.enum(LOG_LEVELS).default('silent'),
    /** Where log lines go. Default: standard output. */
    logDestination: z
      .custom<LogDestination>((value) => typeof (value as LogDestination | null)?.write === 'function', {
        message: 'expected an object with a write(line) method',
      })
      .optional(),
    /** Serve `GET /metrics` (Prometheus text). Default true. */
    metrics: z.boolean().default(true),
    /**
     * Add prom-client's process metrics to `/metrics` (CPU, memory, GC, event-loop lag as
     * `nodejs_eventloop_lag_*`). Default false (`routellm serve` turns them on): an application
     * that mounts the handler usually collects its own.
     */
    processMetrics: z.boolean().default(false),
    /**
     * Folder of the traffic log: `completions.jsonl` (each served completion: id, routed text,
     * router, score, decision, models) and `feedback.jsonl` (one battle per `POST /v1/feedback`,
     * readable by `routellm train --data`). No headers, keys or answers are written. Default: none
     * (completions are kept in memory only, per the controller's `feedbackRetention`).
     */
    logDir: z.string().min(1).optional(),
    /** Size at which a traffic log file rotates, in bytes. Default 16 MiB. */
    logMaxBytes: z.number().int().positive().default(16 * 1024 * 1024),
    /** Files kept per traffic log (the live one and its rotations); the oldest is deleted. Default 5. */
    logMaxFiles: z.number().int().min(1).default(5),
    /**
     * Fold each feedback into a router that learns online (sw_ranking's `addBattles`) at once, so
     * the next request with a similar prompt is decided with it. Default false.
     */
    learn: z.boolean().default(false),
    /**
     * What `POST /admin/reload` (and `handler.reload()`) swaps in: a function that builds the new
     * routers. Default: the controller builds again the routers it was given by name. The route
     * needs `authToken`: without one it answers 403.
     */
    reload: z
      .custom<() => Promise<readonly Router[]>>((value) => typeof value === 'function', { message: 'expected a function returning new routers' })
      .optional(),
    /** More strings to scrub from error messages and logs (keys the handler cannot see, e.g. an upstream key). */
    secrets: z.array(z.string()).default([]),
  })
  .strict();

/** `createHandler()` options as the caller writes them. */
export type HandlerOptions = z.input<typeof handlerOptionsSchema>;
/** Options after validation and defaults. */
export type ResolvedHandlerOptions = z.output<typeof handlerOptionsSchema>;
