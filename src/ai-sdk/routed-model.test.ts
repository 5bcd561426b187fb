import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import type { LanguageModelV4 } from '@ai-sdk/provider';
import { APICallError, generateText, Output, stepCountIs, streamText, tool, wrapLanguageModel } from 'ai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startFakeAnthropicServer, type FakeAnthropicServer } from '../../test/helpers/fake-anthropic-server.js';
import { chatCompletion, openAIError, startFakeOpenAIServer, type FakeOpenAIServer } from '../../test/helpers/fake-openai-server.js';
import { collectText, EASY_PROMPT, HARD_PROMPT, KeywordRouter, waitFor } from '../../test/helpers/routing-fixtures.js';
import { calibrateThreshold } from '../calibration/index.js';
import { InvalidInputError, InvalidOptionsError } from '../errors.js';
import { createRouter } from '../routers/registry.js';
import { createRoutedModel } from './index.js';

// The SDK logs a warning for the fake Anthropic model's unknown max output tokens.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const HARD = HARD_PROMPT;
const EASY = EASY_PROMPT;

let openaiServer: FakeOpenAIServer;
let anthropicServer: FakeAnthropicServer;
let slowAnthropicServer: FakeAnthropicServer;
let strong: LanguageModelV4;
let weak: LanguageModelV4;

beforeAll(async () => {
  [openaiServer, anthropicServer, slowAnthropicServer] = await Promise.all([
    startFakeOpenAIServer(),
    startFakeAnthropicServer(),
    startFakeAnthropicServer({ eventDelayMs: 40 }),
  ]);
  strong = createOpenAI({ baseURL: openaiServer.baseURL, apiKey: 'test' }).chat('gpt-strong');
  weak = createAnthropic({ baseURL: `${anthropicServer.url}/v1`, apiKey: 'test' })('claude-weak');
});

afterEach(() => {
  openaiServer.reset();
  anthropicServer.requests.length = 0;
});

afterAll(async () => {
  await Promise.all([openaiServer.close(), anthropicServer.close(), slowAnthropicServer.close()]);
});

function routed(router = new KeywordRouter(), models: { strong?: LanguageModelV4; weak?: LanguageModelV4 } = {}) {
  return createRoutedModel({ router, threshold: 0.5, strong: models.strong ?? strong, weak: models.weak ?? weak });
}

const strongDecision = { router: 'keyword', score: 0.75, threshold: 0.5, decision: 'strong', model: 'gpt-strong', provider: 'openai.chat' };
const weakDecision = { router: 'keyword', score: 0.25, threshold: 0.5, decision: 'weak', model: 'claude-weak', provider: 'anthropic.messages' };

describe('generateText with a routed model', () => {
  it('sends a prompt that routes strong to the strong upstream, with its usage and finish reason', async () => {
    const model = routed();
    expect(model.modelId).toBe('router-keyword-0.5');
    expect(model.specificationVersion).toBe('v4');
    const result = await generateText({ model, prompt: HARD });
    expect(result.text).toBe(`echo: ${HARD}`);
    expect(openaiServer.requests).toHaveLength(1);
    expect(openaiServer.requests[0].body.model).toBe('gpt-strong');
    expect(anthropicServer.requests).toHaveLength(0);
    expect(result.providerMetadata?.routellm).toEqual(strongDecision);
    expect(result.response.modelId).toBe('gpt-strong');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBe(10);
    expect(result.usage.outputTokens).toBe(`echo: ${HARD}`.split(/\s+/).length);
  });

  it('sends a prompt that routes weak to the weak upstream, keeping its own provider metadata', async () => {
    const result = await generateText({ model: routed(), prompt: EASY });
    expect(result.text).toBe('claude-weak says: ok ok ok');
    expect(anthropicServer.requests).toHaveLength(1);
    expect(anthropicServer.requests[0].body.model).toBe('claude-weak');
    expect(openaiServer.requests).toHaveLength(0);
    expect(result.providerMetadata?.routellm).toEqual(weakDecision);
    expect(result.providerMetadata?.anthropic).toBeDefined();
    expect(result.usage.outputTokens).toBe(5);
    expect(result.finishReason).toBe('stop');
  });

  it('routes on the last user message by default and on the last k messages with routeTurns', async () => {
    const messages = [
      { role: 'user' as const, content: 'Prove the theorem.' },
      { role: 'assistant' as const, content: 'Which one?' },
      { role: 'user' as const, content: 'The one about primes.' },
    ];
    const router = new KeywordRouter();
    const lastOnly = await generateText({ model: routed(router), system: 'You are terse.', messages });
    expect(router.scored).toEqual(['The one about primes.']);
    expect(lastOnly.providerMetadata?.routellm?.decision).toBe('weak');

    const threeTurns = createRoutedModel({ router, threshold: 0.5, strong, weak, routeTurns: 3 });
    const joined = await generateText({ model: threeTurns, system: 'You are terse.', messages });
    expect(router.scored[1]).toBe('Prove the theorem.\n\nWhich one?\n\nThe one about primes.');
    expect(joined.providerMetadata?.routellm?.decision).toBe('strong');
  });

  it('builds a router by name and reads a router-<name>-<threshold> model string or a calibrated threshold', async () => {
    const reference = await createRouter('random', { seed: 7 });
    const prompts = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    const scores = await reference.strongWinRates(prompts);
    const calibration = await calibrateThreshold({ router: reference, scores, strongModelPct: 0.5 });

    const byName = createRoutedModel({ router: 'random', routerOptions: { seed: 7 }, threshold: calibration, strong, weak });
    expect(byName.modelId).toBe(`router-random-${calibration.threshold}`);
    for (const [index, prompt] of prompts.entries()) {
      const result = await generateText({ model: byName, prompt });
      const expected = scores[index] >= calibration.threshold ? 'strong' : 'weak';
      expect(result.providerMetadata?.routellm).toMatchObject({ router: 'random', score: scores[index], decision: expected });
    }
    expect(openaiServer.requests).toHaveLength(3);
    expect(anthropicServer.requests).toHaveLength(3);

    const byString = createRoutedModel({ router: 'router-random-0.25', routerOptions: { seed: 7 }, strong, weak });
    expect([byString.router, byString.threshold, byString.modelId]).toEqual(['random', 0.25, 'router-random-0.25']);
    expect(await byString.route('alpha')).toEqual({
      router: 'random',
      score: scores[0],
      threshold: 0.25,
      decision: scores[0] >= 0.25 ? 'strong' : 'weak',
      model: scores[0] >= 0.25 ? 'gpt-strong' : 'claude-weak',
      provider: scores[0] >= 0.25 ? 'openai.chat' : 'anthropic.messages',
    });
    await Promise.all([byName.dispose(), byString.dispose(), reference.dispose()]);
  });

  it('passes tools through and returns the chosen model tool calls', async () => {
    openaiServer.enqueue({
      json: {
        ...chatCompletion({ content: '', model: 'gpt-strong', finishReason: 'tool_calls' }),
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
            finish_reason: 'tool_calls',
          },
        ],
      },
    });
    const tools = { weather: tool({ description: 'Weather in a city', inputSchema: z.object({ city: z.string() }) }) };
    const result = await generateText({ model: routed(), prompt: `${HARD} Also, the weather?`, tools });
    expect(openaiServer.requests[0].body.tools[0].function.name).toBe('weather');
    expect(result.toolCalls).toMatchObject([{ toolCallId: 'call_1', toolName: 'weather', input: { city: 'Paris' } }]);
    expect(result.finishReason).toBe('tool-calls');
  });

  it('keeps one model through a multi-step tool loop (the last user message does not change)', async () => {
    openaiServer.enqueue({
      json: {
        ...chatCompletion({ content: '' }),
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'lemma', arguments: '{"n":2}' } }] },
            finish_reason: 'tool_calls',
          },
        ],
      },
    });
    const router = new KeywordRouter();
    const tools = { lemma: tool({ inputSchema: z.object({ n: z.number() }), execute: async ({ n }) => `lemma ${n} holds` }) };
    const result = await generateText({ model: routed(router), prompt: HARD, tools, stopWhen: stepCountIs(2) });
    expect(result.steps).toHaveLength(2);
    expect(openaiServer.requests).toHaveLength(2);
    expect(openaiServer.requests[1].body.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_2' });
    expect(router.scored).toEqual([HARD, HARD]);
    expect(anthropicServer.requests).toHaveLength(0);
  });

  it('passes structured output (Output.object) through to the chosen model', async () => {
    openaiServer.enqueue({ json: chatCompletion({ content: '{"city":"Paris","country":"France"}', model: 'gpt-strong' }) });
    const result = await generateText({
      model: routed(),
      prompt: `${HARD} Then name a capital.`,
      output: Output.object({ schema: z.object({ city: z.string(), country: z.string() }) }),
    });
    expect(result.output).toEqual({ city: 'Paris', country: 'France' });
    expect(openaiServer.requests[0].body.response_format.type).toBe('json_schema');
  });

  it('surfaces an upstream error as the SDK APICallError, not a routellm error', async () => {
    openaiServer.enqueue(openAIError(400, 'bad request from upstream'));
    const error = await generateText({ model: routed(), prompt: HARD, maxRetries: 0 }).catch((caught: unknown) => caught);
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(400);
    expect((error as APICallError).message).toContain('bad request from upstream');
  });

  it('passes the abort signal to the chosen model', async () => {
    openaiServer.enqueue({ hang: true });
    const controller = new AbortController();
    const pending = generateText({ model: routed(), prompt: HARD, abortSignal: controller.signal, maxRetries: 0 }).catch((caught: unknown) => caught);
    await waitFor(() => openaiServer.requests.length === 1);
    controller.abort();
    const error = await pending;
    expect((error as Error).name).toBe('AbortError');
  });

  it('rejects a prompt with no user text with a routellm InvalidInputError, before any upstream call', async () => {
    const error = await generateText({ model: routed(), system: 'Be brief.', messages: [{ role: 'assistant', content: 'Hello.' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(openaiServer.requests.length + anthropicServer.requests.length).toBe(0);
  });

  it('refuses a models subset (an N-model option) on a strong/weak model, before any upstream call', async () => {
    const error = await generateText({ model: routed(), prompt: HARD, providerOptions: { routellm: { models: ['strong'] } } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/providerOptions\.routellm\.models.*N-model form/s);
    expect(openaiServer.requests.length + anthropicServer.requests.length).toBe(0);
  });

  it('rejects each call with the build error when a named router cannot be built, before any upstream call', async () => {
    const model = createRoutedModel({ router: 'random', routerOptions: { seed: 'not a number' }, threshold: 0.5, strong, weak });
    await expect(generateText({ model, prompt: HARD })).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(model.ready()).rejects.toBeInstanceOf(InvalidOptionsError);
    expect(openaiServer.requests.length + anthropicServer.requests.length).toBe(0);
  });
});

describe('streamText with a routed model', () => {
  it('streams from the strong upstream for a prompt that routes strong', async () => {
    const result = streamText({ model: routed(), prompt: HARD });
    expect(await collectText(result.textStream)).toBe(`echo: ${HARD}`);
    expect(await result.providerMetadata).toMatchObject({ routellm: strongDecision });
    expect(await result.finishReason).toBe('stop');
    expect(openaiServer.requests[0].body.stream).toBe(true);
    expect(anthropicServer.requests).toHaveLength(0);
  });

  it('streams from the weak upstream for a prompt that routes weak, with its usage', async () => {
    const result = streamText({ model: routed(), prompt: EASY });
    expect(await collectText(result.textStream)).toBe('claude-weak says: ok ok ok');
    expect(await result.providerMetadata).toMatchObject({ routellm: weakDecision });
    expect((await result.usage).outputTokens).toBe(5);
    expect(anthropicServer.requests[0].body.stream).toBe(true);
    expect(openaiServer.requests).toHaveLength(0);
  });

  it('streams a tool call from the chosen model', async () => {
    anthropicServer.script({ kind: 'reply', text: 'Checking.', toolUse: { id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } } });
    const tools = { weather: tool({ inputSchema: z.object({ city: z.string() }) }) };
    const result = streamText({ model: routed(), prompt: 'Weather in Oslo?', tools });
    expect(await result.toolCalls).toMatchObject([{ toolCallId: 'toolu_1', toolName: 'weather', input: { city: 'Oslo' } }]);
    expect(await result.finishReason).toBe('tool-calls');
    expect(anthropicServer.requests[0].body.tools[0].name).toBe('weather');
  });

  it('closes the upstream stream when the caller aborts', async () => {
    const slowWeak = createAnthropic({ baseURL: `${slowAnthropicServer.url}/v1`, apiKey: 'test' })('claude-weak');
    const controller = new AbortController();
    let aborted = false;
    const result = streamText({ model: routed(undefined, { weak: slowWeak }), prompt: EASY, abortSignal: controller.signal, onAbort: () => void (aborted = true) });
    let text = '';
    for await (const piece of result.textStream) {
      text += piece;
      controller.abort();
    }
    expect(text).toBe('claude-weak');
    await waitFor(() => slowAnthropicServer.abortedStreams === 1);
    expect(aborted).toBe(true);
  });

  it('reports an upstream error as the SDK APICallError', async () => {
    anthropicServer.script({ kind: 'error', status: 400, type: 'invalid_request_error', message: 'weak says no' });
    const errors: unknown[] = [];
    const result = streamText({ model: routed(), prompt: EASY, maxRetries: 0, onError: ({ error }) => void errors.push(error) });
    await collectText(result.textStream);
    expect(errors).toHaveLength(1);
    expect(APICallError.isInstance(errors[0])).toBe(true);
    expect((errors[0] as APICallError).statusCode).toBe(400);
  });
});

describe('a routed model among other AI SDK models', () => {
  it('takes middleware through wrapLanguageModel, which keeps its model id', async () => {
    const wrapped = wrapLanguageModel({
      model: routed(),
      middleware: { specificationVersion: 'v4', transformParams: async ({ params }) => ({ ...params, temperature: 0.125 }) },
    });
    expect(wrapped.modelId).toBe('router-keyword-0.5');
    const result = await generateText({ model: wrapped, prompt: HARD });
    expect(openaiServer.requests[0].body.temperature).toBe(0.125);
    expect(result.providerMetadata?.routellm?.decision).toBe('strong');
  });

  it('lists as supported only the URL patterns both models support', async () => {
    expect(await routed().supportedUrls).toEqual(await strong.supportedUrls);
    const anthropicUrls = await weak.supportedUrls;
    expect(Object.keys(anthropicUrls)).toContain('application/pdf');
    expect(await routed(undefined, { strong: weak, weak: strong }).supportedUrls).toEqual({ 'image/*': (await strong.supportedUrls)['image/*'] });
    expect(await routed(undefined, { strong: weak, weak }).supportedUrls).toEqual(anthropicUrls);
  });
});
