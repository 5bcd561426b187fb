import { extremeThresholdWarning } from '../calibration/threshold-warning.js';
import { InvalidInputError, InvalidOptionsError, UnknownRouterError } from '../errors.js';
import { assertThreshold } from '../routers/base.js';
import { parseRouterModel } from '../routers/model-string.js';
import { createRouter, createRouterForPair, resolveRouterName, ROUTER_NAMES } from '../routers/registry.js';
import { isPairRouter, type Router } from '../routers/types.js';
import type { RoutingFields } from './types.js';

/** What the pool needs from the controller's options. */
export interface RouterPoolSettings {
  routers: readonly (string | Router)[];
  config: Readonly<Record<string, unknown>>;
  scoreDeployedPair: boolean;
  strongModel: string;
  weakModel: string;
  /** Set when routing among N models: routers are then built from their config alone (no pair). */
  models?: readonly string[];
}

/** A router and threshold a request named. */
export type Routing = Readonly<{ router: string; threshold: number }>;

/**
 * The routers a controller serves, by name: routers given by name are built on first use (or in
 * `ready()`) and disposed with the pool; Router instances are used as they are. Also reads the
 * router and threshold a request names, by one set of rules for chat and `/v1/route`.
 */
export class RouterPool {
  private readonly sources = new Map<string, string | Router>();
  private readonly built = new Map<string, Promise<Router>>();
  private readonly owned = new Set<string>();
  /** Names given as names (not instances): `rebuild` builds these again. */
  private readonly buildable = new Set<string>();
  /** Requests using each built router now (keyed by its promise in `built`). */
  private readonly users = new Map<Promise<Router>, number>();
  /** Replaced routers still in use: disposed when their last request ends. */
  private readonly retired = new Set<Promise<Router>>();
  /** Parsed `router-<name>-<threshold>` strings (the routers are fixed at construction). */
  private readonly modelStrings = new Map<string, Routing>();

  constructor(private readonly settings: RouterPoolSettings) {
    for (const entry of settings.routers) {
      const name = typeof entry === 'string' ? resolveRouterName(entry) : entry.name;
      if (name === undefined) throw new UnknownRouterError(entry as string, ROUTER_NAMES);
      if (this.sources.has(name)) throw new InvalidOptionsError('Controller options', `router "${name}" is listed twice`);
      this.sources.set(name, typeof entry === 'string' ? name : entry);
      if (typeof entry === 'string') {
        this.owned.add(name);
        this.buildable.add(name);
      }
    }
  }

  /** Names of the routers served, in the order given. */
  get names(): string[] {
    return [...this.sources.keys()];
  }

  /** Builds every router now; rejects on the first failure. */
  async ready(): Promise<void> {
    await Promise.all(this.names.map((name) => this.get(name)));
  }

  /** The router of a served name (see `resolveName`). */
  get(name: string): Promise<Router> {
    let promise = this.built.get(name);
    if (!promise) {
      const source = this.sources.get(name)!;
      promise = typeof source === 'string' ? this.build(source) : Promise.resolve(source);
      promise.catch(() => this.built.delete(name));
      this.built.set(name, promise);
    }
    return promise;
  }

  /**
   * Runs `work` with the router of a served name, counted as in use: a router replaced by `replace`
   * meanwhile is disposed only after the last such work ends, so no request sees it disposed.
   */
  async use<T>(name: string, work: (router: Router) => Promise<T>): Promise<T> {
    const promise = this.get(name);
    this.users.set(promise, (this.users.get(promise) ?? 0) + 1);
    try {
      return await work(await promise);
    } finally {
      const left = this.users.get(promise)! - 1;
      if (left > 0) this.users.set(promise, left);
      else {
        this.users.delete(promise);
        if (this.retired.delete(promise)) void disposeQuietly(promise);
      }
    }
  }

  /**
   * Serves `router` under its name from now on (the name must be served). The router it replaces
   * is disposed once the requests using it end; the pool owns the new one (disposed with the pool).
   */
  replace(router: Router): void {
    const name = this.resolveName(router.name);
    const previous = this.built.get(name);
    this.sources.set(name, router);
    this.owned.add(name);
    this.built.set(name, Promise.resolve(router));
    if (!previous) return;
    if (this.users.has(previous)) this.retired.add(previous);
    else void disposeQuietly(previous);
  }

  /** Builds a fresh router for each name the pool built from a name (reading its weights again); none is swapped in unless all build. */
  async rebuild(): Promise<Router[]> {
    const names = this.names.filter((name) => this.buildable.has(name));
    const results = await Promise.allSettled(names.map((name) => this.build(name)));
    const failure = results.find((result) => result.status === 'rejected');
    if (!failure) return results.map((result) => (result as PromiseFulfilledResult<Router>).value);
    // The ones that did build are not swapped in: free them.
    await Promise.all(results.map((result) => (result.status === 'fulfilled' ? result.value.dispose() : undefined)));
    throw failure.reason;
  }

  /** A served router's name from a name or alias; undefined picks the only router. */
  resolveName(router: string | undefined): string {
    if (router === undefined) {
      if (this.sources.size === 1) return this.names[0];
      throw new InvalidInputError('router', `a router name (this controller serves ${this.names.join(', ')})`);
    }
    const name = this.sources.has(router) ? router : (resolveRouterName(router) ?? router);
    if (!this.sources.has(name)) throw new UnknownRouterError(router, this.names);
    return name;
  }

  /**
   * The router and threshold a request names: `router` and `threshold`, or else a
   * `router-<name>-<threshold>` model string; throws the typed error of the first bad field.
   */
  resolveRouting(params: { [K in keyof RoutingFields]?: unknown }): Routing {
    if (params.models !== undefined) {
      throw new InvalidInputError('models', 'no `models`: this controller routes between strongModel and weakModel (a subset of models needs a controller with `models`)');
    }
    if (params.router !== undefined || params.threshold !== undefined) {
      if (params.router !== undefined && typeof params.router !== 'string') throw new InvalidInputError('router', 'a router name');
      if (params.threshold === undefined) throw new InvalidInputError('threshold', 'a number in [0, 1] with `router`');
      assertThreshold(params.threshold);
      return { router: this.resolveName(params.router), threshold: params.threshold };
    }
    if (typeof params.model !== 'string') {
      throw new InvalidInputError('model', 'a model string "router-<name>-<threshold>", or `router` and `threshold`');
    }
    const cached = this.modelStrings.get(params.model);
    if (cached) return cached;
    let parsed: { router: string; threshold: number };
    try {
      parsed = parseRouterModel(params.model, this.names);
    } catch (error) {
      if (UnknownRouterError.isInstance(error)) throw new UnknownRouterError(error.router, this.names);
      throw error;
    }
    // Frozen: the cached object is handed to every later request with this model string.
    const routing = Object.freeze({ router: this.resolveName(parsed.router), threshold: parsed.threshold });
    const warning = extremeThresholdWarning(routing.router, routing.threshold, this.routerConfig(routing.router).weightsDir as string | undefined);
    if (warning) process.emitWarning(warning, { code: 'ROUTELLM_EXTREME_THRESHOLD' });
    // Clients send the same few model strings: each is parsed once (only valid ones are kept).
    if (this.modelStrings.size >= 1024) this.modelStrings.clear();
    this.modelStrings.set(params.model, routing);
    return routing;
  }

  /** Disposes the routers built from names or swapped in by `replace` (Router instances given at construction stay usable). */
  async dispose(): Promise<void> {
    const owned = [...this.owned].filter((name) => this.built.has(name));
    await Promise.all([...owned.map((name) => disposeQuietly(this.built.get(name)!)), ...[...this.retired].map(disposeQuietly)]);
    this.retired.clear();
    for (const name of owned) this.built.delete(name);
  }

  /** Options for a router by name from `config`, keyed by its name or any alias. */
  private routerConfig(name: string): Record<string, unknown> {
    for (const [key, value] of Object.entries(this.settings.config)) {
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
  private async build(name: string): Promise<Router> {
    const config = this.routerConfig(name);
    const { strongModel, weakModel } = this.settings;
    if (this.settings.models || !this.settings.scoreDeployedPair || 'strongModel' in config || 'weakModel' in config) return createRouter(name, config);
    const { router, unknownModel } = await createRouterForPair(name, config, { strongModel, weakModel });
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
}

/** Disposes a built router; a build that failed has nothing to dispose. */
async function disposeQuietly(promise: Promise<Router>): Promise<void> {
  await (await promise.catch(() => undefined))?.dispose();
}
