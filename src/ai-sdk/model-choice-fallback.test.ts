// Fallback in the N-model form of the routed model, with the real `ai` 7 against four stand-in
// servers on three providers (test/helpers/four-models.ts) that fail on purpose.
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import type { LanguageModelV4 } from '@ai-sdk/provider';
import { APICallError, generateText, streamText } from 'ai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FOUR_MODELS, FOUR_PRICES, startFourUpstreams, TableRouter, type FourUpstreams } from '../../test/helpers/four-models.js';
import { collectText } from '../../test/helpers/routing-fixtures.js';
import { FallbackFailedError } from '../errors.js';
import { estimateTokens } from '../policy/index.js';
import { createRoutedModel } from './index.js';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const HARD = 'A hard question about category theory.';

let upstreams: FourUpstreams;
let models: Record<(typeof FOUR_MODELS)[number], LanguageModelV4>;

beforeAll(async () => {
  upstreams = await startFourUpstreams();
  const openaiChat = (baseURL: string, id: string) => createOpenAI({ baseURL, apiKey: 'test' }).chat(id);
  models = {
    'gpt-4o': openaiChat(upstreams.openai.url, 'gpt-4o'),
    'claude-3-5-haiku-latest': createAnthropic({ baseURL: `${upstreams.anthropic.url}/v1`, apiKey: 'test' })('claude-3-5-haiku-latest'),
    'llama-70b': openaiChat(upstreams.big.url, 'llama-70b'),
    'llama-8b': openaiChat(upstreams.small.url, 'llama-8b'),
  };
});

afterEach(() => upstreams.reset());

afterAll(async () => {
  await upstreams.close();
});

function routedAmongFour(options: { knob?: number; fallback?: boolean; fallbackOrder?: 'policy' | 'listed' } = {}) {
  return createRoutedModel({ router: new TableRouter(), models, prices: FOUR_PRICES, knob: 1, ...options });
}

/** Requests per model, in the order of FOUR_MODELS. */
const counts = () => FOUR_MODELS.map((name) => upstreams.counts()[name]);

describe('an N-model routed model falls back along the chain', () => {
  it("goes to the policy's next choice when the chosen model fails, and records it", async () => {
    // Knob 1 ranks by score: gpt-4o, claude, llama-70b, llama-8b.
    upstreams.openai.script({ kind: 'error', status: 500, message: 'gpt-4o exploded' });
    const result = await generateText({ model: routedAmongFour(), prompt: HARD });
    expect(result.text).toBe('claude-3-5-haiku-latest says: ok ok ok');
    expect(counts()).toEqual([1, 1, 0, 0]);
    const record = result.providerMetadata?.routellm as Record<string, any>;
    expect(record).toMatchObject({ knob: 1, chosen: 'gpt-4o', model: 'claude-3-5-haiku-latest', provider: 'anthropic.messages' });
    expect(record.fallback).toMatchObject({ from: 'gpt-4o', to: 'claude-3-5-haiku-latest', status: 500, kind: 'status', tried: ['gpt-4o'] });
    expect(record.fallback.error).toContain('gpt-4o exploded');
  });

  it('walks on past a second failure, each model once', async () => {
    upstreams.openai.script({ kind: 'error', status: 500 });
    upstreams.anthropic.script({ kind: 'error', status: 529, type: 'overloaded_error' });
    const result = await generateText({ model: routedAmongFour(), prompt: HARD });
    expect(result.text).toBe('llama-70b says: ok ok ok');
    expect(counts()).toEqual([1, 1, 1, 0]);
    expect(result.providerMetadata?.routellm).toMatchObject({
      chosen: 'gpt-4o',
      model: 'llama-70b',
      fallback: { from: 'gpt-4o', to: 'llama-70b', status: 500, tried: ['gpt-4o', 'claude-3-5-haiku-latest'] },
    });
  });

  it('throws FallbackFailedError with all four errors, in chain order, when every model fails', async () => {
    upstreams.openai.script({ kind: 'error', status: 500 });
    upstreams.anthropic.script({ kind: 'error', status: 529, type: 'overloaded_error' });
    upstreams.big.script({ kind: 'error', status: 503 });
    upstreams.small.script({ kind: 'error', status: 429 });
    const error = (await generateText({ model: routedAmongFour(), prompt: HARD }).catch((caught: unknown) => caught)) as FallbackFailedError;
    expect(FallbackFailedError.isInstance(error)).toBe(true);
    expect(error.attempts.map((attempt) => [attempt.model, (attempt.error as APICallError).statusCode])).toEqual([
      ['gpt-4o', 500],
      ['claude-3-5-haiku-latest', 529],
      ['llama-70b', 503],
      ['llama-8b', 429],
    ]);
    expect(counts()).toEqual([1, 1, 1, 1]);
  });

  it('takes the configured order with fallbackOrder: listed (after the chosen model, wrapping around)', async () => {
    // Knob 0 chooses llama-8b, the last listed: the chain wraps to gpt-4o (policy order would be llama-70b).
    upstreams.small.script({ kind: 'error', status: 500 });
    const listed = await generateText({ model: routedAmongFour({ knob: 0, fallbackOrder: 'listed' }), prompt: HARD });
    expect(listed.providerMetadata?.routellm).toMatchObject({ chosen: 'llama-8b', model: 'gpt-4o', fallback: { to: 'gpt-4o' } });
    expect(counts()).toEqual([1, 0, 0, 1]);

    upstreams.reset();
    upstreams.small.script({ kind: 'error', status: 500 });
    const policy = await generateText({ model: routedAmongFour({ knob: 0 }), prompt: HARD });
    expect(policy.providerMetadata?.routellm).toMatchObject({ chosen: 'llama-8b', model: 'llama-70b' });
    expect(counts()).toEqual([0, 0, 1, 1]);
  });

  it("stays inside a call's models subset, and a single pinned model has nothing to fall back to", async () => {
    upstreams.big.script({ kind: 'error', status: 500 }, { kind: 'error', status: 500 });
    const subset = { routellm: { models: ['llama-70b', 'llama-8b'] } };
    const result = await generateText({ model: routedAmongFour(), prompt: HARD, providerOptions: subset });
    expect(result.providerMetadata?.routellm).toMatchObject({ chosen: 'llama-70b', model: 'llama-8b', models: ['llama-70b', 'llama-8b'] });
    expect(counts()).toEqual([0, 0, 1, 1]);

    const pinned = await generateText({ model: routedAmongFour(), prompt: HARD, providerOptions: { routellm: { models: ['llama-70b'] } }, maxRetries: 0 }).catch(
      (caught: unknown) => caught,
    );
    expect((pinned as APICallError).statusCode).toBe(500);
    expect(counts()).toEqual([0, 0, 2, 1]);
  });

  it('does not fall back from a 400, nor with fallback: false', async () => {
    upstreams.openai.script({ kind: 'error', status: 400, message: 'bad request' });
    const refused = await generateText({ model: routedAmongFour(), prompt: HARD }).catch((caught: unknown) => caught);
    expect((refused as APICallError).statusCode).toBe(400);
    expect(counts()).toEqual([1, 0, 0, 0]);

    upstreams.openai.script({ kind: 'error', status: 500 });
    const off = await generateText({ model: routedAmongFour({ fallback: false }), prompt: HARD, maxRetries: 0 }).catch((caught: unknown) => caught);
    expect((off as APICallError).statusCode).toBe(500);
    expect(counts()).toEqual([2, 0, 0, 0]);
  });

  it('streams from the next model when the chosen one refuses the stream', async () => {
    upstreams.openai.script({ kind: 'error', status: 502 });
    const result = streamText({ model: routedAmongFour(), prompt: HARD });
    expect(await collectText(result.textStream)).toBe('claude-3-5-haiku-latest says: ok ok ok');
    expect((await result.providerMetadata)?.routellm).toMatchObject({
      chosen: 'gpt-4o',
      model: 'claude-3-5-haiku-latest',
      fallback: { from: 'gpt-4o', status: 502, tried: ['gpt-4o'] },
    });
    expect(counts()).toEqual([1, 1, 0, 0]);
  });

  it("counts an answer's output tokens for the model that gave it, not the one chosen", async () => {
    const model = createRoutedModel({ router: new TableRouter(), models, prices: FOUR_PRICES, knob: 1, outputTokensMinRequests: 1 });
    upstreams.openai.script({ kind: 'error', status: 500 });
    upstreams.anthropic.script({ kind: 'reply', text: Array.from({ length: 60 }, () => 'word').join(' ') });
    await generateText({ model, prompt: HARD });
    // claude answered 60 tokens: its expected output is now that mean; gpt-4o, which never answered, keeps the default 300.
    const inputTokens = estimateTokens(HARD);
    const cost = (name: keyof typeof FOUR_PRICES, outputTokens: number) => (inputTokens * FOUR_PRICES[name].input + outputTokens * FOUR_PRICES[name].output) / 1e6;
    const expected = (await model.route(HARD)).expected_cost_usd;
    expect(expected['claude-3-5-haiku-latest']).toBeCloseTo(cost('claude-3-5-haiku-latest', 60), 12);
    expect(expected['gpt-4o']).toBeCloseTo(cost('gpt-4o', 300), 12);
  });
});
