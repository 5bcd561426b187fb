import type { CompletionUsage } from 'openai/resources/completions';
import { AnswerLengths } from '../policy/index.js';
import type { ModelPrice } from './options.js';

/** Cost of one request in US dollars, with what the strong model would have cost for the same tokens. */
export interface RequestCost {
  /** What the request cost on the model that answered. */
  model_usd: number;
  /** What the same tokens would have cost on the strong model. */
  strong_usd: number;
  /** `strong_usd - model_usd` (0 when the strong model answered). */
  savings_usd: number;
}

/** Counts of one router. */
export interface RouterCounts {
  /** Requests routed (completed or failed). */
  requests: number;
  /** Decisions for the strong model. */
  strong: number;
  /** Decisions for the weak model. */
  weak: number;
  /** Requests answered by the other model after a failure. */
  fallbacks: number;
  /** Requests that ended in an error after routing. */
  errors: number;
  /** Routing among N models: decisions per chosen model (absent for strong/weak routing). */
  chosen?: Record<string, number>;
}

/** Counts of one model. */
export interface ModelCounts {
  /** Requests this model answered. */
  requests: number;
  promptTokens: number;
  completionTokens: number;
  /** Dollars spent on it (0 without a price). */
  costUsd: number;
}

/** A snapshot of a controller's counts since creation or `resetStats()`. */
export interface ControllerStats {
  /** Requests routed. */
  requests: number;
  /** Requests that ended in an error after routing. */
  errors: number;
  /** Requests answered by the other model after a failure. */
  fallbacks: number;
  routers: Record<string, RouterCounts>;
  models: Record<string, ModelCounts>;
  /** Dollars spent (requests with a priced model and known usage). */
  costUsd: number;
  /** Dollars the same requests would have cost on the strong model. */
  strongOnlyCostUsd: number;
  /** `strongOnlyCostUsd - costUsd`. */
  savingsUsd: number;
}

/** Dollars for `usage` at `price` (per 1M tokens). */
export function usageCost(usage: CompletionUsage, price: ModelPrice): number {
  return (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1_000_000;
}

/**
 * Cost of a request on `model`, and on the strong model for the same token counts. Undefined
 * when either model has no price. The strong estimate reuses the answering model's token counts:
 * an approximation, since another model tokenises and answers differently.
 */
export function requestCost(
  usage: CompletionUsage | undefined,
  model: string,
  strongModel: string,
  prices: Readonly<Record<string, ModelPrice>> | undefined,
): RequestCost | undefined {
  if (!usage || !prices) return undefined;
  const price = prices[model];
  const strongPrice = prices[strongModel];
  if (!price || !strongPrice) return undefined;
  const modelUsd = usageCost(usage, price);
  const strongUsd = model === strongModel ? modelUsd : usageCost(usage, strongPrice);
  return { model_usd: modelUsd, strong_usd: strongUsd, savings_usd: strongUsd - modelUsd };
}

/** Mutable counters behind `controller.stats()`. */
export class Accounting {
  private stats = Accounting.empty();
  /** Answer lengths per model, for the expected output of routing among N models. */
  readonly answerLengths = new AnswerLengths();

  private static empty(): ControllerStats {
    return { requests: 0, errors: 0, fallbacks: 0, routers: {}, models: {}, costUsd: 0, strongOnlyCostUsd: 0, savingsUsd: 0 };
  }

  private router(name: string): RouterCounts {
    return (this.stats.routers[name] ??= { requests: 0, strong: 0, weak: 0, fallbacks: 0, errors: 0 });
  }

  /** Counts a routing decision of a request that goes upstream. */
  decided(router: string, decision: 'strong' | 'weak'): void {
    this.stats.requests++;
    const counts = this.router(router);
    counts.requests++;
    counts[decision]++;
  }

  /** Counts a choice among N models of a request that goes upstream. */
  chose(router: string, model: string): void {
    this.stats.requests++;
    const counts = this.router(router);
    counts.requests++;
    counts.chosen ??= {};
    counts.chosen[model] = (counts.chosen[model] ?? 0) + 1;
  }

  /** Counts a fallback to the other model. */
  fellBack(router: string): void {
    this.stats.fallbacks++;
    this.router(router).fallbacks++;
  }

  /** Counts a request that failed after routing. */
  failed(router: string): void {
    this.stats.errors++;
    this.router(router).errors++;
  }

  /** Counts an answer of `model` with its usage and cost. */
  answered(model: string, usage: CompletionUsage | undefined, cost: RequestCost | undefined): void {
    const counts = (this.stats.models[model] ??= { requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 });
    counts.requests++;
    counts.promptTokens += usage?.prompt_tokens ?? 0;
    counts.completionTokens += usage?.completion_tokens ?? 0;
    if (usage) this.answerLengths.record(model, usage.completion_tokens);
    if (cost) {
      counts.costUsd += cost.model_usd;
      this.stats.costUsd += cost.model_usd;
      this.stats.strongOnlyCostUsd += cost.strong_usd;
      this.stats.savingsUsd = this.stats.strongOnlyCostUsd - this.stats.costUsd;
    }
  }

  /** A deep copy of the counters. */
  snapshot(): ControllerStats {
    return structuredClone(this.stats);
  }

  /** Sets every counter back to zero. */
  reset(): void {
    this.stats = Accounting.empty();
    this.answerLengths.clear();
  }
}
