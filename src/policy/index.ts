/**
 * Choosing one of N models for a prompt from each model's predicted quality and expected cost.
 * Sits beside the routers (it needs no router): the controller, the server, the CLI and the
 * evaluation harness all choose through it, so a knob value means the same everywhere.
 *
 * The knob `k` in [0, 1] picks the model that maximises `k * quality - (1 - k) * cost`, with cost
 * normalised over the candidates (the cheapest 0, the dearest 1) on a log scale by default: prices
 * span orders of magnitude, and a linear scale puts every cheap model near 0. `costScale: 'linear'`
 * is the other choice: it matches a budget in mean dollars per request, and cross-validation chose
 * it on two of our three N-model sets (the third tied; docs/experiments.md, section 13). `k = 0` is the
 * cheapest model, `k = 1` the best predicted one. For a fixed prompt the chosen model's cost never
 * falls as `k` rises: the maximiser of a linear score whose quality weight grows walks up the
 * cost-quality frontier.
 */
import { InvalidInputError } from '../errors.js';

export { AnswerLengths } from './answer-lengths.js';

/** A price in US dollars per 1M tokens. */
export interface TokenPrice {
  /** Dollars per 1M input (prompt) tokens. */
  input: number;
  /** Dollars per 1M output (completion) tokens. */
  output: number;
}

/** How to choose among the candidates. */
export type ChoicePolicy =
  /**
   * The cost-quality knob in [0, 1]: 0 always the cheapest, 1 always the best predicted.
   * `costScale`: how costs are put on [0, 1] across the candidates, `log` (default) or `linear`.
   */
  | { knob: number; costScale?: CostScale }
  /** The cheapest model whose predicted quality is at most `withinBest` below the best one's. */
  | { withinBest: number };

/**
 * How the knob sees cost: `log` puts the cheapest candidate at 0 and the dearest at 1 on a log
 * scale (a 10x step counts the same anywhere), `linear` on a linear one (dollars count the same
 * anywhere, the scale of a mean-cost budget).
 */
export type CostScale = 'log' | 'linear';

/** One candidate model for one prompt. */
export interface Candidate {
  model: string;
  /** Predicted quality, higher is better (a router's per-model score). */
  quality: number;
  /** Expected cost of answering, in any unit shared by all candidates (dollars per request). */
  cost: number;
}

/** The choice for one prompt. */
export interface ModelChoice {
  /** The chosen model. */
  model: string;
  /** Its index in the candidate list. */
  index: number;
}

function assertUnit(value: unknown, input: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidInputError(input, `a finite number in [0, 1], got ${String(value)}`);
  }
}

/** Throws `InvalidInputError` unless `policy` is a knob or a within-best margin in [0, 1]. */
export function assertPolicy(policy: ChoicePolicy): void {
  if ('knob' in policy) {
    assertUnit(policy.knob, 'knob');
    if (policy.costScale !== undefined && policy.costScale !== 'log' && policy.costScale !== 'linear') {
      throw new InvalidInputError('costScale', `"log" or "linear", got ${JSON.stringify(policy.costScale)}`);
    }
  }
  else if ('withinBest' in policy) assertUnit(policy.withinBest, 'withinBest');
  else throw new InvalidInputError('policy', '{ knob } or { withinBest }');
}

function assertCandidates(candidates: readonly Candidate[]): void {
  if (candidates.length < 2) throw new InvalidInputError('models', `at least two models to choose from, got ${candidates.length}`);
  for (const { model, quality, cost } of candidates) {
    if (!Number.isFinite(quality)) throw new InvalidInputError(`quality of "${model}"`, `a finite number, got ${quality}`);
    if (!Number.isFinite(cost) || cost < 0) throw new InvalidInputError(`cost of "${model}"`, `a finite number >= 0, got ${cost}`);
  }
}

/** Costs on [0, 1] between the cheapest and the dearest candidate (all 0 when equal). */
function normalisedCosts(candidates: readonly Candidate[], scale: CostScale): number[] {
  if (scale === 'linear') {
    const low = Math.min(...candidates.map((c) => c.cost));
    const span = Math.max(...candidates.map((c) => c.cost)) - low;
    return candidates.map((c) => (span > 0 ? (c.cost - low) / span : 0));
  }
  // A free model (cost 0) sits a decade below the cheapest priced one rather than at -infinity.
  const priced = candidates.map((c) => c.cost).filter((cost) => cost > 0);
  const floor = priced.length > 0 ? Math.min(...priced) / 10 : 1;
  const logs = candidates.map((c) => Math.log(Math.max(c.cost, floor)));
  const low = Math.min(...logs);
  const span = Math.max(...logs) - low;
  return logs.map((value) => (span > 0 ? (value - low) / span : 0));
}

/**
 * Chooses one candidate. Ties go to the cheaper model, then to the earlier one in the list.
 * Throws `InvalidInputError` for a policy outside [0, 1], fewer than two candidates, or a
 * non-finite quality or cost.
 */
export function chooseModel(candidates: readonly Candidate[], policy: ChoicePolicy): ModelChoice {
  assertPolicy(policy);
  assertCandidates(candidates);
  let best = 0;
  if ('knob' in policy) {
    const costs = normalisedCosts(candidates, policy.costScale ?? 'log');
    const value = (i: number) => policy.knob * candidates[i].quality - (1 - policy.knob) * costs[i];
    for (let i = 1; i < candidates.length; i++) {
      const gain = value(i) - value(best);
      if (gain > 1e-12 || (Math.abs(gain) <= 1e-12 && candidates[i].cost < candidates[best].cost)) best = i;
    }
  } else {
    const top = Math.max(...candidates.map((c) => c.quality));
    for (let i = 1; i < candidates.length; i++) {
      const c = candidates[i];
      if (c.quality < top - policy.withinBest) continue;
      const current = candidates[best];
      if (current.quality < top - policy.withinBest || c.cost < current.cost || (c.cost === current.cost && c.quality > current.quality)) {
        best = i;
      }
    }
  }
  return { model: candidates[best].model, index: best };
}

/** Roughly four characters per token, for an input-token estimate without a tokenizer. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/**
 * Expected dollars for one request on each model: `inputTokens` at the input price plus the
 * model's expected output tokens (`outputTokens[model]`, else `defaultOutputTokens`) at the output
 * price. Throws `InvalidInputError` naming the first model without a price.
 */
export function expectedCosts(
  models: readonly string[],
  prices: Readonly<Record<string, TokenPrice>>,
  inputTokens: number,
  options: { outputTokens?: Readonly<Record<string, number>>; defaultOutputTokens?: number } = {},
): number[] {
  const fallback = options.defaultOutputTokens ?? DEFAULT_OUTPUT_TOKENS;
  return models.map((model) => {
    const price = prices[model];
    if (!price) throw new InvalidInputError(`price of "${model}"`, 'a price per 1M input and output tokens (the policy needs every model\'s price)');
    const output = options.outputTokens?.[model] ?? fallback;
    return (inputTokens * price.input + output * price.output) / 1_000_000;
  });
}

/** Output tokens assumed per answer when a model has no estimate from logs. */
export const DEFAULT_OUTPUT_TOKENS = 300;
