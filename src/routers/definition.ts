/**
 * What the library knows about a router, in one place: its name, options, how it is built,
 * evaluated and calibrated, and how it is trained. Each router folder exports one definition;
 * the registry is the list of them, and the CLI, the evaluation harness, calibration, the
 * controller and the server read only that list.
 */
import type { z } from 'zod';
import type { TrainingResult } from '../train/pipeline.js';
import type { Router } from './types.js';

/** The `routellm train` flags that only some trainers take (`pair`: `--strong-model` / `--weak-model`). */
export type TrainerFlag = 'seed' | 'epochs' | 'numTiers' | 'pair';

/** How a router is trained: what `routellm train <name>` runs. */
export interface TrainerDefinition {
  /** What it fits, and the function, for the summary line, e.g. `matrix factorisation on prompt embeddings (trainMf)`. */
  readonly describe: string;
  /** The optional flags it does not take, each with why (shown after `--<flag>: <router> `). Flags not listed are taken. */
  readonly refuses: Readonly<Partial<Record<TrainerFlag, string>>>;
  /** Trains with `options` (checked by the trainer's own schema) and writes the weights folder `options.output`. */
  train(options: Record<string, unknown>): Promise<TrainingResult<object>>;
  /** Lines of the CLI summary beyond the common result (snake_case keys). */
  summary(details: object): Record<string, unknown>;
}

/**
 * One router, as the registry lists it. The type keeps its literal name, its options schema and its
 * aliases, so `createRouter` can type each router's options (see `RouterOptionsFor`).
 */
export interface RouterDefinition<Name extends string = string, Schema extends z.ZodType = z.ZodType, Alias extends string = string> {
  /** The canonical name (`createRouter(name)`, `router-<name>-<threshold>`, `weights/<name>`). */
  readonly name: Name;
  /** Other accepted spellings. */
  readonly aliases: readonly Alias[];
  /** One line for help texts. */
  readonly summary: string;
  /** Its options (validated by `create`). */
  readonly optionsSchema: Schema;
  /** Builds the router; bad options throw `InvalidOptionsError`. Implementations are imported on first use. */
  create(options: unknown): Promise<Router>;
  /** Whether it scores one pair of the models its weights know: it then takes `strongModel`, `weakModel` and `modelMapping`. */
  readonly scoresModelPair: boolean;
  /** Whether its routers score N models (`ModelScoringRouter`); the others score one pair only. */
  readonly scoresModels: boolean;
  /** Whether it reads a weights folder: it then takes `weightsDir`, defaulting to the shipped `weights/<name>`. */
  readonly weights: boolean;
  /**
   * The threshold for a share of strong calls without the caller's prompts: `sample` reads the
   * router's scores on a default sample (`calibration.json` in its weights folder); `uniform`
   * means its scores are uniform on [0, 1), so the threshold is 1 - share.
   */
  readonly calibration: 'sample' | 'uniform';
  /** How the evaluation harness scores it: `once`, or `seeds` (a fresh `seed` option per run, results averaged). */
  readonly evaluation: 'once' | 'seeds';
  /** How it is trained; undefined when this library does not train it (then `untrainable` says why). */
  readonly trainer?: TrainerDefinition;
  /** Why `routellm train <name>` cannot train it. */
  readonly untrainable?: string;
}

/**
 * A definition as written in a router folder: `aliases` default to none, `calibration` to
 * `sample`, `evaluation` to `once`, `scoresModels` to false.
 */
export type RouterDefinitionInput<Name extends string, Schema extends z.ZodType = z.ZodType, Alias extends string = string> = Omit<
  RouterDefinition<Name, Schema, Alias>,
  'aliases' | 'calibration' | 'evaluation' | 'scoresModels'
> &
  Partial<Pick<RouterDefinition<Name, Schema, Alias>, 'aliases' | 'calibration' | 'evaluation' | 'scoresModels'>>;

/** Completes and freezes a definition, keeping its literal name, options schema and aliases in the type. */
export function defineRouter<const Name extends string, Schema extends z.ZodType, const Alias extends string = never>(
  definition: RouterDefinitionInput<Name, Schema, Alias>,
): RouterDefinition<Name, Schema, Alias> {
  return Object.freeze({ calibration: 'sample', evaluation: 'once', scoresModels: false, ...definition, aliases: Object.freeze([...(definition.aliases ?? [])]) });
}
