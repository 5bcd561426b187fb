// The N-model form of createRoutedModel with the real `ai` 7 and its OpenAI and Anthropic
// providers against four stand-in servers on three providers (test/helpers/four-models.ts),
// including fallback along the chain when the chosen model's server fails on purpose.
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import type { LanguageModelV4 } from '@ai-sdk/provider';
import { APICallError, generateText, streamText } from 'ai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FOUR_MODELS, FOUR_PRICES, HARD_SCORES, startFourUpstreams, TableRouter, type FourUpstreams } from '../../test/helpers/four-models.js';
import { collectText } from '../../test/helpers/routing-fixtures.js';
import { FallbackFailedError, InvalidInputError, UnknownModelError } from '../errors.js';
import { estimateTokens } from '../policy/index.js';
import { createRandomRouter } from '../routers/random/index.js';
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

/** Requests per model, with `model` at 1 and every other at 0. */
function onlyTo(model: string): Record<string, number> {
  return Object.fromEntries(FOUR_MODELS.map((name) => [name, name === model ? 1 : 0]));
}

function routedAmongFour(policy: { knob: number } | { withinBest: number }, router = new TableRouter()) {
  return createRoutedModel({ router, models, prices: FOUR_PRICES, ...policy });
}

describe('generateText with an N-model routed model', () => {
  it.each([
    [0, 'llama-8b', 'llama-8b says: ok ok ok'],
    [0.6, 'llama-70b', 'llama-70b says: ok ok ok'],
    [0.8, 'claude-3-5-haiku-latest', 'claude-3-5-haiku-latest says: ok ok ok'],
    [1, 'gpt-4o', 'gpt-4o says: ok ok ok'],
  ])('knob %s sends the call to %s only, and reports every score and expected cost', async (knob, expected, text) => {
    const model = routedAmongFour({ knob });
    expect([model.modelId, model.provider, model.specificationVersion]).toEqual([`router-table-${knob}`, 'routellm', 'v4']);
    const result = await generateText({ model, prompt: HARD });
    expect(result.text).toBe(text);
    expect(upstreams.counts()).toEqual(onlyTo(expected));
    const record = result.providerMetadata?.routellm as Record<string, any>;
    expect(record).toMatchObject({ router: 'table', knob, chosen: expected, model: expected });
    expect(record).not.toHaveProperty('within_best');
    for (const name of FOUR_MODELS) expect(record.scores[name]).toBeCloseTo(HARD_SCORES[name], 6);
    // The Controller's cost rule: estimated input tokens at the input price plus 300 output tokens at the output price.
    const inputTokens = estimateTokens(HARD);
    for (const name of FOUR_MODELS) {
      expect(record.expected_cost_usd[name]).toBeCloseTo((inputTokens * FOUR_PRICES[name].input + 300 * FOUR_PRICES[name].output) / 1e6, 12);
    }
    expect(result.response.modelId).toBe(expected);
  });

  it('reports the provider of the model called and keeps that provider own metadata', async () => {
    const result = await generateText({ model: routedAmongFour({ knob: 0.8 }), prompt: HARD });
    expect(result.providerMetadata?.routellm).toMatchObject({ chosen: 'claude-3-5-haiku-latest', provider: 'anthropic.messages' });
    expect(result.providerMetadata?.anthropic).toBeDefined();
  });

  it('chooses by the within-best rule: the cheapest model within the margin of the best score', async () => {
    const near = await generateText({ model: routedAmongFour({ withinBest: 0.05 }), prompt: HARD });
    expect(near.providerMetadata?.routellm).toMatchObject({ within_best: 0.05, chosen: 'claude-3-5-haiku-latest' });
    const wide = routedAmongFour({ withinBest: 0.25 });
    expect(wide.modelId).toBe('router-table-within-0.25');
    const far = await generateText({ model: wide, prompt: HARD });
    expect(far.providerMetadata?.routellm).toMatchObject({ within_best: 0.25, chosen: 'llama-70b' });
    expect(upstreams.counts()).toEqual({ 'gpt-4o': 0, 'claude-3-5-haiku-latest': 1, 'llama-70b': 1, 'llama-8b': 0 });
  });

  it('routes on the last user message by default and on the last k messages with routeTurns', async () => {
    const messages = [
      { role: 'user' as const, content: 'A hard proof, please.' },
      { role: 'assistant' as const, content: 'Which one?' },
      { role: 'user' as const, content: 'Any.' },
    ];
    // Without "hard" every model scores 0.5: at knob 1 the tie goes to the cheapest.
    const lastOnly = await generateText({ model: routedAmongFour({ knob: 1 }), messages });
    expect(lastOnly.providerMetadata?.routellm).toMatchObject({ chosen: 'llama-8b' });
    const threeTurns = createRoutedModel({ router: new TableRouter(), models, prices: FOUR_PRICES, knob: 1, routeTurns: 3 });
    const joined = await generateText({ model: threeTurns, messages });
    expect(joined.providerMetadata?.routellm).toMatchObject({ chosen: 'gpt-4o' });
    expect(upstreams.big.requests.length + upstreams.anthropic.requests.length).toBe(0);
  });

  it('counts every message in the expected input tokens and takes outputTokens per model', async () => {
    const system = 'You are a careful mathematician. '.repeat(20);
    const model = createRoutedModel({ router: new TableRouter(), models, prices: FOUR_PRICES, knob: 0.5, outputTokens: { 'gpt-4o': 10 }, defaultOutputTokens: 50 });
    const result = await generateText({ model, system, prompt: HARD });
    const record = result.providerMetadata?.routellm as Record<string, any>;
    const inputTokens = estimateTokens(`${system}\n${HARD}`);
    expect(record.expected_cost_usd['gpt-4o']).toBeCloseTo((inputTokens * 2.5 + 10 * 10) / 1e6, 12);
    expect(record.expected_cost_usd['llama-8b']).toBeCloseTo((inputTokens * 0.05 + 50 * 0.1) / 1e6, 12);
  });

  it('weighs a model by the running mean of its answers once it has outputTokensMinRequests of them, from generate and stream', async () => {
    const model = createRoutedModel({ router: new TableRouter(), models, prices: FOUR_PRICES, knob: 0, outputTokensMinRequests: 2 });
    const inputTokens = estimateTokens(HARD);
    const cost = (name: keyof typeof FOUR_PRICES, output: number) => (inputTokens * FOUR_PRICES[name].input + output * FOUR_PRICES[name].output) / 1e6;
    const first = await generateText({ model, prompt: HARD });
    expect((await model.route(HARD)).expected_cost_usd['llama-8b']).toBeCloseTo(cost('llama-8b', 300), 12);
    const second = streamText({ model, prompt: HARD });
    await collectText(second.textStream);
    const outputs = [first.usage.outputTokens, (await second.usage).outputTokens] as number[];
    expect(outputs.every((tokens) => tokens > 0 && tokens !== 300)).toBe(true);
    const after = await model.route(HARD);
    expect(after.expected_cost_usd['llama-8b']).toBeCloseTo(cost('llama-8b', (outputs[0] + outputs[1]) / 2), 12);
    expect(after.expected_cost_usd['gpt-4o']).toBeCloseTo(cost('gpt-4o', 300), 12);
  });

  it('builds a router by name from a router-<name>-<knob> string and chooses the best scored model at knob 1', async () => {
    const zero = createRoutedModel({ router: 'router-random-0', routerOptions: { seed: 3 }, models, prices: FOUR_PRICES });
    expect([zero.router, zero.policy, zero.modelId]).toEqual(['random', { knob: 0 }, 'router-random-0']);
    const cheapest = await generateText({ model: zero, prompt: 'alpha' });
    expect(cheapest.providerMetadata?.routellm).toMatchObject({ router: 'random', knob: 0, chosen: 'llama-8b' });

    const one = createRoutedModel({ router: 'random', routerOptions: { seed: 3 }, models, prices: FOUR_PRICES, knob: 1 });
    const reference = await createRandomRouter({ seed: 3 });
    for (const prompt of ['bravo', 'charlie', 'delta']) {
      upstreams.reset();
      const expected = await reference.modelScores([prompt], FOUR_MODELS);
      const best = FOUR_MODELS[expected.indexOf(Math.max(...expected))];
      const result = await generateText({ model: one, prompt });
      expect(result.providerMetadata?.routellm).toMatchObject({ chosen: best });
      expect(upstreams.counts()).toEqual(onlyTo(best));
      expect(await one.route(prompt)).toMatchObject({ chosen: best, scores: Object.fromEntries(FOUR_MODELS.map((name, i) => [name, expected[i]])) });
    }
    await Promise.all([zero.dispose(), one.dispose(), reference.dispose()]);
  });

  it('routes with the shipped quality router among RouterBench models bound to the stand-ins', async () => {
    const strongName = 'gpt-4-1106-preview';
    const weakName = 'mistralai/mistral-7b-chat';
    const named = { [strongName]: models['gpt-4o'], [weakName]: models['llama-8b'] };
    const prices = { [strongName]: { input: 10, output: 30 }, [weakName]: { input: 0.15, output: 0.15 } };
    const cheap = createRoutedModel({ router: 'quality', models: named, prices, knob: 0 });
    const best = createRoutedModel({ router: 'router-quality-1', models: named, prices });
    await Promise.all([cheap.ready(), best.ready()]);
    const prompt = 'Prove that the square root of two is irrational, step by step.';
    const low = await generateText({ model: cheap, prompt });
    expect(low.providerMetadata?.routellm).toMatchObject({ router: 'quality', chosen: weakName, model: 'llama-8b' });
    const high = await generateText({ model: best, prompt });
    const record = high.providerMetadata?.routellm as { chosen: string; scores: Record<string, number> };
    const argmax = record.scores[strongName] >= record.scores[weakName] ? strongName : weakName;
    expect(record.chosen).toBe(argmax);
    expect(upstreams.counts()).toEqual({ 'gpt-4o': argmax === strongName ? 1 : 0, 'claude-3-5-haiku-latest': 0, 'llama-70b': 0, 'llama-8b': argmax === weakName ? 2 : 1 });
    await Promise.all([cheap.dispose(), best.dispose()]);
  });

  it('rejects with UnknownModelError, before any upstream call, when the router does not know a model', async () => {
    const model = createRoutedModel({ router: new TableRouter(), models: { ...models, 'gpt-9': models['gpt-4o'] }, prices: { ...FOUR_PRICES, 'gpt-9': { input: 1, output: 1 } }, knob: 1 });
    await expect(model.ready()).rejects.toBeInstanceOf(UnknownModelError);
    await expect(generateText({ model, prompt: HARD })).rejects.toBeInstanceOf(UnknownModelError);
    expect(Object.values(upstreams.counts()).reduce((a, b) => a + b)).toBe(0);
  });

  it('surfaces the chosen upstream error as the SDK APICallError', async () => {
    upstreams.small.script({ kind: 'error', status: 400, message: 'small says no' });
    const error = await generateText({ model: routedAmongFour({ knob: 0 }), prompt: HARD, maxRetries: 0 }).catch((caught: unknown) => caught);
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(400);
    expect(upstreams.counts()).toEqual(onlyTo('llama-8b'));
  });

  it('lists as supported only the URL patterns every model supports', async () => {
    expect(await routedAmongFour({ knob: 1 }).supportedUrls).toEqual(await models['gpt-4o'].supportedUrls);
    const anthropicOnly = createRoutedModel({
      router: new TableRouter(),
      models: { 'claude-3-5-haiku-latest': models['claude-3-5-haiku-latest'], 'gpt-4o': models['claude-3-5-haiku-latest'] },
      prices: FOUR_PRICES,
      knob: 1,
    });
    expect(await anthropicOnly.supportedUrls).toEqual(await models['claude-3-5-haiku-latest'].supportedUrls);
  });
});

describe('streamText with an N-model routed model', () => {
  it.each([
    [0.6, 'llama-70b'],
    [0.8, 'claude-3-5-haiku-latest'],
  ])('knob %s streams from %s only, with the choice in the finish metadata', async (knob, expected) => {
    const result = streamText({ model: routedAmongFour({ knob }), prompt: HARD });
    expect(await collectText(result.textStream)).toBe(`${expected} says: ok ok ok`);
    expect(await result.providerMetadata).toMatchObject({ routellm: { knob, chosen: expected, model: expected } });
    expect(await result.finishReason).toBe('stop');
    expect(upstreams.counts()).toEqual(onlyTo(expected));
  });

  it('reports an upstream error in the stream as the SDK APICallError', async () => {
    upstreams.openai.script({ kind: 'error', status: 400, message: 'big no' });
    const errors: unknown[] = [];
    const result = streamText({ model: routedAmongFour({ knob: 1 }), prompt: HARD, maxRetries: 0, onError: ({ error }) => void errors.push(error) });
    await collectText(result.textStream);
    expect(errors).toHaveLength(1);
    expect(APICallError.isInstance(errors[0])).toBe(true);
    expect(upstreams.counts()).toEqual(onlyTo('gpt-4o'));
  });
});

describe('a call narrows the models with providerOptions.routellm.models', () => {
  const subset = { routellm: { models: ['llama-8b', 'gpt-4o'] } };

  // Among gpt-4o and llama-8b: llama-8b at knob 0.6, gpt-4o at 0.8 (among all four: llama-70b, claude).
  it.each([
    [0.6, 'llama-8b'],
    [0.8, 'gpt-4o'],
  ])('knob %s: generateText and streamText call the subset\'s choice %s only', async (knob, expected) => {
    const model = routedAmongFour({ knob });
    expect((await model.route(HARD)).chosen).not.toBe(expected);
    const result = await generateText({ model, prompt: HARD, providerOptions: subset });
    const record = result.providerMetadata?.routellm as Record<string, any>;
    expect(record).toMatchObject({ knob, chosen: expected, model: expected, models: ['gpt-4o', 'llama-8b'] });
    expect(Object.keys(record.scores)).toEqual(['gpt-4o', 'llama-8b']);
    expect(upstreams.counts()).toEqual(onlyTo(expected));
    upstreams.reset();
    const streamed = streamText({ model, prompt: HARD, providerOptions: subset });
    expect(await collectText(streamed.textStream)).toBe(`${expected} says: ok ok ok`);
    expect(await streamed.providerMetadata).toMatchObject({ routellm: { chosen: expected, models: ['gpt-4o', 'llama-8b'] } });
    expect(upstreams.counts()).toEqual(onlyTo(expected));
    expect(await model.route(HARD, { models: ['gpt-4o', 'llama-8b'] })).toMatchObject({ chosen: expected });
  });

  it('one name pins the call to that model without asking the router', async () => {
    const router = new TableRouter();
    const model = routedAmongFour({ knob: 1 }, router);
    const result = await generateText({ model, prompt: HARD, providerOptions: { routellm: { models: ['llama-70b'] } } });
    expect(result.providerMetadata?.routellm).toMatchObject({ chosen: 'llama-70b', models: ['llama-70b'], scores: {} });
    expect(router.calls).toBe(0);
    expect(upstreams.counts()).toEqual(onlyTo('llama-70b'));
  });

  it.each([
    [['gpt-4o', 'gpt-9'], /"gpt-9" is not one of them/],
    [['gpt-4o', 'gpt-4o'], /"gpt-4o" is listed twice/],
    ['gpt-4o', /non-empty array/],
  ])('models %o is an InvalidInputError naming it, before any upstream call', async (names, message) => {
    const call = generateText({ model: routedAmongFour({ knob: 1 }), prompt: HARD, maxRetries: 0, providerOptions: { routellm: { models: names as never } } });
    await expect(call).rejects.toSatisfy(
      (error) => InvalidInputError.isInstance(error) && error.input === 'providerOptions.routellm.models' && message.test((error as Error).message),
    );
    expect(Object.values(upstreams.counts()).reduce((a, b) => a + b)).toBe(0);
  });
});

/** Among the four at knob 1 unless told, with the fallback options given. */
function fallingBack(options: { knob?: number; fallback?: boolean; fallbackOrder?: 'policy' | 'listed' } = {}) {
  return createRoutedModel({ router: new TableRouter(), models, prices: FOUR_PRICES, knob: 1, ...options });
}

/** Requests per model, in the order of FOUR_MODELS. */
const requestCounts = () => FOUR_MODELS.map((name) => upstreams.counts()[name]);

describe('an N-model routed model falls back along the chain', () => {
  it("goes to the policy's next choice when the chosen model fails, and records it", async () => {
    // Knob 1 ranks by score: gpt-4o, claude, llama-70b, llama-8b.
    upstreams.openai.script({ kind: 'error', status: 500, message: 'gpt-4o exploded' });
    const result = await generateText({ model: fallingBack(), prompt: HARD });
    expect(result.text).toBe('claude-3-5-haiku-latest says: ok ok ok');
    expect(requestCounts()).toEqual([1, 1, 0, 0]);
    const record = result.providerMetadata?.routellm as Record<string, any>;
    expect(record).toMatchObject({ knob: 1, chosen: 'gpt-4o', model: 'claude-3-5-haiku-latest', provider: 'anthropic.messages' });
    expect(record.fallback).toMatchObject({ from: 'gpt-4o', to: 'claude-3-5-haiku-latest', status: 500, kind: 'status', tried: ['gpt-4o'] });
    expect(record.fallback.error).toContain('gpt-4o exploded');
  });

  it('walks on past a second failure, each model once', async () => {
    upstreams.openai.script({ kind: 'error', status: 500 });
    upstreams.anthropic.script({ kind: 'error', status: 529, type: 'overloaded_error' });
    const result = await generateText({ model: fallingBack(), prompt: HARD });
    expect(result.text).toBe('llama-70b says: ok ok ok');
    expect(requestCounts()).toEqual([1, 1, 1, 0]);
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
    const error = (await generateText({ model: fallingBack(), prompt: HARD }).catch((caught: unknown) => caught)) as FallbackFailedError;
    expect(FallbackFailedError.isInstance(error)).toBe(true);
    expect(error.attempts.map((attempt) => [attempt.model, (attempt.error as APICallError).statusCode])).toEqual([
      ['gpt-4o', 500],
      ['claude-3-5-haiku-latest', 529],
      ['llama-70b', 503],
      ['llama-8b', 429],
    ]);
    expect(requestCounts()).toEqual([1, 1, 1, 1]);
  });

  it('takes the configured order with fallbackOrder: listed (after the chosen model, wrapping around)', async () => {
    // Knob 0 chooses llama-8b, the last listed: the chain wraps to gpt-4o (policy order would be llama-70b).
    upstreams.small.script({ kind: 'error', status: 500 });
    const listed = await generateText({ model: fallingBack({ knob: 0, fallbackOrder: 'listed' }), prompt: HARD });
    expect(listed.providerMetadata?.routellm).toMatchObject({ chosen: 'llama-8b', model: 'gpt-4o', fallback: { to: 'gpt-4o' } });
    expect(requestCounts()).toEqual([1, 0, 0, 1]);

    upstreams.reset();
    upstreams.small.script({ kind: 'error', status: 500 });
    const policy = await generateText({ model: fallingBack({ knob: 0 }), prompt: HARD });
    expect(policy.providerMetadata?.routellm).toMatchObject({ chosen: 'llama-8b', model: 'llama-70b' });
    expect(requestCounts()).toEqual([0, 0, 1, 1]);
  });

  it("stays inside a call's models subset, and a single pinned model has nothing to fall back to", async () => {
    upstreams.big.script({ kind: 'error', status: 500 }, { kind: 'error', status: 500 });
    const subset = { routellm: { models: ['llama-70b', 'llama-8b'] } };
    const result = await generateText({ model: fallingBack(), prompt: HARD, providerOptions: subset });
    expect(result.providerMetadata?.routellm).toMatchObject({ chosen: 'llama-70b', model: 'llama-8b', models: ['llama-70b', 'llama-8b'] });
    expect(requestCounts()).toEqual([0, 0, 1, 1]);

    const pinned = await generateText({ model: fallingBack(), prompt: HARD, providerOptions: { routellm: { models: ['llama-70b'] } }, maxRetries: 0 }).catch(
      (caught: unknown) => caught,
    );
    expect((pinned as APICallError).statusCode).toBe(500);
    expect(requestCounts()).toEqual([0, 0, 2, 1]);
  });

  it('does not fall back from a 400, nor with fallback: false', async () => {
    upstreams.openai.script({ kind: 'error', status: 400, message: 'bad request' });
    const refused = await generateText({ model: fallingBack(), prompt: HARD }).catch((caught: unknown) => caught);
    expect((refused as APICallError).statusCode).toBe(400);
    expect(requestCounts()).toEqual([1, 0, 0, 0]);

    upstreams.openai.script({ kind: 'error', status: 500 });
    const off = await generateText({ model: fallingBack({ fallback: false }), prompt: HARD, maxRetries: 0 }).catch((caught: unknown) => caught);
    expect((off as APICallError).statusCode).toBe(500);
    expect(requestCounts()).toEqual([2, 0, 0, 0]);
  });

  it('streams from the next model when the chosen one refuses the stream', async () => {
    upstreams.openai.script({ kind: 'error', status: 502 });
    const result = streamText({ model: fallingBack(), prompt: HARD });
    expect(await collectText(result.textStream)).toBe('claude-3-5-haiku-latest says: ok ok ok');
    expect((await result.providerMetadata)?.routellm).toMatchObject({
      chosen: 'gpt-4o',
      model: 'claude-3-5-haiku-latest',
      fallback: { from: 'gpt-4o', status: 502, tried: ['gpt-4o'] },
    });
    expect(requestCounts()).toEqual([1, 1, 0, 0]);
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
