/**
 * Four models on three providers for the N-model tests: `gpt-4o` on OpenAI, `claude-3-5-haiku-latest`
 * on Anthropic, and two OpenAI-compatible endpoints (`llama-70b`, `llama-8b`), each a real HTTP
 * server on 127.0.0.1; plus a router that scores the four by a keyword, as a user's custom router.
 */
import { UnknownModelError } from '../../src/errors.js';
import { BaseRouter } from '../../src/routers/base.js';
import type { ModelScoringRouter } from '../../src/routers/types.js';
import { startFakeAnthropicServer, type FakeAnthropicServer } from './fake-anthropic-server.js';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from './fake-openai-upstream.js';

/** The models, dearest first. */
export const FOUR_MODELS = ['gpt-4o', 'claude-3-5-haiku-latest', 'llama-70b', 'llama-8b'] as const;

/** Dollars per 1M tokens: log-spaced, so each knob step below picks another model. */
export const FOUR_PRICES = {
  'gpt-4o': { input: 2.5, output: 10 },
  'claude-3-5-haiku-latest': { input: 0.8, output: 4 },
  'llama-70b': { input: 0.6, output: 0.6 },
  'llama-8b': { input: 0.05, output: 0.1 },
};

/**
 * Predicted quality for prompts with "hard" in them (others score 0.5 for every model). With the
 * prices above and 300 output tokens, the log-normalised costs are about 1, 0.8, 0.39, 0, so the
 * knob picks llama-8b at 0, llama-70b at 0.6, claude at 0.8 (0.544 against gpt-4o's 0.52), gpt-4o at 1.
 */
export const HARD_SCORES: Readonly<Record<string, number>> = { 'gpt-4o': 0.9, 'claude-3-5-haiku-latest': 0.88, 'llama-70b': 0.7, 'llama-8b': 0.3 };

/** A custom N-model router: scores from `HARD_SCORES` for "hard" prompts, 0.5 otherwise; knows only its table's models. */
export class TableRouter extends BaseRouter implements ModelScoringRouter {
  readonly name = 'table';
  readonly models = Object.keys(HARD_SCORES);
  calls = 0;

  protected async scoreBatch(prompts: readonly string[]): Promise<Float32Array> {
    return Float32Array.from(prompts, (prompt) => (prompt.includes('hard') ? 0.9 : 0.1));
  }

  async modelScores(prompts: readonly string[], models: readonly string[]): Promise<Float32Array> {
    this.calls++;
    const unknown = models.find((model) => !(model in HARD_SCORES));
    if (unknown !== undefined) throw new UnknownModelError(unknown, this.models);
    return Float32Array.from(prompts.flatMap((prompt) => models.map((model) => (prompt.includes('hard') ? HARD_SCORES[model] : 0.5))));
  }
}

/** The three providers' stand-in servers (one OpenAI, one Anthropic, two OpenAI-compatible endpoints). */
export interface FourUpstreams {
  openai: FakeOpenAIUpstream;
  anthropic: FakeAnthropicServer;
  big: FakeOpenAIUpstream;
  small: FakeOpenAIUpstream;
  /** Endpoint bindings of the two llama models. */
  endpoints: Record<string, { baseURL: string; apiKey: string }>;
  /** Requests each model received. */
  counts(): Record<string, number>;
  reset(): void;
  close(): Promise<void>;
}

/** Starts the four stand-in servers. */
export async function startFourUpstreams(): Promise<FourUpstreams> {
  const [openai, anthropic, big, small] = await Promise.all([
    startFakeOpenAIUpstream(),
    startFakeAnthropicServer(),
    startFakeOpenAIUpstream(),
    startFakeOpenAIUpstream(),
  ]);
  return {
    openai,
    anthropic,
    big,
    small,
    endpoints: { 'llama-70b': { baseURL: big.url, apiKey: 'sk-big' }, 'llama-8b': { baseURL: small.url, apiKey: 'sk-small' } },
    counts: () => ({
      'gpt-4o': openai.requests.length,
      'claude-3-5-haiku-latest': anthropic.requests.length,
      'llama-70b': big.requests.length,
      'llama-8b': small.requests.length,
    }),
    reset: () => {
      for (const server of [openai, anthropic, big, small]) server.requests.length = 0;
    },
    close: async () => {
      await Promise.all([openai.close(), anthropic.close(), big.close(), small.close()]);
    },
  };
}
