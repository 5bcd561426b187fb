import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Controller, RoutedChatCompletionStream } from '../src/controller/index.js';
import {
  InvalidInputError,
  InvalidModelStringError,
  InvalidOptionsError,
  InvalidThresholdError,
  UnknownRouterError,
} from '../src/errors.js';
import { BaseRouter } from '../src/routers/base.js';
import { startFakeAnthropicServer, type FakeAnthropicServer } from './helpers/fake-anthropic-server.js';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from './helpers/fake-openai-upstream.js';

/** A real Router: prompts containing "hard" score 0.9, others 0.1. */
class KeywordRouter extends BaseRouter {
  readonly name = 'keyword';
  seen: string[] = [];
  protected async scoreBatch(prompts: readonly string[]): Promise<Float32Array> {
    this.seen.push(...prompts);
    return Float32Array.from(prompts, (prompt) => (prompt.includes('hard') ? 0.9 : 0.1));
  }
}

let openaiUpstream: FakeOpenAIUpstream;
let localUpstream: FakeOpenAIUpstream;
let anthropicUpstream: FakeAnthropicServer;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  [openaiUpstream, localUpstream, anthropicUpstream] = await Promise.all([
    startFakeOpenAIUpstream(),
    startFakeOpenAIUpstream(),
    startFakeAnthropicServer(),
  ]);
  openai = new OpenAI({ baseURL: openaiUpstream.url, apiKey: 'sk-test-openai', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: anthropicUpstream.url, apiKey: 'sk-test-anthropic', maxRetries: 0 });
});

afterAll(async () => {
  await Promise.all([openaiUpstream.close(), localUpstream.close(), anthropicUpstream.close()]);
});

beforeEach(() => {
  openaiUpstream.requests.length = 0;
  localUpstream.requests.length = 0;
  anthropicUpstream.requests.length = 0;
});

function totalUpstreamRequests(): number {
  return openaiUpstream.requests.length + localUpstream.requests.length + anthropicUpstream.requests.length;
}

function localController(extra: Partial<ConstructorParameters<typeof Controller>[0]> = {}) {
  return new Controller({
    routers: [new KeywordRouter(), 'random'],
    config: { random: { seed: 7 } },
    strongModel: 'gpt-4o',
    weakModel: 'local-llama',
    providers: { openai, anthropic },
    endpoints: { 'local-llama': { baseURL: localUpstream.url, apiKey: 'sk-local' } },
    ...extra,
  });
}

describe('Controller input checks', () => {
  let controller: Controller;
  beforeAll(() => {
    controller = localController();
  });

  it.each([
    ['router-mf', InvalidModelStringError],
    ['router--0.5', InvalidModelStringError],
    ['router-mf-abc', InvalidModelStringError],
    ['router-keyword-1.5', InvalidThresholdError],
    ['router-mf-1.5', InvalidThresholdError],
    ['router-keyword--0.5', InvalidThresholdError],
    ['router-unknown-0.5', UnknownRouterError],
    ['gpt-4o', InvalidModelStringError],
  ])('rejects model %s with a typed error and no upstream call', async (model, errorClass) => {
    await expect(controller.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(
      errorClass,
    );
    expect(totalUpstreamRequests()).toBe(0);
  });

  it('resolves routing fields by one rule set (resolveRouting): explicit fields win over the model string', () => {
    expect(controller.resolveRouting({ model: 'router-keyword-0.25' })).toEqual({ router: 'keyword', threshold: 0.25 });
    expect(controller.resolveRouting({ model: 'router-keyword-0.25', router: 'random', threshold: 0.75 })).toEqual({ router: 'random', threshold: 0.75 });
    expect(() => controller.resolveRouting({})).toThrow(InvalidInputError);
    expect(() => controller.resolveRouting({ model: 42 })).toThrow(/model/);
    expect(() => controller.resolveRouting({ router: 'keyword' })).toThrow(/threshold/);
    expect(() => controller.resolveRouting({ router: 7, threshold: 0.5 })).toThrow(/router/);
    expect(() => controller.resolveRouting({ router: 'keyword', threshold: 2 })).toThrow(InvalidThresholdError);
    expect(() => controller.resolveRouting({ router: 'mf', threshold: 0.5 })).toThrow(UnknownRouterError);
  });

  it('rejects a router the controller does not serve (mf is a known name, not loaded here)', async () => {
    const error = await controller.chat.completions
      .create({ model: 'router-mf-0.5', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught) => caught);
    // mf may or may not be registered yet; either way it is not served by this controller.
    expect(error).toBeInstanceOf(UnknownRouterError);
    expect(String(error.message)).toContain('keyword');
    expect(totalUpstreamRequests()).toBe(0);
  });

  it('rejects empty messages, non-text content and a missing user message before any call', async () => {
    const cases: unknown[] = [
      [],
      undefined,
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }],
      [{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'input_audio', input_audio: { data: '', format: 'wav' } }] }],
      [{ role: 'system', content: 'only a system message' }],
      [{ role: 'wizard', content: 'hi' }],
    ];
    for (const messages of cases) {
      const error = await controller.chat.completions
        .create({ model: 'router-keyword-0.5', messages: messages as never })
        .catch((caught) => caught);
      expect(error).toBeInstanceOf(InvalidInputError);
    }
    const imageError = await controller.chat.completions
      .create({ model: 'router-keyword-0.5', messages: cases[2] as never })
      .catch((caught) => caught);
    expect(imageError.message).toContain('messages[0].content[0]');
    expect(imageError.message).toContain('image_url');
    expect(totalUpstreamRequests()).toBe(0);
  });

  it('asks pair-scoring routers for the deployed pair, falls back to their default pair with one warning, and builds others from config', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const unknownPair = localController({ routers: ['sw_ranking', 'random'], strongModel: 'gpt-4o', weakModel: 'local-llama' });
      await unknownPair.ready();
      const knownPair = localController({
        routers: ['sw_ranking', 'random'],
        strongModel: 'gpt-4-1106-preview',
        weakModel: 'mistralai/Mixtral-8x7B-Instruct-v0.1',
        endpoints: {},
      });
      await knownPair.ready();
      await new Promise((resolve) => setImmediate(resolve));
      const pairWarnings = warnings.filter((warning) => (warning as Error & { code?: string }).code === 'ROUTELLM_DEFAULT_PAIR');
      expect(pairWarnings).toHaveLength(1);
      expect(pairWarnings[0].message).toMatch(/sw_ranking router's weights do not know "gpt-4o"/);
      expect(pairWarnings[0].message).toMatch(/strong gpt-4-1106-preview, weak mistralai\/Mixtral-8x7B-Instruct-v0.1/);
      await unknownPair.dispose();
      await knownPair.dispose();
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('validates its options with zod and names the field', () => {
    expect(() => new Controller({ routers: [] })).toThrow(InvalidOptionsError);
    expect(() => new Controller({ routers: ['random'], endpoints: { m: { baseURL: 'not a url' } } })).toThrow(/endpoints/);
    expect(() => new Controller({ routers: ['random'], providers: { openai: {} as never } })).toThrow(/openai/);
    expect(() => new Controller({ routers: ['nope'] })).toThrow(UnknownRouterError);
    expect(() => new Controller({ routers: ['random'], fallback: 'yes' as never })).toThrow(/fallback/);
  });
});

describe('Controller routing over OpenAI and an OpenAI-compatible endpoint', () => {
  it('sends a strong decision to OpenAI and a weak one to the bound endpoint, with the decision attached', async () => {
    const controller = localController();
    const strong = await controller.chat.completions.create({
      model: 'router-keyword-0.5',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'a hard proof' },
      ],
      temperature: 0.3,
    });
    expect(openaiUpstream.requests).toHaveLength(1);
    expect(localUpstream.requests).toHaveLength(0);
    const sent = openaiUpstream.requests[0];
    expect(sent.headers.authorization).toBe('Bearer sk-test-openai');
    expect(sent.body).toMatchObject({ model: 'gpt-4o', temperature: 0.3, messages: [{ role: 'system' }, { role: 'user', content: 'a hard proof' }] });
    expect(sent.body).not.toHaveProperty('router');
    expect(strong.object).toBe('chat.completion');
    expect(strong.model).toBe('gpt-4o');
    expect(strong.choices[0].message.content).toBe('gpt-4o says: ok ok ok');
    expect(strong.routellm).toEqual({
      id: strong.id,
      upstream_id: 'chatcmpl-fake-1',
      router: 'keyword',
      threshold: 0.5,
      strong_win_rate: expect.closeTo(0.9, 5),
      decision: 'strong',
      model: 'gpt-4o',
      latency_ms: { routing: expect.any(Number), upstream: expect.any(Number) },
    });
    expect(strong.routellm.latency_ms.upstream).toBeGreaterThan(0);
    expect(strong.id).toMatch(/^chatcmpl-rl-[0-9a-f-]{36}$/);

    const weak = await controller.chat.completions.create({ model: 'router-keyword-0.5', messages: [{ role: 'user', content: 'hello there' }] });
    expect(localUpstream.requests).toHaveLength(1);
    expect(localUpstream.requests[0].headers.authorization).toBe('Bearer sk-local');
    expect(localUpstream.requests[0].body.model).toBe('local-llama');
    expect(weak.model).toBe('local-llama');
    expect(weak.routellm.decision).toBe('weak');
    expect(controller.stats()).toMatchObject({
      requests: 2,
      errors: 0,
      routers: { keyword: { requests: 2, strong: 1, weak: 1 } },
      models: { 'gpt-4o': { requests: 1 }, 'local-llama': { requests: 1 } },
    });
  });

  it('takes explicit router and threshold, and the threshold may carry an exponent', async () => {
    const controller = localController();
    const explicit = await controller.chat.completions.create({ router: 'keyword', threshold: 0.95, messages: [{ role: 'user', content: 'hard' }] });
    expect(explicit.routellm).toMatchObject({ decision: 'weak', threshold: 0.95 });
    const exponent = await controller.chat.completions.create({ model: 'router-keyword-1e-05', messages: [{ role: 'user', content: 'easy' }] });
    expect(exponent.routellm).toMatchObject({ decision: 'strong', threshold: 1e-5 });
  });

  it('routes a named registry router with its config (random, seeded) and matches controller.route()', async () => {
    const controller = localController();
    const prompts = ['one', 'two', 'three', 'four', 'five', 'six'];
    const decisions = await controller.routeBatch(prompts, 'random', 0.5);
    expect(new Set(decisions.map((decision) => decision.decision)).size).toBe(2);
    expect(totalUpstreamRequests()).toBe(0);
    for (const [index, prompt] of prompts.entries()) {
      const single = await controller.route(prompt, 'random', 0.5);
      expect(single).toEqual(decisions[index]);
      const completion = await controller.chat.completions.create({ model: 'router-random-0.5', messages: [{ role: 'user', content: prompt }] });
      expect(completion.routellm.strong_win_rate).toBe(single.strong_win_rate);
      expect(completion.model).toBe(single.model);
    }
  });

  it('routes on the last user message by default, on the last k turns with routeTurns', async () => {
    const keyword = new KeywordRouter();
    const messages = [
      { role: 'user' as const, content: 'a hard question' },
      { role: 'assistant' as const, content: 'an answer' },
      { role: 'user' as const, content: 'thanks' },
    ];
    const byLast = new Controller({ routers: [keyword], strongModel: 'gpt-4o', weakModel: 'gpt-4o-mini', providers: { openai } });
    expect((await byLast.chat.completions.create({ model: 'router-keyword-0.5', messages })).routellm.decision).toBe('weak');
    expect(keyword.seen.at(-1)).toBe('thanks');
    const byTurns = new Controller({ routers: [keyword], strongModel: 'gpt-4o', weakModel: 'gpt-4o-mini', providers: { openai }, routeTurns: 3 });
    expect((await byTurns.chat.completions.create({ model: 'router-keyword-0.5', messages })).routellm.decision).toBe('strong');
    expect(keyword.seen.at(-1)).toBe('a hard question\n\nan answer\n\nthanks');
  });

  it('streams OpenAI chunks with routellm on each, usage only when asked, and accounts the tokens', async () => {
    const controller = localController({ prices: { 'gpt-4o': { input: 2.5, output: 10 }, 'local-llama': { input: 0.1, output: 0.2 } } });
    const stream = await controller.chat.completions.create({ model: 'router-keyword-0.5', messages: [{ role: 'user', content: 'hard one two' }], stream: true });
    expect(stream).toBeInstanceOf(RoutedChatCompletionStream);
    const chunks = await stream.toArray();
    expect(openaiUpstream.requests[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.routellm.decision === 'strong')).toBe(true);
    expect(chunks.every((chunk) => chunk.choices.length === 1)).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0].delta.content ?? '').join('')).toBe('gpt-4o says: ok ok ok');
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
    // usage was not asked for, but the controller still counted it (3 prompt words, 5 reply words)
    const stats = controller.stats();
    expect(stats.models['gpt-4o']).toMatchObject({ requests: 1, promptTokens: 3, completionTokens: 5 });
    expect(stats.costUsd).toBeCloseTo((3 * 2.5 + 5 * 10) / 1e6, 12);

    const withUsage = await controller.chat.completions.create({
      model: 'router-keyword-0.5',
      messages: [{ role: 'user', content: 'easy' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const usageChunks = (await withUsage.toArray()).filter((chunk) => chunk.usage);
    expect(usageChunks).toHaveLength(1);
    expect(usageChunks[0].choices).toEqual([]);
    expect(usageChunks[0].usage).toEqual({ prompt_tokens: 1, completion_tokens: 5, total_tokens: 6 });
    expect(usageChunks[0].routellm.cost).toEqual({
      model_usd: expect.closeTo((1 * 0.1 + 5 * 0.2) / 1e6, 12),
      strong_usd: expect.closeTo((1 * 2.5 + 5 * 10) / 1e6, 12),
      savings_usd: expect.closeTo((1 * 2.4 + 5 * 9.8) / 1e6, 12),
    });
  });

  it('adds up cost and savings against always-strong over requests', async () => {
    const prices = { 'gpt-4o': { input: 5, output: 15 }, 'local-llama': { input: 0.5, output: 1 } };
    const controller = localController({ prices });
    const prompts = ['hard a', 'easy b c', 'easy d', 'hard e f g'];
    const completions = [];
    for (const prompt of prompts) {
      completions.push(await controller.chat.completions.create({ model: 'router-keyword-0.5', messages: [{ role: 'user', content: prompt }] }));
    }
    let cost = 0;
    let strongCost = 0;
    for (const completion of completions) {
      const price = prices[completion.routellm.model as keyof typeof prices];
      const usage = completion.usage!;
      const expected = (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1e6;
      expect(completion.routellm.cost!.model_usd).toBeCloseTo(expected, 12);
      cost += expected;
      strongCost += (usage.prompt_tokens * 5 + usage.completion_tokens * 15) / 1e6;
    }
    const stats = controller.stats();
    expect(stats.costUsd).toBeCloseTo(cost, 12);
    expect(stats.strongOnlyCostUsd).toBeCloseTo(strongCost, 12);
    expect(stats.savingsUsd).toBeCloseTo(strongCost - cost, 12);
    expect(stats.savingsUsd).toBeGreaterThan(0);
    expect(stats.models['gpt-4o'].requests + stats.models['local-llama'].requests).toBe(4);
    controller.resetStats();
    expect(controller.stats().requests).toBe(0);
  });
});

describe('Controller over Anthropic', () => {
  const tools = [
    {
      type: 'function' as const,
      function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
    },
  ];

  function anthropicController() {
    return new Controller({
      routers: [new KeywordRouter()],
      strongModel: 'claude-strong-test',
      weakModel: 'anthropic/claude-weak-test',
      providers: { openai, anthropic },
    });
  }

  it('translates the request (system, merged turns, stop, max_tokens default, temperature, tools) and the response', async () => {
    const controller = anthropicController();
    anthropicUpstream.script({ kind: 'reply', text: 'Let me check.', toolUse: { id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } } });
    const completion = await controller.chat.completions.create({
      model: 'router-keyword-0.5',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use tools.' }] },
        { role: 'user', content: 'hard: weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] },
        { role: 'tool', tool_call_id: 'call_0', content: 'sunny' },
        { role: 'user', content: [{ type: 'text', text: 'and hard Paris?' }] },
      ],
      stop: 'END',
      temperature: 1.7,
      tools,
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
    expect(anthropicUpstream.requests).toHaveLength(1);
    expect(openaiUpstream.requests).toHaveLength(0);
    const sent = anthropicUpstream.requests[0];
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key'] ?? sent.headers.authorization).toContain('sk-test-anthropic');
    expect(sent.body).toEqual({
      model: 'claude-strong-test',
      max_tokens: 4096,
      system: 'You are terse.\n\nUse tools.',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hard: weather?' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_0', name: 'get_weather', input: { city: 'Rome' } }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_0', content: 'sunny' },
            { type: 'text', text: 'and hard Paris?' },
          ],
        },
      ],
      stop_sequences: ['END'],
      temperature: 1,
      tools: [{ name: 'get_weather', description: 'Weather in a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'claude-strong-test',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: 'Let me check.',
            tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
          },
        },
      ],
      routellm: { decision: 'strong', model: 'claude-strong-test' },
    });
    const usage = completion.usage!;
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.completion_tokens).toBe(3);
  });

  it('maps max_tokens, stop reasons and cached usage, and strips the anthropic/ prefix', async () => {
    const controller = anthropicController();
    anthropicUpstream.script({ kind: 'reply', text: 'cut', stopReason: 'max_tokens', usage: { input_tokens: 7, output_tokens: 3, cache_read_input_tokens: 5 } });
    const completion = await controller.chat.completions.create({
      model: 'router-keyword-0.5',
      messages: [{ role: 'user', content: 'easy' }],
      max_completion_tokens: 3,
      stop: ['x', 'y'],
    });
    expect(anthropicUpstream.requests[0].body).toMatchObject({ model: 'claude-weak-test', max_tokens: 3, stop_sequences: ['x', 'y'] });
    expect(anthropicUpstream.requests[0].body).not.toHaveProperty('system');
    expect(completion.choices[0].finish_reason).toBe('length');
    expect(completion.usage).toEqual({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 5 } });
    expect(completion.routellm.model).toBe('anthropic/claude-weak-test');
    await expect(
      controller.chat.completions.create({ model: 'router-keyword-0.5', messages: [{ role: 'user', content: 'x' }], n: 2 }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    expect(anthropicUpstream.requests).toHaveLength(1);
  });

  it('translates the SSE stream into OpenAI chunks (role, text, tool calls, finish reason, usage)', async () => {
    const controller = anthropicController();
    anthropicUpstream.script({ kind: 'reply', text: 'Checking now', toolUse: { id: 'toolu_9', name: 'get_weather', input: { city: 'Oslo' } } });
    const stream = await controller.chat.completions.create({
      model: 'router-keyword-0.5',
      messages: [{ role: 'user', content: 'hard weather' }],
      tools,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = await stream.toArray();
    expect(anthropicUpstream.requests[0].body.stream).toBe(true);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.id === chunks[0].id && chunk.routellm.decision === 'strong')).toBe(true);
    const withChoices = chunks.filter((chunk) => chunk.choices.length > 0);
    expect(withChoices.map((chunk) => chunk.choices[0].delta.content ?? '').join('')).toBe('Checking now');
    const toolDeltas = withChoices.flatMap((chunk) => chunk.choices[0].delta.tool_calls ?? []);
    expect(toolDeltas[0]).toMatchObject({ index: 0, id: 'toolu_9', type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(toolDeltas.map((delta) => delta.function?.arguments ?? '').join('')).toBe('{"city":"Oslo"}');
    expect(withChoices.at(-1)!.choices[0].finish_reason).toBe('tool_calls');
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });
    expect(controller.stats().models['claude-strong-test']).toMatchObject({ requests: 1, promptTokens: 2, completionTokens: 2 });
  });
});
