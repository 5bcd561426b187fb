import { z } from 'zod';
import { controllerOptionsSchema, endpointSchema, modelPriceSchema } from '../controller/options.js';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL } from '../data/models.js';

const controllerShape = controllerOptionsSchema.shape;

/** Default port, as the original RouteLLM server. */
export const DEFAULT_PORT = 6060;
/** Default request body limit: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Options of `startServer()` (and, from flags, environment and a config file, of `routellm serve`). */
export const serverConfigSchema = z
  .object({
    /** Routers served: registry names or Router instances. `GET /v1/models` lists `router-<name>` for each. */
    routers: controllerShape.routers,
    /** Options for routers given by name, keyed by router name (the config file's router entries). */
    config: z.record(z.string(), z.unknown()).default({}),
    /** The strong model id. Default `gpt-4-1106-preview`. */
    strongModel: z.string().min(1).default(DEFAULT_STRONG_MODEL),
    /** The weak model id. Default `mistralai/Mixtral-8x7B-Instruct-v0.1`. */
    weakModel: z.string().min(1).default(DEFAULT_WEAK_MODEL),
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
    /** OpenAI-compatible servers by model id (see `ControllerOptions.endpoints`). */
    endpoints: z.record(z.string().min(1), endpointSchema).default({}),
    /** Client instances (in-process use); missing ones come from the environment. */
    providers: controllerShape.providers,
    /** Interface to listen on. Default `127.0.0.1` (use `0.0.0.0` to accept other hosts). */
    host: z.string().min(1).default('127.0.0.1'),
    /** Port. Default 6060; 0 picks a free port (see `RunningServer.port`). */
    port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
    /** When set, every `/v1/*` request must send `Authorization: Bearer <authToken>` (`/health` stays open). */
    authToken: z.string().min(1).optional(),
    /** Largest request body accepted, in bytes; larger ones get 413. Default 1 MiB. */
    maxBodyBytes: z.number().int().positive().default(DEFAULT_MAX_BODY_BYTES),
    /** Send a failed request to the other model (see `ControllerOptions.fallback`). Default false. */
    fallback: z.boolean().default(false),
    /** Prices by model id (dollars per 1M tokens) for `routellm.cost`. */
    prices: z.record(z.string(), modelPriceSchema).optional(),
    /** Conversation messages routed on (see `ControllerOptions.routeTurns`). Default 1. */
    routeTurns: z.number().int().min(1).default(1),
    /** Retries of the upstream clients the server builds. Default 2. */
    maxRetries: z.number().int().min(0).default(2),
    /** Upstream request timeout in ms. Default: the SDK's. */
    timeoutMs: z.number().int().positive().optional(),
    /** On `close()`, how long requests in flight may take before connections are cut. Default 10 s. */
    shutdownTimeoutMs: z.number().int().min(0).default(10_000),
    /** Receives one line per server-side failure (5xx) and lifecycle event; never keys. Default: silent. */
    log: z.custom<(line: string) => void>((value) => typeof value === 'function', { message: 'expected a function' }).optional(),
  })
  .strict();

/** `startServer()` options as the caller writes them. */
export type ServerConfig = z.input<typeof serverConfigSchema>;
/** Options after validation and defaults. */
export type ResolvedServerConfig = z.output<typeof serverConfigSchema>;
