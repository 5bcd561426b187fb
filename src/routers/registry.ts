/**
 * The registry: the list of router definitions. Adding a router is one folder with its
 * definition and one line in `ROUTER_DEFINITIONS`. Definitions import their router's code on
 * first use, so loading the registry (the CLI, the server) loads no model code.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { UnknownModelError, UnknownRouterError } from '../errors.js';
import { shippedWeightsDir } from '../weights-format/paths.js';
import { bertRouter } from './bert/definition.js';
import { causalLLMRouter } from './causal_llm/definition.js';
import type { RouterDefinition } from './definition.js';
import { mfRouter } from './mf/definition.js';
import { qualityRouter } from './quality/definition.js';
import { randomRouter } from './random/definition.js';
import { ridgeRouter } from './ridge/definition.js';
import { swRankingRouter } from './sw_ranking/definition.js';
import type { Router } from './types.js';

/** Every built-in router, in the order help texts list them. */
export const ROUTER_DEFINITIONS = Object.freeze([randomRouter, mfRouter, swRankingRouter, bertRouter, ridgeRouter, causalLLMRouter, qualityRouter] as const);

/** The canonical name of a built-in router. */
export type RouterName = (typeof ROUTER_DEFINITIONS)[number]['name'];

type BuiltInDefinition = (typeof ROUTER_DEFINITIONS)[number];

/** Every accepted spelling of a built-in router: canonical names and aliases (`sw-ranking`, `causal-llm`). */
export type RouterSpelling = BuiltInDefinition['name'] | BuiltInDefinition['aliases'][number];

/** The definition a spelling names (distributes over the definitions, so a router added later is covered). */
type DefinitionFor<Spelling extends string> = BuiltInDefinition extends infer Definition
  ? Definition extends BuiltInDefinition
    ? Spelling extends Definition['name'] | Definition['aliases'][number]
      ? Definition
      : never
    : never
  : never;

/** The options `createRouter(name, options)` takes for the router named `Spelling`, from its definition's schema. */
export type RouterOptionsFor<Spelling extends RouterSpelling> = z.input<DefinitionFor<Spelling>['optionsSchema']>;

/**
 * The name parameter of `createRouter`: a literal must be a router's spelling (a typo is a compile
 * error that lists them); a name only known at run time (`string`) is checked at run time.
 */
export type CheckedRouterName<Name extends string> = string extends Name ? Name : Name extends RouterSpelling ? Name : RouterSpelling;

/** Names of the built-in routers, in table order. */
export const ROUTER_NAMES: readonly RouterName[] = Object.freeze(ROUTER_DEFINITIONS.map((definition) => definition.name));

const BY_SPELLING: ReadonlyMap<string, RouterDefinition<RouterName>> = new Map(
  ROUTER_DEFINITIONS.flatMap((definition) => [definition.name, ...definition.aliases].map((spelling) => [spelling, definition] as const)),
);

/** Every accepted spelling of a router name (names and aliases). */
export function routerSpellings(): string[] {
  return [...BY_SPELLING.keys()];
}

/** The definition of the router of this name or alias, or undefined. */
export function routerDefinition(name: string): RouterDefinition<RouterName> | undefined {
  return BY_SPELLING.get(name);
}

/** The definition of the router of this name or alias; throws `UnknownRouterError` listing the valid names. */
export function requireRouterDefinition(name: string): RouterDefinition<RouterName> {
  const definition = BY_SPELLING.get(name);
  if (!definition) throw new UnknownRouterError(String(name), ROUTER_NAMES);
  return definition;
}

/** The canonical router name for a name or alias, or undefined. */
export function resolveRouterName(name: string): RouterName | undefined {
  return BY_SPELLING.get(name)?.name;
}

/**
 * Builds a router by name (`random`, `mf`, `sw_ranking`, `bert`, `ridge`, `causal_llm`; `sw-ranking`
 * and `causal-llm` are accepted too). Options are checked against that router's schema; bad options
 * throw `InvalidOptionsError`, an unknown name `UnknownRouterError` listing the valid names.
 */
export async function createRouter<const Name extends string>(
  name: CheckedRouterName<Name>,
  options?: Name extends RouterSpelling ? RouterOptionsFor<Name> : unknown,
): Promise<Router> {
  return requireRouterDefinition(name).create(options ?? {});
}

/** A router built for a deployed pair, and the model its weights did not know when it fell back to its default pair. */
export interface RouterForPair {
  router: Router;
  /** The options it was built with. */
  options: Record<string, unknown>;
  /** Set when the weights did not know this model of the deployed pair: the router scores its default pair instead. */
  unknownModel?: string;
}

/**
 * Builds a router for the deployed pair. A router that scores a model pair is asked for
 * `pair` (over any pair in `options`); when its weights do not know one of the models,
 * it is built for its default pair instead and `unknownModel` says which model was missing, so the
 * caller can warn. When even the default pair fails, the first `UnknownModelError` is thrown.
 * Routers that score no pair are built from `options` alone.
 */
export async function createRouterForPair(name: string, options: Record<string, unknown>, pair: { strongModel?: string; weakModel?: string }): Promise<RouterForPair> {
  const definition = requireRouterDefinition(name);
  const asked = Object.fromEntries(Object.entries(pair).filter(([, model]) => model !== undefined));
  if (!definition.scoresModelPair || Object.keys(asked).length === 0) {
    return { router: await definition.create(options), options };
  }
  const withPair = { ...options, ...asked };
  try {
    return { router: await definition.create(withPair), options: withPair };
  } catch (error) {
    if (!UnknownModelError.isInstance(error)) throw error;
    try {
      return { router: await definition.create(options), options, unknownModel: error.model };
    } catch (fallbackError) {
      throw UnknownModelError.isInstance(fallbackError) ? error : fallbackError;
    }
  }
}

/**
 * Routers in order of preference for the default: the best shipped one first, as chosen on
 * validation data carved from the training files (docs/experiments.md, section 10): ridge leads
 * both the exact-pair validation split and the open-ended proxy pair; sw_ranking is next.
 */
export const DEFAULT_ROUTER_PREFERENCE: readonly RouterName[] = ['ridge', 'sw_ranking', 'bert', 'mf'];

/** The router used when nothing ships weights. */
export const BASELINE_ROUTER: RouterName = 'random';

/** The default router: the first of `DEFAULT_ROUTER_PREFERENCE` whose weights ship, else `BASELINE_ROUTER`. */
export function defaultRouterName(): RouterName {
  for (const name of DEFAULT_ROUTER_PREFERENCE) {
    if (existsSync(path.join(shippedWeightsDir(name), 'manifest.json'))) return name;
  }
  return BASELINE_ROUTER;
}
