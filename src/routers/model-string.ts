import { InvalidModelStringError, UnknownRouterError } from '../errors.js';
import { assertThreshold } from './base.js';
import { resolveRouterName, ROUTER_NAMES, routerSpellings } from './registry.js';

/** A parsed `router-<name>-<threshold>` model string. */
export interface RouterModel {
  /** The router name as written (canonical for built-in routers). */
  router: string;
  threshold: number;
}

// A sign is read too, so `router-mf--0.1` is a threshold out of range, not "not a number".
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * Parses `router-<name>-<threshold>`, e.g. `router-mf-0.116`, `router-causal-llm-1e-05`. Router
 * names may contain dashes, so known names (`extraRouters` plus the built-in names and aliases)
 * are matched first, longest first. Errors: `InvalidModelStringError` for a string of the wrong
 * shape or a threshold that is not a number, `UnknownRouterError` for an unknown name,
 * `InvalidThresholdError` for a number outside [0, 1].
 */
export function parseRouterModel(model: string, extraRouters: readonly string[] = []): RouterModel {
  if (typeof model !== 'string') throw new InvalidModelStringError(String(model), 'not a string');
  if (!model.startsWith('router-')) throw new InvalidModelStringError(model, 'it does not start with "router-"');
  const rest = model.slice('router-'.length);
  const known = [...new Set([...extraRouters, ...routerSpellings()])].sort((a, b) => b.length - a.length);
  const matched = known.find((name) => rest.startsWith(`${name}-`));
  let name: string;
  let thresholdText: string;
  if (matched) {
    name = matched;
    thresholdText = rest.slice(matched.length + 1);
  } else {
    const dash = rest.lastIndexOf('-');
    if (dash < 0) throw new InvalidModelStringError(model, 'the threshold is missing');
    name = rest.slice(0, dash);
    thresholdText = rest.slice(dash + 1);
    // Tolerate an exponent's dash: "router-x-1e-05" splits as "x" and "1e-05".
    const exponent = /^(.*)-(\d+(?:\.\d*)?e)$/i.exec(name);
    if (exponent) {
      name = exponent[1];
      thresholdText = `${exponent[2]}-${thresholdText}`;
    }
    if (name === '') throw new InvalidModelStringError(model, 'the router name is empty');
    if (!NUMBER.test(thresholdText)) {
      throw new InvalidModelStringError(model, `the threshold "${thresholdText}" is not a number`);
    }
    throw new UnknownRouterError(name, [...new Set([...extraRouters, ...ROUTER_NAMES])]);
  }
  if (thresholdText === '') throw new InvalidModelStringError(model, 'the threshold is missing');
  if (!NUMBER.test(thresholdText)) {
    throw new InvalidModelStringError(model, `the threshold "${thresholdText}" is not a number`);
  }
  const threshold = Number(thresholdText);
  assertThreshold(threshold);
  return { router: resolveRouterName(name) ?? name, threshold };
}
