import type Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import { InvalidInputError, InvalidOptionsError, RouteLLMError, UnknownRouterError } from '../errors.js';
import { parseOptions } from '../options.js';
import { AnthropicChatProvider } from '../providers/anthropic.js';
import { isRetryableProviderError, RequestAbortedError } from '../providers/errors.js';
import { createNodeFetch, type NodeFetch } from '../providers/node-fetch.js';
import { OpenAIChatProvider } from '../providers/openai.js';
import { resolveModel, type ProviderKind } from '../providers/resolve.js';
import type { ChatProvider, ProviderChatParams, ProviderStream } from '../providers/types.js';
import { assertPrompts, assertThreshold } from '../routers/base.js';
import { parseRouterModel } from '../routers/model-string.js';
import { createRouter, createRouterForPair, resolveRouterName } from '../routers/registry.js';
import { isPairRouter, type RouteDecision, type Router } from '../routers/types.js';
import { Accounting, requestCost, type ControllerStats, type RequestCost } from './accounting.js';
import { checkMessages, routingText } from './messages.js';
import { controllerOptionsSchema, type ControllerOptions, type ResolvedControllerOptions } from './options.js';

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
  };
  /** With a price table: the request's cost and savings against always-strong (streams: once usage arrived). */
  cost?: RequestCost;
  /**
   * Where the time went, in ms: `routing` (scoring the prompt) and `upstream` (the model call,
   * fallback included; for streams, until the first chunk).
   */
  latency_ms: { routing: number; upstream: number };
}

/** A chat completion with the routing record. */
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

/**
 * The stream `create({ stream: true })` resolves to: an async iterable of chunks, each carrying
 * `routellm`. `controller.abort()` (or breaking out of the loop) cancels the upstream request.
 */
export class RoutedChatCompletionStream implements AsyncIterable<RoutedChatCompletionChunk> {
  private consumed = false;

  constructor(
    /** The routing record (its `cost` is set once the usage arrived). */
    readonly routellm: RoutingRecord,
    /** Aborts the upstream request. */
    readonly controller: AbortController,
    private readonly first: IteratorResult<ChatCompletionChunk>,
    private readonly rest: AsyncIterator<ChatCompletionChunk>,
    private readonly forwardUsageChunk: boolean,
    private readonly onUsage: (usage: CompletionUsage) => void,
    private readonly onEnd: (error?: unknown) => void,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<RoutedChatCompletionChunk> {
    if (this.consumed) throw new RouteLLMError('This stream was already iterated.', { code: 'stream_consumed' });
    this.consumed = true;
    let finished = false;
    try {
      let step = this.first;
      while (!step.done) {
        const chunk = step.value as RoutedChatCompletionChunk;
        if (chunk.usage) this.onUsage(chunk.usage);
        const usageOnly = chunk.choices.length === 0 && chunk.usage != null;
        if (!usageOnly || this.forwardUsageChunk) {
          chunk.routellm = this.routellm;
          yield chunk;
        }
        step = await this.rest.next();
      }
      finished = true;
      this.onEnd();
    } catch (error) {
      finished = true;
      this.onEnd(error);
      throw error;
    } finally {
      if (!finished) {
        this.controller.abort();
        this.onEnd();
      }
    }
  }

  /** Collects the whole stream (a convenience for tests and scripts). */
  async toArray(): Promise<RoutedChatCompletionChunk[]> {
    const chunks: RoutedChatCompletionChunk[] = [];
    for await (const chunk of this) chunks.push(chunk);
    return chunks;
  }
}

interface Attempt<T> {
  model: string;
  result: T;
  fallback?: RoutingRecord['fallback'];
}

/**
 * Routes each chat request to a strong or a weak model, with the `openai` client's
 * `chat.completions.create` interface. See `ControllerOptions` for what it takes.
 *
 * ```ts
 * const controller = new Controller({ routers: ['mf'], strongModel: 'gpt-4o', weakModel: 'claude-3-5-haiku-latest' });
 * const completion = await controller.chat.completions.create({ model: 'router-mf-0.116', messages });
 * completion.routellm; // { router: 'mf', threshold: 0.116, strong_win_rate, decision, model }
 * ```
 */
export class Controller {
  /** The validated options. */
  readonly options: ResolvedControllerOptions;
  /** The strong model id. */
  readonly strongModel: string;
  /** The weak model id. */
  readonly weakModel: string;
  /** `chat.completions.create`, as on the `openai` client. */
  readonly chat: {
    completions: {
      create(params: RoutedCreateParamsNonStreaming, options?: RoutedRequestOptions): Promise<RoutedChatCompletion>;
      create(params: RoutedCreateParamsStreaming, options?: RoutedRequestOptions): Promise<RoutedChatCompletionStream>;
      create(params: RoutedCreateParams, options?: RoutedRequestOptions): Promise<RoutedChatCompletion | RoutedChatCompletionStream>;
    };
  };

  private readonly routerSources = new Map<string, string | Router>();
  private readonly routerPromises = new Map<string, Promise<Router>>();
  private readonly ownedRouters = new Set<string>();
  private readonly providers = new Map<string, ChatProvider>();
  /** Parsed `router-<name>-<threshold>` strings (the routers are fixed at construction). */
  private readonly modelStrings = new Map<string, Readonly<{ router: string; threshold: number }>>();
  private openaiClient?: OpenAI;
  private anthropicClient?: Anthropic;
  private readonly accounting = new Accounting();
  private nodeFetch?: NodeFetch;

  constructor(options: ControllerOptions) {
    this.options = parseOptions(controllerOptionsSchema, options, 'Controller options');
    this.strongModel = this.options.strongModel;
    this.weakModel = this.options.weakModel;
    this.openaiClient = this.options.providers.openai;
    this.anthropicClient = this.options.providers.anthropic;
    for (const entry of this.options.routers) {
      const name = typeof entry === 'string' ? resolveRouterName(entry) : entry.name;
      if (name === undefined) throw new UnknownRouterError(entry as string, this.routerNames);
      if (this.routerSources.has(name)) throw new InvalidOptionsError('Controller options', `router "${name}" is listed twice`);
      this.routerSources.set(name, typeof entry === 'string' ? name : entry);
      if (typeof entry === 'string') this.ownedRouters.add(name);
    }
    const create = (params: RoutedCreateParams, requestOptions?: RoutedRequestOptions) => this.create(params, requestOptions);
    this.chat = { completions: { create: create as Controller['chat']['completions']['create'] } };
  }

  /** Names of the routers this controller serves, in the order given. */
  get routerNames(): string[] {
    return [...this.routerSources.keys()];
  }

  /** Builds every router now (they are otherwise built on first use); rejects on the first failure. */
  async ready(): Promise<void> {
    await Promise.all(this.routerNames.map((name) => this.router(name)));
  }

  /**
   * Scores `prompt` with a router and compares the strong win rate with `threshold`, without
   * calling a model. `router` may be omitted (undefined) when the controller has one router.
   */
  async route(prompt: string, router: string | undefined, threshold: number): Promise<RouteResult> {
    const [result] = await this.routeBatch([prompt], router, threshold);
    return result;
  }

  /** `route()` for many prompts in one batched scoring call, in input order. */
  async routeBatch(prompts: readonly string[], router: string | undefined, threshold: number): Promise<RouteResult[]> {
    assertPrompts(prompts);
    assertThreshold(threshold);
    const name = this.loadedRouterName(router);
    const scores = await (await this.router(name)).strongWinRates(prompts);
    return Array.from(scores, (score) => this.result(name, threshold, score));
  }

  /** Counts per router and model, and cost totals, since creation or `resetStats()`. */
  stats(): ControllerStats {
    return this.accounting.snapshot();
  }

  /** Sets the counts back to zero. */
  resetStats(): void {
    this.accounting.reset();
  }

  /**
   * Disposes the routers this controller built from names (Router instances given to it stay
   * usable) and closes the connections of the clients it built.
   */
  async dispose(): Promise<void> {
    const owned = [...this.ownedRouters].filter((name) => this.routerPromises.has(name));
    await Promise.all(owned.map(async (name) => (await this.routerPromises.get(name)!.catch(() => undefined))?.dispose()));
    for (const name of owned) this.routerPromises.delete(name);
    this.nodeFetch?.close();
    this.nodeFetch = undefined;
  }

  private loadedRouterName(router: string | undefined): string {
    if (router === undefined) {
      if (this.routerSources.size === 1) return this.routerNames[0];
      throw new InvalidInputError('router', `a router name (this controller serves ${this.routerNames.join(', ')})`);
    }
    const name = this.routerSources.has(router) ? router : (resolveRouterName(router) ?? router);
    if (!this.routerSources.has(name)) throw new UnknownRouterError(router, this.routerNames);
    return name;
  }

  private router(name: string): Promise<Router> {
    let promise = this.routerPromises.get(name);
    if (!promise) {
      const source = this.routerSources.get(name)!;
      promise = typeof source === 'string' ? this.buildRouter(source) : Promise.resolve(source);
      promise.catch(() => this.routerPromises.delete(name));
      this.routerPromises.set(name, promise);
    }
    return promise;
  }

  /** Options for a router by name from `config`, keyed by its name or any alias. */
  private routerConfig(name: string): Record<string, unknown> {
    for (const [key, value] of Object.entries(this.options.config)) {
      if (key === name || resolveRouterName(key) === name) return (value ?? {}) as Record<string, unknown>;
    }
    return {};
  }

  /**
   * Builds a named router. Routers that score a model pair (mf, sw_ranking) are asked for the
   * deployed pair unless their config names one; when their weights do not know it, they score
   * their default pair and a process warning says so. Routers without pair options (the registry
   * says which) are built from their config alone.
   */
  private async buildRouter(name: string): Promise<Router> {
    const config = this.routerConfig(name);
    if (!this.options.scoreDeployedPair || 'strongModel' in config || 'weakModel' in config) return createRouter(name, config);
    const { router, unknownModel } = await createRouterForPair(name, config, { strongModel: this.strongModel, weakModel: this.weakModel });
    if (unknownModel !== undefined) {
      process.emitWarning(
        `routellm: the ${name} router's weights do not know "${unknownModel}"; it scores its default pair` +
          (isPairRouter(router) ? ` (strong ${router.strongModel}, weak ${router.weakModel})` : '') +
          `. Map your models with config.${name}.modelMapping to score your pair.`,
        { code: 'ROUTELLM_DEFAULT_PAIR' },
      );
    }
    return router;
  }

  private result(router: string, threshold: number, score: number): RouteResult {
    const decision: RouteDecision = score >= threshold ? 'strong' : 'weak';
    return {
      router,
      threshold,
      strong_win_rate: score,
      decision,
      model: decision === 'strong' ? this.strongModel : this.weakModel,
    };
  }

  /**
   * The router and threshold a request names: `router` and `threshold`, or else a
   * `router-<name>-<threshold>` model string; throws the typed error of the first bad field. Used
   * by chat requests and by the server's `/v1/route`, so both read them by the same rules.
   */
  resolveRouting(params: { [K in keyof RoutingFields]?: unknown }): { router: string; threshold: number } {
    if (params.router !== undefined || params.threshold !== undefined) {
      if (params.router !== undefined && typeof params.router !== 'string') throw new InvalidInputError('router', 'a router name');
      if (params.threshold === undefined) throw new InvalidInputError('threshold', 'a number in [0, 1] with `router`');
      assertThreshold(params.threshold);
      return { router: this.loadedRouterName(params.router), threshold: params.threshold };
    }
    if (typeof params.model !== 'string') {
      throw new InvalidInputError('model', 'a model string "router-<name>-<threshold>", or `router` and `threshold`');
    }
    const cached = this.modelStrings.get(params.model);
    if (cached) return cached;
    let parsed: { router: string; threshold: number };
    try {
      parsed = parseRouterModel(params.model, this.routerNames);
    } catch (error) {
      if (error instanceof UnknownRouterError) throw new UnknownRouterError(error.router, this.routerNames);
      throw error;
    }
    // Frozen: the cached object is handed to every later request with this model string.
    const routing = Object.freeze({ router: this.loadedRouterName(parsed.router), threshold: parsed.threshold });
    // Clients send the same few model strings: each is parsed once (only valid ones are kept).
    if (this.modelStrings.size >= 1024) this.modelStrings.clear();
    this.modelStrings.set(params.model, routing);
    return routing;
  }

  private async create(
    params: RoutedCreateParams,
    requestOptions: RoutedRequestOptions = {},
  ): Promise<RoutedChatCompletion | RoutedChatCompletionStream> {
    if (typeof params !== 'object' || params === null) throw new InvalidInputError('request', 'an object with messages');
    const messages = checkMessages(params.messages);
    const text = routingText(messages, this.options.routeTurns);
    const { router, threshold } = this.resolveRouting(params);
    const { model: _model, router: _router, threshold: _threshold, stream, ...upstreamParams } = params;
    if (params.stream !== undefined && params.stream !== null && typeof params.stream !== 'boolean') {
      throw new InvalidInputError('stream', 'a boolean');
    }
    const routingStart = performance.now();
    const score = await (await this.router(router)).strongWinRate(text);
    if (requestOptions.signal?.aborted) throw new RequestAbortedError({ cause: requestOptions.signal.reason });
    const decided = this.result(router, threshold, score);
    this.accounting.decided(router, decided.decision);
    const upstreamStart = performance.now();
    const record: RoutingRecord = { ...decided, latency_ms: { routing: upstreamStart - routingStart, upstream: 0 } };
    const base = upstreamParams as Omit<ProviderChatParams, 'model'>;
    try {
      if (stream === true) return await this.createStream(base, record, requestOptions, upstreamStart);
      const attempt = await this.withFallback(record, (model) =>
        this.upstream(model, base, (provider, params) => provider.complete(params, { signal: requestOptions.signal })),
      );
      const completion = attempt.result as RoutedChatCompletion;
      record.latency_ms.upstream = performance.now() - upstreamStart;
      this.finishRecord(record, attempt);
      record.cost = requestCost(completion.usage, record.model, this.strongModel, this.options.prices);
      this.accounting.answered(record.model, completion.usage, record.cost);
      if (record.cost === undefined) delete record.cost;
      completion.routellm = record;
      return completion;
    } catch (error) {
      this.accounting.failed(router);
      throw error;
    }
  }

  private async createStream(
    base: Omit<ProviderChatParams, 'model'>,
    record: RoutingRecord,
    requestOptions: RoutedRequestOptions,
    upstreamStart: number,
  ): Promise<RoutedChatCompletionStream> {
    const abort = new AbortController();
    const callerSignal = requestOptions.signal;
    const onCallerAbort = () => abort.abort(callerSignal?.reason);
    if (callerSignal) {
      if (callerSignal.aborted) abort.abort(callerSignal.reason);
      else callerSignal.addEventListener('abort', onCallerAbort, { once: true });
    }
    const release = () => callerSignal?.removeEventListener('abort', onCallerAbort);
    let opened: Attempt<{ upstream: ProviderStream; iterator: AsyncIterator<ChatCompletionChunk>; first: IteratorResult<ChatCompletionChunk> }>;
    try {
      opened = await this.withFallback(record, async (model) => {
        const upstream = await this.upstream(model, base, (provider, params) => provider.stream(params, { signal: abort.signal, includeUsage: true }));
        const iterator = upstream[Symbol.asyncIterator]();
        try {
          return { upstream, iterator, first: await iterator.next() };
        } catch (error) {
          upstream.abort();
          throw error;
        }
      });
    } catch (error) {
      release();
      throw error;
    }
    record.latency_ms.upstream = performance.now() - upstreamStart;
    this.finishRecord(record, opened);
    let usage: CompletionUsage | undefined;
    let ended = false;
    return new RoutedChatCompletionStream(
      record,
      abort,
      opened.result.first,
      opened.result.iterator,
      base.stream_options?.include_usage === true,
      (seen) => {
        usage = seen;
        const cost = requestCost(seen, record.model, this.strongModel, this.options.prices);
        if (cost) record.cost = cost;
      },
      (error) => {
        if (ended) return;
        ended = true;
        release();
        if (error !== undefined) this.accounting.failed(record.router);
        else this.accounting.answered(record.model, usage, record.cost);
      },
    );
  }

  private finishRecord(record: RoutingRecord, attempt: Attempt<unknown>): void {
    record.model = attempt.model;
    if (attempt.fallback) {
      record.fallback = attempt.fallback;
      this.accounting.fellBack(record.router);
    }
  }

  private async withFallback<T>(record: RoutingRecord, call: (model: string) => Promise<T>): Promise<Attempt<T>> {
    const chosen = record.model;
    try {
      return { model: chosen, result: await call(chosen) };
    } catch (error) {
      if (!this.options.fallback || !isRetryableProviderError(error)) throw error;
      const other = chosen === this.strongModel ? this.weakModel : this.strongModel;
      const failure = error as { message: string; status?: number };
      const fallback: NonNullable<RoutingRecord['fallback']> = { from: chosen, to: other, error: failure.message };
      if (failure.status !== undefined) fallback.status = failure.status;
      return { model: other, result: await call(other), fallback };
    }
  }

  /** Calls `model`'s provider with the request body, its `model` set to the upstream name (one `resolveModel` per call). */
  private upstream<T>(
    model: string,
    base: Omit<ProviderChatParams, 'model'>,
    call: (provider: ChatProvider, params: ProviderChatParams) => Promise<T>,
  ): Promise<T> {
    const { kind, upstreamModel } = resolveModel(model, this.options.endpoints);
    return call(this.provider(model, kind), { ...base, model: upstreamModel } as ProviderChatParams);
  }

  private provider(model: string, kind: ProviderKind): ChatProvider {
    const key = kind === 'endpoint' ? `endpoint:${model}` : kind;
    let provider = this.providers.get(key);
    if (provider) return provider;
    if (kind === 'endpoint') {
      const endpoint = this.options.endpoints[model];
      const client = new OpenAI({
        baseURL: endpoint.baseURL,
        apiKey: endpoint.apiKey ?? 'not-needed',
        maxRetries: this.options.maxRetries,
        timeout: this.options.timeoutMs,
        fetch: this.fetchForClients(),
      });
      provider = new OpenAIChatProvider(key, () => client);
    } else if (kind === 'anthropic') {
      provider = new AnthropicChatProvider(() => this.anthropic(), this.options.anthropicMaxTokens);
    } else {
      provider = new OpenAIChatProvider('openai', () => this.openai());
    }
    this.providers.set(key, provider);
    return provider;
  }

  /** The node:http fetch shared by the clients this controller builds (one keep-alive pool). */
  private fetchForClients(): typeof fetch {
    return (this.nodeFetch ??= createNodeFetch()).fetch;
  }

  private openai(): OpenAI {
    if (!this.openaiClient) {
      if (!process.env.OPENAI_API_KEY) {
        throw new InvalidOptionsError(
          'provider setup',
          'no OpenAI client was given (providers.openai) and OPENAI_API_KEY is not set; or bind the model to an endpoint',
        );
      }
      this.openaiClient = new OpenAI({ maxRetries: this.options.maxRetries, timeout: this.options.timeoutMs, fetch: this.fetchForClients() });
    }
    return this.openaiClient;
  }

  private async anthropic(): Promise<Anthropic> {
    if (!this.anthropicClient) {
      // Loaded on first use: the SDK takes a while to import and many deployments never call Anthropic.
      const { default: AnthropicClient } = await import('@anthropic-ai/sdk');
      if (!process.env.ANTHROPIC_API_KEY && !process.env.ANTHROPIC_AUTH_TOKEN) {
        throw new InvalidOptionsError(
          'provider setup',
          'no Anthropic client was given (providers.anthropic) and neither ANTHROPIC_API_KEY nor ANTHROPIC_AUTH_TOKEN is set',
        );
      }
      this.anthropicClient ??= new AnthropicClient({
        maxRetries: this.options.maxRetries,
        timeout: this.options.timeoutMs,
        fetch: this.fetchForClients(),
      });
    }
    return this.anthropicClient;
  }
}
