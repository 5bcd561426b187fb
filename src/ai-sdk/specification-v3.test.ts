// The routed model with AI SDK 6 (`ai-v6`, `@ai-sdk/*-v3`: npm aliases of ai@6 and its providers,
// language-model specification v3), and a v3 routed model under AI SDK 7.
import { createAnthropic } from '@ai-sdk/anthropic-v3';
import { createOpenAI } from '@ai-sdk/openai-v3';
import { generateText as generateTextV7 } from 'ai';
import { APICallError, generateObject, generateText, streamText } from 'ai-v6';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chatCompletion, openAIError } from '../../test/helpers/fake-openai-server.js';
import { routedPair, usePairStandIns } from '../../test/helpers/pair-stand-ins.js';
import { FOUR_PRICES, TableRouter } from '../../test/helpers/four-models.js';
import { collectText, EASY_PROMPT, HARD_PROMPT } from '../../test/helpers/routing-fixtures.js';
import { FallbackFailedError } from '../errors.js';
import { createRoutedModel } from './index.js';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const stand = usePairStandIns();
const routedV3 = (options: { fallback?: boolean } = {}) => routedPair(stand, { createOpenAI, createAnthropic }, options);
const counts = () => stand.counts();

describe('a routed model of specification v3 (AI SDK 6)', () => {
  it('is a v3 model that generateText sends to the strong or the weak upstream', async () => {
    const model = routedV3();
    expect(model.specificationVersion).toBe('v3');
    const hard = await generateText({ model, prompt: HARD_PROMPT });
    expect(hard.text).toBe(`echo: ${HARD_PROMPT}`);
    expect(hard.providerMetadata?.routellm).toMatchObject({ decision: 'strong', model: 'gpt-strong', score: 0.75 });
    const easy = await generateText({ model, prompt: EASY_PROMPT });
    expect(easy.text).toBe('claude-weak says: ok ok ok');
    expect(easy.providerMetadata?.routellm).toMatchObject({ decision: 'weak', model: 'claude-weak', score: 0.25 });
    expect([stand.openai.requests.length, stand.anthropic.requests.length]).toEqual([1, 1]);
  });

  it('streams with streamText and reports the decision in the finish metadata', async () => {
    const result = streamText({ model: routedV3(), prompt: EASY_PROMPT });
    expect(await collectText(result.textStream)).toBe('claude-weak says: ok ok ok');
    expect(await result.providerMetadata).toMatchObject({ routellm: { decision: 'weak', model: 'claude-weak' } });
    expect(stand.anthropic.requests[0].body.stream).toBe(true);
  });

  it('passes generateObject (structured output) through to the chosen model', async () => {
    stand.openai.enqueue({ json: chatCompletion({ content: '{"primes":[2,3,5]}', model: 'gpt-strong' }) });
    const result = await generateObject({ model: routedV3(), schema: z.object({ primes: z.array(z.number()) }), prompt: `${HARD_PROMPT} List three.` });
    expect(result.object).toEqual({ primes: [2, 3, 5] });
    expect(result.providerMetadata?.routellm).toMatchObject({ decision: 'strong' });
    expect(stand.openai.requests[0].body.response_format.type).toBe('json_schema');
  });

  it('surfaces an upstream error as AI SDK 6 APICallError', async () => {
    stand.openai.enqueue(openAIError(400, 'no thanks'));
    const error = await generateText({ model: routedV3(), prompt: HARD_PROMPT, maxRetries: 0 }).catch((caught: unknown) => caught);
    expect(APICallError.isInstance(error)).toBe(true);
  });

  it('works under AI SDK 7, which adapts v3 models', async () => {
    const result = await generateTextV7({ model: routedV3(), prompt: HARD_PROMPT });
    expect(result.text).toBe(`echo: ${HARD_PROMPT}`);
    expect(result.providerMetadata?.routellm).toMatchObject({ decision: 'strong' });
  });
});

describe('an N-model routed model of specification v3 (AI SDK 6)', () => {
  function amongTwoV3(knob: number) {
    const models = {
      'gpt-4o': createOpenAI({ baseURL: stand.openai.baseURL, apiKey: 'test' }).chat('gpt-strong'),
      'claude-3-5-haiku-latest': createAnthropic({ baseURL: `${stand.anthropic.url}/v1`, apiKey: 'test' })('claude-weak'),
    };
    return createRoutedModel({ router: new TableRouter(), models, prices: FOUR_PRICES, knob });
  }
  const hard = 'A hard question about sheaves.';

  it('sends the call to the chosen model only: the cheaper at knob 0, the better scored at knob 1', async () => {
    const low = await generateText({ model: amongTwoV3(0), prompt: hard });
    expect(low.text).toBe('claude-weak says: ok ok ok');
    expect(low.providerMetadata?.routellm).toMatchObject({ knob: 0, chosen: 'claude-3-5-haiku-latest', model: 'claude-weak' });
    expect([stand.openai.requests.length, stand.anthropic.requests.length]).toEqual([0, 1]);
    const high = amongTwoV3(1);
    expect(high.specificationVersion).toBe('v3');
    const result = await generateText({ model: high, prompt: hard });
    expect(result.text).toBe(`echo: ${hard}`);
    expect(result.providerMetadata?.routellm).toMatchObject({ knob: 1, chosen: 'gpt-4o', model: 'gpt-strong' });
    expect([stand.openai.requests.length, stand.anthropic.requests.length]).toEqual([1, 1]);
  });

  it('streams from the chosen model with the choice in the finish metadata', async () => {
    const result = streamText({ model: amongTwoV3(1), prompt: hard });
    expect(await collectText(result.textStream)).toBe(`echo: ${hard}`);
    expect(await result.providerMetadata).toMatchObject({ routellm: { chosen: 'gpt-4o', scores: { 'gpt-4o': expect.any(Number) } } });
    expect([stand.openai.requests.length, stand.anthropic.requests.length]).toEqual([1, 0]);
  });
});

describe('fallback with AI SDK 6', () => {
  it('generateText goes to the other model on a 500 (once each) and records it; not on a 400', async () => {
    stand.openai.enqueue(openAIError(500, 'strong exploded', 'server_error'));
    const result = await generateText({ model: routedV3(), prompt: HARD_PROMPT });
    expect(result.text).toBe('claude-weak says: ok ok ok');
    expect(result.providerMetadata?.routellm).toMatchObject({ decision: 'strong', model: 'claude-weak', fallback: { from: 'gpt-strong', to: 'claude-weak', status: 500 } });
    expect(counts()).toEqual([1, 1]);

    stand.openai.enqueue(openAIError(400, 'no thanks'));
    const refused = await generateText({ model: routedV3(), prompt: HARD_PROMPT }).catch((caught: unknown) => caught);
    expect((refused as APICallError).statusCode).toBe(400);
    expect(counts()).toEqual([2, 1]);
  });

  it('throws FallbackFailedError when both fail, and is off with fallback: false', async () => {
    stand.openai.enqueue(openAIError(500, 'strong exploded', 'server_error'));
    stand.anthropic.script({ kind: 'error', status: 500, message: 'weak exploded' });
    const error = (await generateText({ model: routedV3(), prompt: HARD_PROMPT }).catch((caught: unknown) => caught)) as FallbackFailedError;
    expect(FallbackFailedError.isInstance(error)).toBe(true);
    expect(error.attempts.map((attempt) => [attempt.model, (attempt.error as APICallError).statusCode])).toEqual([
      ['gpt-strong', 500],
      ['claude-weak', 500],
    ]);
    expect(counts()).toEqual([1, 1]);

    stand.openai.enqueue(openAIError(500, 'strong exploded', 'server_error'));
    const off = await generateText({ model: routedV3({ fallback: false }), prompt: HARD_PROMPT, maxRetries: 0 }).catch((caught: unknown) => caught);
    expect((off as APICallError).statusCode).toBe(500);
    expect(counts()).toEqual([2, 1]);
  });

  it('streamText falls back from a refused stream and from one that fails before its first content', async () => {
    stand.openai.enqueue(openAIError(503, 'strong is down', 'server_error'));
    const refused = streamText({ model: routedV3(), prompt: HARD_PROMPT });
    expect(await collectText(refused.textStream)).toBe('claude-weak says: ok ok ok');
    expect((await refused.providerMetadata)?.routellm).toMatchObject({ model: 'claude-weak', fallback: { from: 'gpt-strong', status: 503 } });

    stand.openai.enqueue({ raw: 'data: {"choices": [tru\n\n', contentType: 'text/event-stream' });
    const garbled = streamText({ model: routedV3(), prompt: HARD_PROMPT });
    expect(await collectText(garbled.textStream)).toBe('claude-weak says: ok ok ok');
    expect((await garbled.providerMetadata)?.routellm).toMatchObject({ model: 'claude-weak', fallback: { from: 'gpt-strong', kind: 'malformed' } });
    expect(counts()).toEqual([2, 2]);
  });
});
