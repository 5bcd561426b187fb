import { UnknownRouterError } from '../errors.js';
import { RandomRouter } from './random/index.js';
import type { Router } from './types.js';

/** One entry of the router table. */
interface RouterEntry {
  /** Other spellings accepted for the name. */
  aliases: readonly string[];
  /** Whether its options take `strongModel` / `weakModel` (the pair it scores). */
  scoresModelPair: boolean;
  /** Builds the router; validates `options` against the router's own schema. */
  create(options: unknown): Promise<Router>;
}

// Routers other than random are imported when first created, so loading the registry (the CLI,
// the server) does not load TensorFlow.js or onnxruntime until a router needs them.
const ROUTERS = Object.freeze({
  random: { aliases: [], scoresModelPair: false, create: async (options: unknown) => new RandomRouter(options as object) },
  sw_ranking: { aliases: ['sw-ranking'], scoresModelPair: true, create: async (options: unknown) => (await import('./sw_ranking/index.js')).SwRankingRouter.create(options as object) },
  mf: { aliases: [], scoresModelPair: true, create: async (options: unknown) => (await import('./mf/index.js')).createMfRouter(options as object) },
  bert: { aliases: [], scoresModelPair: false, create: async (options: unknown) => (await import('./bert/index.js')).createBertRouter(options as object) },
  ridge: { aliases: [], scoresModelPair: false, create: async (options: unknown) => (await import('./ridge/index.js')).createRidgeRouter(options as object) },
  causal_llm: { aliases: ['causal-llm'], scoresModelPair: false, create: async (options: unknown) => (await import('./causal_llm/index.js')).CausalLLMRouter.create(options as object) },
} satisfies Record<string, RouterEntry>);

/** The canonical name of a built-in router. */
export type RouterName = keyof typeof ROUTERS;

/** Names of the built-in routers, in table order. */
export const ROUTER_NAMES = Object.freeze(Object.keys(ROUTERS) as RouterName[]);

const BY_SPELLING: ReadonlyMap<string, RouterName> = new Map(
  ROUTER_NAMES.flatMap((name) => [[name, name] as const, ...ROUTERS[name].aliases.map((alias) => [alias, name] as const)]),
);

/** Every accepted spelling of a router name (names and aliases). */
export function routerSpellings(): string[] {
  return [...BY_SPELLING.keys()];
}

/** The canonical router name for a name or alias, or undefined. */
export function resolveRouterName(name: string): RouterName | undefined {
  return BY_SPELLING.get(name);
}

/** Whether the router of this name (or alias) takes `strongModel` / `weakModel` options; false for unknown names. */
export function routerScoresModelPair(name: string): boolean {
  const canonical = resolveRouterName(name);
  return canonical ? ROUTERS[canonical].scoresModelPair : false;
}

/**
 * Builds a router by name (`random`, `sw_ranking`, `mf`, `bert`, `ridge`, `causal_llm`; `sw-ranking` and
 * `causal-llm` are accepted too). Options are checked against that router's schema; bad options
 * throw `InvalidOptionsError`, an unknown name `UnknownRouterError` listing the valid names.
 */
export async function createRouter(name: string, options: unknown = {}): Promise<Router> {
  const canonical = resolveRouterName(name);
  if (!canonical) throw new UnknownRouterError(String(name), ROUTER_NAMES);
  const entry: RouterEntry = ROUTERS[canonical];
  return entry.create(options);
}
