/**
 * The flags of routing among N models, shared by `route`, `score` and `serve`: `--models a b c`,
 * `--prices a=30,b=2.5/10`, `--knob k`, `--within-best m`, and building a router that scores N
 * models.
 */
import { pairOnlyRouterMessage } from '../controller/model-choice.js';
import { resolveModelSubset } from '../controller/model-routing.js';
import { modelChoiceOptionsShape } from '../controller/model-options.js';
import { z } from 'zod';
import type { ChoicePolicy, TokenPrice } from '../policy/index.js';
import { parsePrices } from '../eval/prices.js';
import { InvalidInputError } from '../errors.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BASELINE_ROUTER, createRouter, DEFAULT_ROUTER_PREFERENCE, requireRouterDefinition } from '../routers/registry.js';
import { shippedWeightsDir } from '../weights-format/paths.js';
import { isModelScoringRouter, type ModelScoringRouter } from '../routers/types.js';
import { CliUsageError, listFlag, numberFlag, stringFlag, type FlagSpec, type ParsedArgs } from './args.js';
import { routerOptionsFor, type SharedRouterFlags } from './shared.js';

/** `--models` and `--prices`. */
export const MODELS_FLAGS: readonly FlagSpec[] = Object.freeze([
  { name: 'models', type: 'list', value: '<ids...>', description: 'route among these models (at least two) instead of a strong/weak pair' },
  {
    name: 'prices',
    type: 'string',
    value: '<m=p,...>',
    description: 'with --models: dollars per 1M tokens per model, "model=price" (input and output) or "model=input/output", e.g. a=30,b=2.5/10',
  },
] satisfies FlagSpec[]);

/** `--knob` and `--within-best`. */
export const POLICY_FLAGS: readonly FlagSpec[] = Object.freeze([
  { name: 'knob', type: 'number', value: '<k>', description: 'with --models: cost-quality knob in [0, 1] (0 the cheapest model, 1 the best predicted; default 0.5)' },
  { name: 'within-best', type: 'number', value: '<m>', description: 'with --models: instead of --knob, the cheapest model predicted within m of the best' },
] satisfies FlagSpec[]);

/** The default router among N models: the first of the preference that scores N models and ships weights, else `random`. */
export function defaultModelRouterName(): string {
  const shipped = DEFAULT_ROUTER_PREFERENCE.find(
    (name) => requireRouterDefinition(name).scoresModels && existsSync(path.join(shippedWeightsDir(name), 'manifest.json')),
  );
  return shipped ?? BASELINE_ROUTER;
}

/** The knob used when neither `--knob` nor `--within-best` is given. */
export const DEFAULT_KNOB = 0.5;

/** `--models`, checked: at least two, each once; undefined without the flag. */
export function modelsFlag(args: ParsedArgs): string[] | undefined {
  const models = listFlag(args, 'models');
  if (models === undefined) return undefined;
  if (models.length < 2) throw new CliUsageError(`--models needs at least two models, got ${models.length} (for one pair use --strong-model and --weak-model).`, '--models');
  const repeated = models.find((model, index) => models.indexOf(model) !== index);
  if (repeated !== undefined) throw new CliUsageError(`--models lists "${repeated}" twice.`, '--models');
  return models;
}

/**
 * `--prices a=30,b=2.5/10` as a price table (dollars per 1M input and output tokens); with
 * `required`, every model of `models` needs an entry. Names may contain `=` only before the last one.
 */
export function pricesFlag(args: ParsedArgs, models: readonly string[], required: boolean, modelsFrom = '--models'): Record<string, TokenPrice> | undefined {
  const text = stringFlag(args, 'prices');
  if (text === undefined) {
    if (required) throw new CliUsageError(`--prices is needed with --models: the policy weighs each model's cost, e.g. --prices ${models.map((model) => `${model}=1`).join(',')}`, '--prices');
    return undefined;
  }
  const prices: Record<string, TokenPrice> = {};
  for (const entry of text.split(',').filter((part) => part.trim() !== '')) {
    let parsed: Record<string, TokenPrice>;
    try {
      parsed = parsePrices(entry);
    } catch (error) {
      if (!InvalidInputError.isInstance(error)) throw error;
      throw new CliUsageError(`--prices: "${entry}" is not "model=price" or "model=input/output" (dollars per 1M tokens, >= 0).`, '--prices');
    }
    const [[model, price]] = Object.entries(parsed);
    if (!models.includes(model)) throw new CliUsageError(`--prices: "${model}" is not one of ${modelsFrom} (${models.join(', ')}).`, '--prices');
    prices[model] = price;
  }
  const missing = models.filter((model) => !prices[model]);
  if (required && missing.length > 0) throw new CliUsageError(`--prices: no price for ${missing.join(', ')} (every model of ${modelsFrom} needs one).`, '--prices');
  return prices;
}

/** The Controller options of an N-model deployment that shape a choice, as a `--config` file's `server` entry sets them. */
const DEPLOYMENT_KEYS = ['models', 'prices', 'outputTokens', 'defaultOutputTokens'] as const;

/** An N-model deployment from `--config`'s `server` entry: its models, and the Controller options that shape a choice. */
export interface Deployment {
  models: string[];
  options: Record<string, unknown>;
}

/**
 * The models, prices and output-token expectations of `server` in `--config`; undefined when it
 * names no `models`. Models that are not two or more distinct ids are a usage error naming the file.
 */
export function deploymentOf(flags: SharedRouterFlags): Deployment | undefined {
  if (flags.server.models === undefined) return undefined;
  const models = modelChoiceOptionsShape.models.safeParse(flags.server.models);
  if (!models.success || !models.data) {
    const problem = models.success ? 'expected a list of model ids' : z.prettifyError(models.error);
    throw new CliUsageError(`--config ${flags.configFile}: server.models: ${problem}`, '--config');
  }
  const options = Object.fromEntries(DEPLOYMENT_KEYS.filter((key) => flags.server[key] !== undefined).map((key) => [key, flags.server[key]]));
  return { models: models.data, options };
}

/**
 * `--models` beside a deployment's models (`server.models` of `--config`): the subset this
 * invocation chooses among, by the rule of a request's `models` field (`resolveModelSubset`):
 * deployed names only, each once, in the deployment's order; one model pins the choice. Undefined
 * without the flag (every deployed model is a candidate).
 */
export function modelSubsetFlag(args: ParsedArgs, deployed: readonly string[], configFile: string | undefined): string[] | undefined {
  try {
    const subset = resolveModelSubset(listFlag(args, 'models'), deployed, '--models');
    return subset && [...subset];
  } catch (error) {
    if (!InvalidInputError.isInstance(error)) throw error;
    throw new CliUsageError(`${error.message} (the deployed models are server.models of ${configFile})`, '--models');
  }
}

/** `--knob` or `--within-best` (not both), each in [0, 1]; the default knob without either. */
export function policyFlag(args: ParsedArgs): ChoicePolicy {
  const knob = numberFlag(args, 'knob');
  const withinBest = numberFlag(args, 'within-best');
  if (knob !== undefined && withinBest !== undefined) throw new CliUsageError('Give --knob or --within-best, not both.', '--knob');
  const [flag, value] = withinBest !== undefined ? ['--within-best', withinBest] : ['--knob', knob ?? DEFAULT_KNOB];
  if (value < 0 || value > 1) throw new CliUsageError(`${flag} must be a number in [0, 1], got ${value}.`, flag);
  return withinBest !== undefined ? { withinBest } : { knob: value };
}

/** Refuses the two-model flags next to `--models`. */
export function assertNoPairFlags(args: ParsedArgs, flags: readonly string[]): void {
  const given = flags.find((flag) => args.flags[flag] !== undefined);
  if (given !== undefined) throw new CliUsageError(`--${given} applies to strong/weak routing; with --models use --knob or --within-best.`, `--${given}`);
}

/**
 * Builds a router that scores N models, from the shared flags (no model pair). A router whose
 * definition scores pairs only is refused before it loads, naming the routers that can.
 */
export async function buildModelRouter(name: string, flags: SharedRouterFlags, flag = '--router'): Promise<ModelScoringRouter> {
  const definition = requireRouterDefinition(name);
  if (!definition.scoresModels) throw new CliUsageError(`${flag}: ${pairOnlyRouterMessage(definition.name)}.`, flag);
  const router = await createRouter(definition.name, routerOptionsFor(definition.name, flags));
  if (!isModelScoringRouter(router)) {
    await router.dispose();
    throw new CliUsageError(`${flag}: ${pairOnlyRouterMessage(definition.name)}.`, flag);
  }
  return router;
}
