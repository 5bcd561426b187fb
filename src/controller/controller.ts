import { parseOptions } from '../options.js';
import { RequestAbortedError } from '../providers/errors.js';
import type { Router } from '../routers/types.js';
import { assertPrompts, assertThreshold } from '../routers/base.js';
import { InvalidOptionsError } from '../errors.js';
import { Accounting, type ControllerStats } from './accounting.js';
import { CompletionLog, learnFromRow, type FeedbackOutcome, type FeedbackRow, type ServedCompletion } from './feedback.js';
import { ModelChooser, type ModelRouteResult } from './model-choice.js';
import type { ModelRouting, ModelRoutingFields } from './model-routing.js';
import { controllerOptionsSchema, type ControllerOptions, type ResolvedControllerOptions } from './options.js';
import { ProviderPool } from './provider-pool.js';
import { RequestPath } from './request-path.js';
import type { RoutedChatCompletionStream } from './routed-stream.js';
import { RouterPool, type Routing } from './router-pool.js';
import type {
  RoutedChatCompletion,
  RoutedCreateParams,
  RoutedCreateParamsNonStreaming,
  RoutedCreateParamsStreaming,
  RoutedRequestOptions,
  RouteResult,
  RoutingFields,
} from './types.js';

export { RoutedChatCompletionStream } from './routed-stream.js';

/** Prompts scored per step of `routeBatch`: between steps the event loop runs and an abort is seen. */
export const ROUTE_BATCH_CHUNK = 16;

/** Options of `routeBatch`. */
export interface RouteBatchOptions {
  /** Stops scoring (rejecting with `RequestAbortedError`) at the next step once aborted. */
  signal?: AbortSignal;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

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
  /** The strong model id (routing among N models: the dearest of `models`, the reference of the savings). */
  readonly strongModel: string;
  /** The weak model id (routing among N models: the cheapest of `models`). */
  readonly weakModel: string;
  /** `chat.completions.create`, as on the `openai` client. */
  readonly chat: {
    completions: {
      create(params: RoutedCreateParamsNonStreaming, options?: RoutedRequestOptions): Promise<RoutedChatCompletion>;
      create(params: RoutedCreateParamsStreaming, options?: RoutedRequestOptions): Promise<RoutedChatCompletionStream>;
      create(params: RoutedCreateParams, options?: RoutedRequestOptions): Promise<RoutedChatCompletion | RoutedChatCompletionStream>;
    };
  };

  private readonly routers: RouterPool;
  private readonly providers: ProviderPool;
  private readonly requests: RequestPath;
  private readonly accounting = new Accounting();
  private readonly completions: CompletionLog;
  private readonly chooser?: ModelChooser;

  constructor(options: ControllerOptions) {
    this.options = parseOptions(controllerOptionsSchema, options, 'Controller options');
    this.routers = new RouterPool(this.options);
    this.chooser = this.options.models ? new ModelChooser(this.options, this.routers, this.accounting) : undefined;
    this.strongModel = this.chooser?.referenceModel ?? this.options.strongModel;
    this.weakModel = this.chooser?.cheapestModel ?? this.options.weakModel;
    this.providers = new ProviderPool(this.options);
    const { maxEntries, ttlMs } = this.options.feedbackRetention;
    this.completions = new CompletionLog(maxEntries, ttlMs);
    this.requests = new RequestPath(this.options, this.routers, this.providers, this.accounting, this.completions, this.chooser);
    const create = (params: RoutedCreateParams, requestOptions?: RoutedRequestOptions) => this.requests.create(params, requestOptions);
    this.chat = { completions: { create: create as Controller['chat']['completions']['create'] } };
  }

  /** Names of the routers this controller serves, in the order given. */
  get routerNames(): string[] {
    return this.routers.names;
  }

  /** Builds every router now (they are otherwise built on first use); rejects on the first failure. */
  async ready(): Promise<void> {
    await this.routers.ready();
    await this.chooser?.check();
  }

  /** The models this controller routes among (`options.models`); undefined for strong/weak routing. */
  get models(): readonly string[] | undefined {
    return this.chooser?.models;
  }

  /**
   * Routing among N models: the choice for each prompt (every model's score and expected cost
   * included), without a model call, in input order and in steps as `routeBatch`. `routing`
   * comes from `resolveModelRouting`. Throws `InvalidOptionsError` for a two-model controller.
   */
  async chooseBatch(prompts: readonly string[], routing: ModelRouting, options: RouteBatchOptions = {}): Promise<ModelRouteResult[]> {
    const chooser = this.requireChooser();
    assertPrompts(prompts);
    const models = chooser.candidates(routing);
    const results: ModelRouteResult[] = [];
    for (let start = 0; start < prompts.length; start += ROUTE_BATCH_CHUNK) {
      if (start > 0) await yieldToEventLoop();
      if (options.signal?.aborted) throw new RequestAbortedError({ cause: options.signal.reason });
      const chunk = prompts.slice(start, start + ROUTE_BATCH_CHUNK);
      const scores = await chooser.scores(routing.router, chunk, models);
      for (let row = 0; row < chunk.length; row++) results.push(chooser.choose(routing, scores, row, chunk[row], models));
    }
    return results;
  }

  /**
   * Routing among N models: the router and policy a request names (`router` with `knob` or
   * `within_best`, or a model string `router-<name>-<knob>` / `router-<name>-within-<margin>`),
   * and the subset of `models` it chooses among when it names one (`models`); throws the typed
   * error of the first bad field.
   */
  resolveModelRouting(params: { [K in keyof ModelRoutingFields | 'threshold']?: unknown }): ModelRouting {
    return this.requireChooser().resolve(params);
  }

  /** Strong/weak calls on a controller among N models would score a pair nobody deployed: refused. */
  private refuseAmongModels(instead: string): void {
    if (this.chooser) throw new InvalidOptionsError('Controller options', `✖ models: this controller routes among N models; use ${instead}`);
  }

  private requireChooser(): ModelChooser {
    if (!this.chooser) throw new InvalidOptionsError('Controller options', '✖ models: this controller routes between strongModel and weakModel; set `models` to route among N models');
    return this.chooser;
  }

  /**
   * Scores `prompt` with a router and compares the strong win rate with `threshold`, without
   * calling a model. `router` may be omitted (undefined) when the controller has one router.
   */
  async route(prompt: string, router: string | undefined, threshold: number): Promise<RouteResult> {
    const [result] = await this.routeBatch([prompt], router, threshold);
    return result;
  }

  /**
   * `route()` for many prompts, in input order. Scored in steps of `ROUTE_BATCH_CHUNK` prompts
   * with a turn of the event loop between them, so other requests are served during a long batch
   * and an aborted `signal` stops the work.
   */
  async routeBatch(prompts: readonly string[], router: string | undefined, threshold: number, options: RouteBatchOptions = {}): Promise<RouteResult[]> {
    this.refuseAmongModels('chooseBatch');
    assertPrompts(prompts);
    assertThreshold(threshold);
    const name = this.routers.resolveName(router);
    return this.routers.use(name, async (scorer) => {
      const results: RouteResult[] = [];
      for (let start = 0; start < prompts.length; start += ROUTE_BATCH_CHUNK) {
        if (start > 0) await yieldToEventLoop();
        if (options.signal?.aborted) throw new RequestAbortedError({ cause: options.signal.reason });
        const scores = await scorer.strongWinRates(prompts.slice(start, start + ROUTE_BATCH_CHUNK));
        for (const score of scores) results.push(this.requests.decide(name, threshold, score));
      }
      return results;
    });
  }

  /**
   * The router and threshold a request names: `router` and `threshold`, or else a
   * `router-<name>-<threshold>` model string; throws the typed error of the first bad field. Used
   * by chat requests and by the server's `/v1/route`, so both read them by the same rules.
   */
  resolveRouting(params: { [K in keyof RoutingFields]?: unknown }): Routing {
    this.refuseAmongModels('resolveModelRouting');
    return this.routers.resolveRouting(params);
  }

  /**
   * Records an outcome for a completion this controller served (its response `id`): `{ score }` in
   * [0, 1] for the answer the client got, or `{ winner: 'strong' | 'weak' | 'tie' }`. Returns the
   * training row (`feedbackWinner` gives the rule); with `learn`, a router that learns online
   * (`addBattles`, as sw_ranking) absorbs it at once and `learned` says so. Throws
   * `UnknownCompletionError` for an id not kept (see `feedbackRetention`), `InvalidInputError` for a bad outcome.
   */
  async feedback(id: string, outcome: FeedbackOutcome, options: { learn?: boolean } = {}): Promise<{ row: FeedbackRow; learned: boolean }> {
    const row = this.completions.feedback(id, outcome);
    const learned = options.learn === true && (await this.routers.use(row.router, (router) => learnFromRow(router, row)));
    return { row, learned };
  }

  /**
   * Hot reload: swaps in new routers without dropping a request. With `routers`, each serves under
   * its name (a name this controller serves); without, every router given by name is built again
   * from its options (reading its weights folder again). Nothing is swapped unless every new router
   * was built. A replaced router is disposed once the requests using it have ended (also one given
   * as an instance: reloading hands it over). Resolves with the names reloaded.
   */
  async reload(routers?: readonly Router[]): Promise<string[]> {
    const fresh = routers ? [...routers] : await this.routers.rebuild();
    for (const router of fresh) this.routers.resolveName(router.name);
    for (const router of fresh) this.routers.replace(router);
    return fresh.map((router) => router.name);
  }

  /** What this controller keeps of a served completion (for feedback), or undefined when it is not kept. */
  servedCompletion(id: string): ServedCompletion | undefined {
    return this.completions.find(id);
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
    await this.routers.dispose();
    this.providers.close();
  }
}
