import type OpenAI from 'openai';
import { z } from 'zod';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL } from '../data/models.js';
import { DEFAULT_FEEDBACK_MAX_ENTRIES, DEFAULT_FEEDBACK_TTL_MS } from './feedback.js';
import { DEFAULT_ANTHROPIC_MAX_TOKENS } from '../providers/anthropic-translation.js';
import type { TokenPrice } from '../policy/index.js';
import type { AnthropicClientLike } from '../providers/types.js';
import type { RouterOptionsFor, RouterSpelling } from '../routers/registry.js';
import type { Router } from '../routers/types.js';
import { modelChoiceOptionsShape, modelPriceSchema } from './model-options.js';

const routerInstanceSchema = z.custom<Router>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Router).name === 'string' &&
    typeof (value as Router).strongWinRate === 'function' &&
    typeof (value as Router).strongWinRates === 'function',
  { message: 'expected a router name or a Router instance (with name, strongWinRate, strongWinRates)' },
);

const openAIClientSchema = z.custom<OpenAI>(
  (value) => typeof (value as OpenAI | undefined)?.chat?.completions?.create === 'function',
  { message: 'expected an `openai` client instance (new OpenAI(...))' },
);

const anthropicClientSchema = z.custom<AnthropicClientLike>(
  (value) => typeof (value as AnthropicClientLike | undefined)?.messages?.create === 'function',
  { message: 'expected an `@anthropic-ai/sdk` client instance (new Anthropic(...))' },
);

/** One OpenAI-compatible server bound to a model id. */
export const endpointSchema = z
  .object({
    /** Base URL of the server's OpenAI API, e.g. `http://localhost:8000/v1` (vLLM) or `http://localhost:11434/v1` (Ollama). */
    baseURL: z.url(),
    /** API key sent as a bearer token. Default: none (a placeholder is sent; local servers ignore it). */
    apiKey: z.string().optional(),
  })
  .strict();

/** Options of `new Controller(...)`. */
export const controllerOptionsSchema = z
  .object({
    /**
     * Routers this controller serves: registry names (`ridge`, `mf`, `sw_ranking`, `bert`, `causal_llm`,
     * `random`; built with `createRouter` and the options in `config[name]`) or Router instances.
     */
    routers: z.array(z.union([z.string().min(1), routerInstanceSchema])).min(1),
    /** Options for routers given by name, keyed by router name, e.g. `{ random: { seed: 1 } }`. */
    config: z.record(z.string(), z.unknown()).default({}),
    /**
     * Routers that score a model pair (mf, sw_ranking) score `strongModel` vs `weakModel` when
     * their weights know them (directly, through the alias table, or `config[name].modelMapping`),
     * else their default pair with a process warning. A pair set in `config[name]` wins. Default true.
     */
    scoreDeployedPair: z.boolean().default(true),
    /** The strong (expensive) model id. Default: `gpt-4-1106-preview`, the paper's. */
    strongModel: z.string().min(1).default(DEFAULT_STRONG_MODEL),
    /** The weak (cheap) model id. Default: `mistralai/Mixtral-8x7B-Instruct-v0.1`, the paper's (bind it in `endpoints`). */
    weakModel: z.string().min(1).default(DEFAULT_WEAK_MODEL),
    /**
     * Client instances to call the providers with. A missing one is built on first use from the
     * environment: `OPENAI_API_KEY` (and `OPENAI_BASE_URL`), `ANTHROPIC_API_KEY` (and `ANTHROPIC_BASE_URL`).
     */
    providers: z
      .object({
        /** An `openai` client; serves `openai/<model>` and bare model ids. */
        openai: openAIClientSchema.optional(),
        /** An `@anthropic-ai/sdk` client; serves `anthropic/<model>` and `claude-*` ids. */
        anthropic: anthropicClientSchema.optional(),
      })
      .strict()
      .default({}),
    /** OpenAI-compatible servers by model id: `{ 'llama3': { baseURL: 'http://localhost:11434/v1' } }`. Checked first. */
    endpoints: z.record(z.string().min(1), endpointSchema).default({}),
    /**
     * How many of the last conversation messages (user and assistant) are routed on, joined by a
     * blank line. Default 1: the last user message only, as the original RouteLLM.
     */
    routeTurns: z.number().int().min(1).default(1),
    /**
     * When the chosen model fails after the SDK's retries with a retryable failure (no answer,
     * timeout, 408, 409, 429, 5xx), send the request to the other model once; the decision
     * records it in `routellm.fallback`. Default false: the error is thrown.
     */
    fallback: z.boolean().default(false),
    /** Prices by model id (dollars per 1M tokens); enables `routellm.cost` and the cost totals in `stats()`. */
    prices: z.record(z.string(), modelPriceSchema).optional(),
    /** Retries of clients the controller builds itself (SDK default 2). Given clients keep their own. */
    maxRetries: z.number().int().min(0).default(2),
    /** Request timeout in ms of clients the controller builds itself. Default: the SDK's (10 minutes). */
    timeoutMs: z.number().int().positive().optional(),
    /**
     * Longest wait for the next chunk of a stream, in ms: a stream quiet for longer is aborted and
     * fails as a `ProviderError` of kind `idle` (an in-band error event on the server). Default:
     * `timeoutMs` when set, else 10 minutes (the SDKs' request timeout).
     */
    streamIdleTimeoutMs: z.number().int().positive().optional(),
    /**
     * Completions kept for `feedback(id, outcome)`: at most `maxEntries` (default 10,000; the
     * oldest go first), each for `ttlMs` (default 24 hours). They hold the routed text, never keys.
     */
    feedbackRetention: z
      .object({
        /** Most completions kept. Default 10,000. */
        maxEntries: z.number().int().positive().default(DEFAULT_FEEDBACK_MAX_ENTRIES),
        /** How long one is kept, in ms. Default 24 hours. */
        ttlMs: z.number().int().positive().default(DEFAULT_FEEDBACK_TTL_MS),
      })
      .strict()
      .prefault({}),
    /** `max_tokens` sent to Anthropic (which requires it) when a request sets none. Default 4096. */
    anthropicMaxTokens: z.number().int().positive().default(DEFAULT_ANTHROPIC_MAX_TOKENS),
    ...modelChoiceOptionsShape,
  })
  .strict();

/** `config` of the controller: each router's options under its name, typed by that router's schema. */
export type RouterConfigByName = { [Spelling in RouterSpelling]?: RouterOptionsFor<Spelling> };

/** Options of `new Controller(...)` as the caller writes them; `config` is typed per router (a misspelt option does not compile). */
export type ControllerOptions = Omit<z.input<typeof controllerOptionsSchema>, 'config'> & {
  /** Options for routers given by name, keyed by router name, e.g. `{ random: { seed: 1 } }`. */
  config?: RouterConfigByName;
};
/** Options after validation and defaults. */
export type ResolvedControllerOptions = z.output<typeof controllerOptionsSchema>;
/** A bound OpenAI-compatible endpoint. */
export type EndpointOptions = z.input<typeof endpointSchema>;
/** A price table entry: the policy's `TokenPrice` (dollars per 1M input and output tokens). */
export type ModelPrice = TokenPrice;
