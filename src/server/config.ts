import { z } from 'zod';
import { controllerOptionsSchema } from '../controller/options.js';
import { handlerOptionsSchema } from './handler-options.js';

export { DEFAULT_MAX_BODY_BYTES } from './handler-options.js';

/** Default port, as the original RouteLLM server. */
export const DEFAULT_PORT = 6060;

/**
 * Options of `startServer()` (and, from flags, environment and a config file, of `routellm serve`):
 * every controller option and every handler option, derived from their schemas so they cannot
 * drift, plus the listener and the shared upstream.
 */
export const serverConfigSchema = controllerOptionsSchema
  .extend(handlerOptionsSchema.shape)
  .extend({
    /**
     * One OpenAI-compatible upstream for both models (the original's `--base-url`), unless a model
     * has its own entry in `endpoints`.
     */
    baseURL: z.url().optional(),
    /**
     * Key for `baseURL`, and for OpenAI when no client is given. Default: `OPENAI_API_KEY`.
     * Never logged or echoed.
     */
    apiKey: z.string().min(1).optional(),
    /** Interface to listen on. Default `127.0.0.1` (use `0.0.0.0` to accept other hosts). */
    host: z.string().min(1).default('127.0.0.1'),
    /** Port. Default 6060; 0 picks a free port (see `RunningServer.port`). */
    port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
    /** On `close()`, how long requests in flight may take before connections are cut. Default 10 s. */
    shutdownTimeoutMs: z.number().int().min(0).default(10_000),
  })
  .strict();

/** `startServer()` options as the caller writes them. */
export type ServerConfig = z.input<typeof serverConfigSchema>;
/** Options after validation and defaults. */
export type ResolvedServerConfig = z.output<typeof serverConfigSchema>;

/** The keys of a server config that are controller options. */
export const CONTROLLER_KEYS = Object.keys(controllerOptionsSchema.shape) as (keyof typeof controllerOptionsSchema.shape)[];
/** The keys of a server config that are handler options. */
export const HANDLER_KEYS = Object.keys(handlerOptionsSchema.shape) as (keyof typeof handlerOptionsSchema.shape)[];
