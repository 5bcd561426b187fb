/**
 * How a request names its router and policy when the controller routes among N models:
 *
 * - `router-<name>-<k>`: the cost-quality knob k in [0, 1] (0 the cheapest model, 1 the best
 *   predicted), e.g. `router-mf-0.3`; the same spelling as a two-model threshold.
 * - `router-<name>-within-<m>`: the cheapest model whose predicted quality is at most m (in [0, 1])
 *   below the best one's, e.g. `router-mf-within-0.05`.
 * - or the fields `router` with `knob`, or `router` with `within_best`.
 *
 * A request may also narrow the candidates with `models`: a subset of the configured models.
 */
import { InvalidInputError, InvalidModelStringError, InvalidThresholdError, UnknownRouterError } from '../errors.js';
import type { ChoicePolicy } from '../policy/index.js';
import { parseRouterModel } from '../routers/model-string.js';

/**
 * A router and the policy a request named; `models`, when the request narrowed the candidates, the
 * configured models it kept (in the configured order).
 */
export type ModelRouting = Readonly<{ router: string; policy: ChoicePolicy; models?: readonly string[] }>;

/** The request fields of N-model routing. */
export interface ModelRoutingFields {
  /** `router-<name>-<knob>` or `router-<name>-within-<margin>`. Ignored when `router`, `knob` or `within_best` is given. */
  model?: string;
  /** Router name (defaults to the only router). Use with `knob` or `within_best`. */
  router?: string;
  /** The cost-quality knob in [0, 1]: 0 always the cheapest model, 1 always the best predicted. */
  knob?: number;
  /** Choose the cheapest model predicted within this margin (in [0, 1]) of the best one. */
  within_best?: number;
  /**
   * Choose among these of the configured models only (a set: order and the rest of the list do not
   * matter). One model pins the request to it without asking the router. Default: all of them.
   */
  models?: readonly string[];
}

/** The expected spelling, for errors. */
export const MODEL_ROUTING_GRAMMAR = '"router-<router name>-<knob>" or "router-<router name>-within-<margin>", e.g. "router-mf-0.3"';

const WITHIN = /^(router-.+)-within-(.*)$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

function unitValue(value: unknown, input: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidInputError(input, `a number in [0, 1], got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

/**
 * Parses a model string of N-model routing (see the file's comment). Router names are matched as
 * for two-model strings (`routers`: the served names). Errors: `InvalidModelStringError` for the
 * wrong shape, `UnknownRouterError` for an unknown router, `InvalidInputError` (input `knob` or
 * `within_best`) for a value outside [0, 1].
 */
export function parseModelRoutingString(model: string, routers: readonly string[]): { router: string; policy: ChoicePolicy } {
  const within = WITHIN.exec(model);
  try {
    if (within) {
      // The router name is matched by the two-model parser; the margin is read here.
      const { router } = parseRouterModel(`${within[1]}-0`, routers);
      if (!NUMBER.test(within[2])) throw new InvalidModelStringError(model, `the margin "${within[2]}" is not a number`, MODEL_ROUTING_GRAMMAR);
      return { router, policy: { withinBest: unitValue(Number(within[2]), 'within_best') } };
    }
    const { router, threshold } = parseRouterModel(model, routers);
    return { router, policy: { knob: threshold } };
  } catch (error) {
    if (InvalidThresholdError.isInstance(error)) unitValue(error.threshold, 'knob');
    if (UnknownRouterError.isInstance(error)) throw new UnknownRouterError(error.router, routers);
    if (InvalidModelStringError.isInstance(error) && error.model === model) {
      throw new InvalidModelStringError(model, error.reason.replace('threshold', 'knob'), MODEL_ROUTING_GRAMMAR);
    }
    throw error;
  }
}

/**
 * The candidates a request's `models` field keeps, in the order of `configured`: undefined when the
 * field is absent. `InvalidInputError` (for `input`) for anything but a non-empty array of distinct
 * configured model ids, naming the model at fault.
 */
export function resolveModelSubset(value: unknown, configured: readonly string[], input = 'models'): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const among = `among the configured models (${configured.join(', ')})`;
  if (!Array.isArray(value) || value.length === 0) throw new InvalidInputError(input, `a non-empty array of model ids ${among}`);
  const seen = new Set<string>();
  for (const model of value) {
    if (typeof model !== 'string') throw new InvalidInputError(input, `model ids (strings) ${among}, got ${JSON.stringify(model) ?? String(model)}`);
    if (!configured.includes(model)) throw new InvalidInputError(input, `a subset of the configured models; "${model}" is not one of them (${configured.join(', ')})`);
    if (seen.has(model)) throw new InvalidInputError(input, `each model once; "${model}" is listed twice`);
    seen.add(model);
  }
  return configured.filter((model) => seen.has(model));
}

/**
 * The router and policy of a request: `knob` or `within_best` (with `router`, or the only
 * router), else the model string. `resolveName` maps a router name to a served one. A
 * two-model `threshold` is refused with the field to use instead.
 */
export function resolveModelRouting(
  params: { [K in keyof ModelRoutingFields | 'threshold']?: unknown },
  routers: readonly string[],
  resolveName: (router: string | undefined) => string,
): Omit<ModelRouting, 'models'> {
  if (params.threshold !== undefined) {
    throw new InvalidInputError('threshold', 'no threshold: this controller routes among N models; send `knob` (or `within_best`) with `router`, or a model string ' + MODEL_ROUTING_GRAMMAR);
  }
  if (params.router !== undefined || params.knob !== undefined || params.within_best !== undefined) {
    if (params.router !== undefined && typeof params.router !== 'string') throw new InvalidInputError('router', 'a router name');
    if ((params.knob === undefined) === (params.within_best === undefined)) {
      throw new InvalidInputError('knob', 'either `knob` or `within_best` (a number in [0, 1]) with `router`');
    }
    const policy: ChoicePolicy =
      params.knob !== undefined ? { knob: unitValue(params.knob, 'knob') } : { withinBest: unitValue(params.within_best, 'within_best') };
    return { router: resolveName(params.router as string | undefined), policy };
  }
  if (typeof params.model !== 'string') throw new InvalidInputError('model', `a model string ${MODEL_ROUTING_GRAMMAR}, or \`router\` and \`knob\``);
  const parsed = parseModelRoutingString(params.model, routers);
  return { router: resolveName(parsed.router), policy: parsed.policy };
}
