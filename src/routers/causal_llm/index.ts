import { InvalidInputError } from '../../errors.js';
import { assertPrompts, BaseRouter } from '../base.js';
import type { RatingBackend } from './backend.js';
import { EndpointRatingBackend } from './endpoint-backend.js';
import { strongWinRateFromRatings } from './labels.js';
import { resolveCausalLLMOptions, type CausalLLMRouterOptions, type ResolvedCausalLLMOptions } from './options.js';
import { assertConversation, type ConversationTurn } from './prompt.js';
import { emptyStats, type CausalLLMRouterStats } from './stats.js';

export { causalLLMRouterOptionsSchema } from './options.js';
export type { CausalLLMRouterOptions } from './options.js';
export { DEFAULT_COMPLETION_FORMAT, DEFAULT_SYSTEM_PROMPT, DEFAULT_TEMPLATE } from './prompt.js';
export type { ConversationTurn } from './prompt.js';
export { RATING_LABELS } from './labels.js';
export type { CausalLLMRouterStats } from './stats.js';

/**
 * The `causal_llm` router: a causal LM reads the prompt inside a rating instruction and answers
 * with one of `[[1]]`..`[[5]]` (how well the weak model would answer). The router reads the
 * probabilities of the five labels, P(weak good enough) = P(rating >= scoreThreshold), and the
 * strong win rate is 1 minus that. An answer without a label counts as rating 1 (strong win rate
 * 1) and is counted in `stats.invalidAnswers`. Build it with `createCausalLLMRouter()` or
 * `createRouter('causal_llm', options)`.
 */
export class CausalLLMRouter extends BaseRouter {
  readonly name = 'causal_llm';
  /** `'endpoint'` or `'local'`. */
  readonly backendKind: 'endpoint' | 'local';
  /** The rating at or above which the weak model is good enough. */
  readonly scoreThreshold: number;
  private readonly counters: CausalLLMRouterStats;

  private constructor(
    options: ResolvedCausalLLMOptions,
    private readonly backend: RatingBackend,
    counters: CausalLLMRouterStats,
  ) {
    super();
    this.backendKind = options.backend;
    this.scoreThreshold = options.scoreThreshold;
    this.counters = counters;
  }

  /** Validates options and builds the router (the local backend loads its model here). */
  static async create(options: CausalLLMRouterOptions = {}): Promise<CausalLLMRouter> {
    const resolved = resolveCausalLLMOptions(options);
    const counters = emptyStats();
    let backend: RatingBackend;
    if (resolved.backend === 'endpoint') {
      backend = new EndpointRatingBackend(resolved, counters);
    } else {
      const { LocalRatingBackend } = await import('./local-backend.js');
      backend = await LocalRatingBackend.load(resolved, counters);
    }
    return new CausalLLMRouter(resolved, backend, counters);
  }

  /** A snapshot of the router's counters (requests, retries, errors, invalid answers). */
  get stats(): CausalLLMRouterStats {
    return { ...this.counters };
  }

  /**
   * Rating distributions for prompts: five probabilities (rating 1 first) summing to 1, or
   * `undefined` for an answer with none of the labels.
   */
  async ratingDistributions(prompts: readonly string[]): Promise<(Float64Array | undefined)[]> {
    this.assertUsable();
    assertPrompts(prompts);
    if (prompts.length === 0) return [];
    return this.backend.rate(prompts.map((prompt) => [{ role: 'user', content: prompt }]));
  }

  /**
   * Strong win rates for multi-turn conversations; the template decides what the model sees
   * (`{question}`: the last user turn, `{conversation}`: all turns).
   */
  async strongWinRatesForConversations(conversations: readonly (readonly ConversationTurn[])[]): Promise<Float32Array> {
    this.assertUsable();
    if (!Array.isArray(conversations)) throw new InvalidInputError('conversations', 'an array of conversations');
    conversations.forEach((turns, index) => assertConversation(turns, `conversations[${index}]`));
    if (conversations.length === 0) return new Float32Array(0);
    return this.scores(await this.backend.rate(conversations));
  }

  protected async scoreBatch(prompts: readonly string[]): Promise<Float32Array> {
    return this.scores(await this.backend.rate(prompts.map((prompt) => [{ role: 'user', content: prompt }])));
  }

  protected override async release(): Promise<void> {
    await this.backend.dispose();
  }

  private scores(distributions: readonly (Float64Array | undefined)[]): Float32Array {
    const scores = new Float32Array(distributions.length);
    distributions.forEach((ratings, index) => (scores[index] = strongWinRateFromRatings(ratings, this.scoreThreshold)));
    return scores;
  }
}

/** Builds a `causal_llm` router; see `CausalLLMRouterOptions` for the options. */
export function createCausalLLMRouter(options: CausalLLMRouterOptions = {}): Promise<CausalLLMRouter> {
  return CausalLLMRouter.create(options);
}
