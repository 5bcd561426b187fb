/**
 * Routing among N models through the Controller: four models on three providers (OpenAI,
 * Anthropic, OpenAI-compatible endpoints), each a real HTTP server on 127.0.0.1 driven by the real
 * SDK clients.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Controller, isModelRoutingRecord, type ModelRoutingRecord, type RoutedChatCompletionStream } from '../src/controller/index.js';
import { InvalidInputError, InvalidModelStringError, InvalidOptionsError, ProviderError, UnknownModelError, UnknownRouterError } from '../src/errors.js';
import { FOUR_MODELS, FOUR_PRICES, HARD_SCORES, startFourUpstreams, TableRouter, type FourUpstreams } from './helpers/four-models.js';
import { KeywordRouter } from './helpers/routing-fixtures.js';

let upstreams: FourUpstreams;
let clients: { openai: OpenAI; anthropic: Anthropic };

beforeAll(async () => {
  upstreams = await startFourUpstreams();
  clients = {
    openai: new OpenAI({ baseURL: upstreams.openai.url, apiKey: 'sk-openai', maxRetries: 0 }),
    anthropic: new Anthropic({ baseURL: upstreams.anthropic.url, apiKey: 'sk-anthropic', maxRetries: 0 }),
  };
});
afterAll(() => upstreams.close());
beforeEach(() => upstreams.reset());

type Options = ConstructorParameters<typeof Controller>[0];

function fourModelController(extra: Partial<Options> = {}): Controller {
  return new Controller({
    models: [...FOUR_MODELS],
    routers: [new TableRouter(), 'random'],
    config: { random: { seed: 11 } },
    prices: FOUR_PRICES,
    providers: clients,
    endpoints: upstreams.endpoints,
    maxRetries: 0,
    ...extra,
  });
}

const hard = [{ role: 'user' as const, content: 'a hard proof' }];
const easy = [{ role: 'user' as const, content: 'say hello' }];

function record(completion: { routellm: object }): ModelRoutingRecord {
  if (!isModelRoutingRecord(completion.routellm)) throw new Error('not an N-model record');
  return completion.routellm;
}

describe('Controller with four models on three providers', () => {
  it.each([
    [0, 'llama-8b'],
    [0.6, 'llama-70b'],
    [0.8, 'claude-3-5-haiku-latest'],
    [1, 'gpt-4o'],
  ])('knob %s: the chosen model answers, and routellm names it with every score', async (knob, expected) => {
    const controller = fourModelController();
    const completion = await controller.chat.completions.create({ model: `router-table-${knob}`, messages: hard });
    const routed = record(completion);
    expect(routed).toMatchObject({ router: 'table', knob, chosen: expected, model: expected });
    expect(Object.keys(routed.scores)).toEqual([...FOUR_MODELS]);
    for (const model of FOUR_MODELS) expect(routed.scores[model]).toBeCloseTo(HARD_SCORES[model], 6);
    expect(completion.choices[0].message.content).toContain(`${expected} says`);
    expect(upstreams.counts()).toEqual(Object.fromEntries(FOUR_MODELS.map((model) => [model, model === expected ? 1 : 0])));
    expect(routed.cost?.model_usd).toBeGreaterThan(0);
    expect(routed.cost?.strong_usd).toBeGreaterThanOrEqual(routed.cost!.model_usd);
    expect(controller.stats().routers.table).toMatchObject({ requests: 1, chosen: { [expected]: 1 } });
  });

  it('the knob is monotone in cost: a higher knob never picks a cheaper model', async () => {
    const controller = fourModelController();
    const dearness = (model: string) => FOUR_PRICES[model as keyof typeof FOUR_PRICES].output;
    let previous = 0;
    for (let knob = 0; knob <= 1.0001; knob += 0.05) {
      const [choice] = await controller.chooseBatch(['a hard proof'], { router: 'table', policy: { knob: Math.min(knob, 1) } });
      expect(dearness(choice.model)).toBeGreaterThanOrEqual(previous);
      previous = dearness(choice.model);
    }
  });

  it('fields instead of the model string, and the within-best rule', async () => {
    const controller = fourModelController();
    const byFields = await controller.chat.completions.create({ router: 'table', knob: 0.6, messages: hard });
    expect(record(byFields)).toMatchObject({ knob: 0.6, model: 'llama-70b' });
    // Within 0.05 of the best (0.9): gpt-4o and claude (0.88); claude is cheaper.
    const within = await controller.chat.completions.create({ model: 'router-table-within-0.05', messages: hard });
    expect(record(within)).toMatchObject({ within_best: 0.05, model: 'claude-3-5-haiku-latest' });
    const allWithin = await controller.chat.completions.create({ router: 'table', within_best: 1, messages: hard });
    expect(record(allWithin).model).toBe('llama-8b');
    // Every model predicted equal: any knob above 0 still takes the cheapest.
    const flat = await controller.chat.completions.create({ model: 'router-table-0.9', messages: easy });
    expect(record(flat).model).toBe('llama-8b');
  });

  it('the shipped random router scores every model; the record matches the model that answered', async () => {
    const controller = fourModelController();
    const completion = await controller.chat.completions.create({ model: 'router-random-1', messages: hard });
    const routed = record(completion);
    const best = FOUR_MODELS.reduce((a, b) => (routed.scores[b] > routed.scores[a] ? b : a));
    expect(routed.model).toBe(best);
    expect(upstreams.counts()[best]).toBe(1);
    const again = await controller.chooseBatch(['a hard proof'], controller.resolveModelRouting({ model: 'router-random-1' }));
    expect(again[0].scores).toEqual(routed.scores);
  });

  it('streams: chunks carry the record, the chosen endpoint streams the answer', async () => {
    const controller = fourModelController();
    const stream = (await controller.chat.completions.create({ model: 'router-table-0.6', messages: hard, stream: true })) as RoutedChatCompletionStream;
    const chunks = await stream.toArray();
    const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    expect(text).toBe('llama-70b says: ok ok ok');
    for (const chunk of chunks) expect(chunk.routellm).toMatchObject({ model: 'llama-70b', knob: 0.6 });
    expect(upstreams.big.requests[0].body).toMatchObject({ model: 'llama-70b', stream: true });
    expect(stream.routellm).toMatchObject({ cost: { model_usd: expect.any(Number) } });
  });

  it('fallback walks the policy chain: the next choice at the same knob, each once', async () => {
    const controller = fourModelController({ fallback: true });
    // At 0.8 the chain after claude is gpt-4o (0.52 vs 0.48 and 0.24), then llama-70b, then llama-8b.
    upstreams.anthropic.script({ kind: 'error', status: 529 });
    const once = await controller.chat.completions.create({ model: 'router-table-0.8', messages: hard });
    expect(record(once)).toMatchObject({
      chosen: 'claude-3-5-haiku-latest',
      model: 'gpt-4o',
      fallback: { from: 'claude-3-5-haiku-latest', to: 'gpt-4o', status: 529, tried: ['claude-3-5-haiku-latest'] },
    });
    expect(once.choices[0].message.content).toContain('gpt-4o says');

    upstreams.reset();
    upstreams.anthropic.script({ kind: 'error', status: 529 });
    upstreams.openai.script({ kind: 'error', status: 503 });
    const twice = await controller.chat.completions.create({ model: 'router-table-0.8', messages: hard });
    expect(record(twice)).toMatchObject({ model: 'llama-70b', fallback: { from: 'claude-3-5-haiku-latest', to: 'llama-70b', tried: ['claude-3-5-haiku-latest', 'gpt-4o'] } });
    expect(upstreams.counts()).toEqual({ 'gpt-4o': 1, 'claude-3-5-haiku-latest': 1, 'llama-70b': 1, 'llama-8b': 0 });
    expect(controller.stats()).toMatchObject({ fallbacks: 2, errors: 0 });
  });

  it('fallback in a stream, and the listed order; all failing throws the last failure', async () => {
    const listed = fourModelController({ fallback: true, fallbackOrder: 'listed' });
    // Listed order after claude: llama-70b, llama-8b, then gpt-4o.
    upstreams.anthropic.script({ kind: 'error', status: 500 });
    const stream = (await listed.chat.completions.create({ model: 'router-table-0.8', messages: hard, stream: true })) as RoutedChatCompletionStream;
    const chunks = await stream.toArray();
    expect(chunks[0].routellm).toMatchObject({ model: 'llama-70b', fallback: { from: 'claude-3-5-haiku-latest', to: 'llama-70b' } });

    upstreams.reset();
    upstreams.anthropic.script({ kind: 'error', status: 500 });
    upstreams.big.script({ kind: 'error', status: 500 });
    upstreams.small.script({ kind: 'error', status: 500 });
    upstreams.openai.script({ kind: 'error', status: 502, message: 'last one down' });
    const failing = listed.chat.completions.create({ model: 'router-table-0.8', messages: hard });
    await expect(failing).rejects.toSatisfy((error) => ProviderError.isInstance(error) && error.status === 502);
    expect(upstreams.counts()).toEqual({ 'gpt-4o': 1, 'claude-3-5-haiku-latest': 1, 'llama-70b': 1, 'llama-8b': 1 });
  });

  it('a model with enough answers is costed with its running mean output length', async () => {
    const controller = fourModelController({ outputTokensMinRequests: 2, defaultOutputTokens: 300 });
    const before = (await controller.chooseBatch(['a hard proof'], { router: 'table', policy: { knob: 0 } }))[0].expected_cost_usd;
    // Two answers of llama-8b, five completion tokens each ("llama-8b says: ok ok ok").
    for (let i = 0; i < 2; i++) await controller.chat.completions.create({ model: 'router-table-0', messages: hard });
    const after = (await controller.chooseBatch(['a hard proof'], { router: 'table', policy: { knob: 0 } }))[0].expected_cost_usd;
    expect(after['llama-8b']).toBeLessThan(before['llama-8b'] / 10);
    const inputDollars = before['llama-8b'] - (300 * FOUR_PRICES['llama-8b'].output) / 1e6;
    expect(after['llama-8b']).toBeCloseTo(inputDollars + (5 * FOUR_PRICES['llama-8b'].output) / 1e6, 12);
    expect(after['gpt-4o']).toBe(before['gpt-4o']);
    controller.resetStats();
    const reset = (await controller.chooseBatch(['a hard proof'], { router: 'table', policy: { knob: 0 } }))[0].expected_cost_usd;
    expect(reset).toEqual(before);
  });
});

describe('N-model bad input', () => {
  it.each([
    [{ model: 'router-table-1.5' }, InvalidInputError, /knob/],
    [{ router: 'table', knob: -0.1 }, InvalidInputError, /knob/],
    [{ router: 'table', knob: '0.5' }, InvalidInputError, /knob/],
    [{ router: 'table', knob: 0.5, within_best: 0.1 }, InvalidInputError, /either/],
    [{ model: 'router-table-within-2' }, InvalidInputError, /within_best/],
    [{ model: 'router-table-within-x' }, InvalidModelStringError, /margin "x"/],
    [{ model: 'router-table-abc' }, InvalidModelStringError, /within-<margin>/],
    [{ model: 'router-nope-0.5' }, UnknownRouterError, /table, random/],
    [{ router: 'table', threshold: 0.5 }, InvalidInputError, /knob/],
    [{ model: 'gpt-4o' }, InvalidModelStringError, /router-/],
  ])('%o is refused before any upstream call', async (fields, errorClass, message) => {
    const controller = fourModelController();
    const request = controller.chat.completions.create({ ...(fields as object), messages: hard } as never);
    await expect(request).rejects.toSatisfy((error) => errorClass.isInstance(error) && message.test((error as Error).message));
    expect(Object.values(upstreams.counts()).reduce((a, b) => a + b)).toBe(0);
  });

  it('setup errors: one model, a model without a price, a pair-only router, an unknown model', async () => {
    expect(() => fourModelController({ models: ['gpt-4o'] })).toThrow(/at least two models/);
    expect(() => fourModelController({ models: ['gpt-4o', 'gpt-4o'] })).toThrow(/listed once/);
    const { 'llama-8b': _dropped, ...partial } = FOUR_PRICES;
    expect(() => fourModelController({ prices: partial })).toThrow(InvalidOptionsError);
    expect(() => fourModelController({ prices: partial })).toThrow(/no price for "llama-8b"/);
    expect(() => fourModelController({ prices: undefined })).toThrow(/no price for "gpt-4o", "claude-3-5-haiku-latest"/);
    expect(() => fourModelController({ routers: ['ridge'] })).toThrow(/the ridge router scores a strong\/weak pair only.*random/);
    expect(() => fourModelController({ routers: [new KeywordRouter()] })).toThrow(/the keyword router scores a strong\/weak pair only/);
    const unknown = fourModelController({ models: ['gpt-4o', 'mystery-model'], prices: { ...FOUR_PRICES, 'mystery-model': { input: 1, output: 1 } } });
    await expect(unknown.ready()).rejects.toSatisfy((error) => UnknownModelError.isInstance(error) && /mystery-model/.test((error as Error).message));
  });

  it('a controller among N models refuses the strong/weak calls, naming the one to use', async () => {
    const controller = fourModelController();
    await expect(controller.route('a hard proof', 'table', 0.5)).rejects.toThrow(/routes among N models; use chooseBatch/);
    expect(() => controller.resolveRouting({ model: 'router-table-0.5' })).toThrow(/use resolveModelRouting/);
  });

  it('two-model controllers refuse the N-model calls with a clear error', async () => {
    const pair = new Controller({ routers: ['random'], strongModel: 'gpt-4o', weakModel: 'llama-8b', providers: clients });
    expect(pair.models).toBeUndefined();
    expect(() => pair.resolveModelRouting({ model: 'router-random-0.3' })).toThrow(/set `models`/);
  });
});

function onlyTo(model: string): Record<string, number> {
  return Object.fromEntries(FOUR_MODELS.map((name) => [name, name === model ? 1 : 0]));
}

// A request that narrows the models to a subset (`models`): the policy chooses among the subset
// only, the fallback chain stays in it, the record names it, bad subsets are typed errors.
describe('a request narrows the models to a subset', () => {
  // Among all four, knob 0.6 picks llama-70b and 0.8 claude. Among gpt-4o and llama-8b the costs
  // normalise to 1 and 0: at 0.6, 0.6 * 0.9 - 0.4 = 0.14 < 0.6 * 0.3 = 0.18 (llama-8b); at 0.8,
  // 0.72 - 0.2 = 0.52 > 0.24 (gpt-4o).
  it.each([
    [0.6, 'llama-8b'],
    [0.8, 'gpt-4o'],
  ])('knob %s: the subset\'s choice (%s) answers, no other model gets a request', async (knob, expected) => {
    const controller = fourModelController();
    const full = await controller.chooseBatch(['a hard proof'], { router: 'table', policy: { knob } });
    expect(full[0].model).not.toBe(expected);
    // A set: the order given does not matter, the record lists the configured order.
    const completion = await controller.chat.completions.create({ model: `router-table-${knob}`, models: ['llama-8b', 'gpt-4o'], messages: hard });
    const routed = record(completion);
    expect(routed).toMatchObject({ router: 'table', knob, chosen: expected, model: expected, models: ['gpt-4o', 'llama-8b'] });
    expect(Object.keys(routed.scores)).toEqual(['gpt-4o', 'llama-8b']);
    expect(routed.scores['gpt-4o']).toBeCloseTo(HARD_SCORES['gpt-4o'], 6);
    expect(Object.keys(routed.expected_cost_usd)).toEqual(['gpt-4o', 'llama-8b']);
    expect(completion.choices[0].message.content).toBe(`${expected} says: ok ok ok`);
    expect(upstreams.counts()).toEqual(onlyTo(expected));
    // The field is routellm's: it never reaches the upstream.
    const upstream = expected === 'gpt-4o' ? upstreams.openai : upstreams.small;
    expect(upstream.requests[0].body).not.toHaveProperty('models');
  });

  it('fields, within-best, streams and chooseBatch take the subset too; without it every model is a candidate', async () => {
    const controller = fourModelController();
    // Within 0.05 of the best: claude among all four; among llama-70b and llama-8b, llama-70b (0.7 vs 0.3).
    const within = await controller.chat.completions.create({ router: 'table', within_best: 0.05, models: ['llama-70b', 'llama-8b'], messages: hard });
    expect(record(within)).toMatchObject({ within_best: 0.05, model: 'llama-70b', models: ['llama-70b', 'llama-8b'] });
    const stream = (await controller.chat.completions.create({
      model: 'router-table-1',
      models: ['claude-3-5-haiku-latest', 'llama-8b'],
      messages: hard,
      stream: true,
    })) as RoutedChatCompletionStream;
    const chunks = await stream.toArray();
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe('claude-3-5-haiku-latest says: ok ok ok');
    expect(chunks[0].routellm).toMatchObject({ model: 'claude-3-5-haiku-latest', models: ['claude-3-5-haiku-latest', 'llama-8b'] });
    const routing = controller.resolveModelRouting({ model: 'router-table-1', models: ['llama-70b', 'llama-8b'] });
    expect(routing.models).toEqual(['llama-70b', 'llama-8b']);
    const [choice] = await controller.chooseBatch(['a hard proof'], routing);
    expect(choice).toMatchObject({ model: 'llama-70b', models: ['llama-70b', 'llama-8b'] });
    const all = await controller.chat.completions.create({ model: 'router-table-1', messages: hard });
    expect(record(all)).toMatchObject({ model: 'gpt-4o', models: [...FOUR_MODELS] });
  });

  it('one model pins the request to it: the router is not asked, scores are empty', async () => {
    const router = new TableRouter();
    const controller = fourModelController({ routers: [router] });
    const completion = await controller.chat.completions.create({ model: 'router-table-1', models: ['llama-70b'], messages: hard });
    expect(record(completion)).toMatchObject({ chosen: 'llama-70b', model: 'llama-70b', models: ['llama-70b'], scores: {} });
    expect(record(completion).expected_cost_usd['llama-70b']).toBeGreaterThan(0);
    expect(router.calls).toBe(0);
    expect(upstreams.counts()).toEqual(onlyTo('llama-70b'));
  });

  it('fallback walks the subset only, by either order; all of it failing throws the last failure', async () => {
    const controller = fourModelController({ fallback: true });
    upstreams.openai.script({ kind: 'error', status: 503 });
    const once = await controller.chat.completions.create({ model: 'router-table-0.8', models: ['gpt-4o', 'llama-8b'], messages: hard });
    // Among all four the chain after gpt-4o would start with claude; here llama-8b is all that is left.
    expect(record(once)).toMatchObject({ chosen: 'gpt-4o', model: 'llama-8b', fallback: { from: 'gpt-4o', to: 'llama-8b', status: 503, tried: ['gpt-4o'] } });
    expect(upstreams.counts()).toEqual({ 'gpt-4o': 1, 'claude-3-5-haiku-latest': 0, 'llama-70b': 0, 'llama-8b': 1 });

    upstreams.reset();
    const listed = fourModelController({ fallback: true, fallbackOrder: 'listed' });
    upstreams.openai.script({ kind: 'error', status: 503 });
    upstreams.small.script({ kind: 'error', status: 502 });
    const failing = listed.chat.completions.create({ model: 'router-table-1', models: ['gpt-4o', 'llama-8b'], messages: hard });
    await expect(failing).rejects.toSatisfy((error) => ProviderError.isInstance(error) && error.status === 502);
    expect(upstreams.counts()).toEqual({ 'gpt-4o': 1, 'claude-3-5-haiku-latest': 0, 'llama-70b': 0, 'llama-8b': 1 });

    upstreams.reset();
    upstreams.big.script({ kind: 'error', status: 503 });
    const pinned = controller.chat.completions.create({ model: 'router-table-0.5', models: ['llama-70b'], messages: hard });
    await expect(pinned).rejects.toSatisfy((error) => ProviderError.isInstance(error) && error.status === 503);
    expect(upstreams.counts()).toEqual(onlyTo('llama-70b'));
  });
});

describe('bad subsets', () => {
  it.each([
    [['gpt-4o', 'mystery-model'], /"mystery-model" is not one of them.*gpt-4o, claude-3-5-haiku-latest, llama-70b, llama-8b/s],
    [['gpt-4o', 'llama-8b', 'gpt-4o'], /"gpt-4o" is listed twice/],
    [[], /non-empty array/],
    ['gpt-4o', /non-empty array/],
    [['gpt-4o', 7], /got 7/],
  ])('models %o is an InvalidInputError naming it, before any upstream call', async (models, message) => {
    const controller = fourModelController();
    const request = controller.chat.completions.create({ model: 'router-table-0.5', models, messages: hard } as never);
    await expect(request).rejects.toSatisfy(
      (error) => InvalidInputError.isInstance(error) && error.input === 'models' && message.test((error as Error).message),
    );
    expect(() => controller.resolveModelRouting({ model: 'router-table-0.5', models })).toThrow(message);
    await expect(controller.chooseBatch(['a'], { router: 'table', policy: { knob: 0.5 }, models: models as never })).rejects.toThrow(message);
    expect(Object.values(upstreams.counts()).reduce((a, b) => a + b)).toBe(0);
  });

  it('a two-model controller refuses `models` instead of sending it upstream', async () => {
    const pair = new Controller({ routers: ['random'], strongModel: 'gpt-4o', weakModel: 'llama-8b', providers: clients, maxRetries: 0 });
    const request = pair.chat.completions.create({ model: 'router-random-0.5', models: ['gpt-4o'], messages: hard });
    await expect(request).rejects.toSatisfy((error) => InvalidInputError.isInstance(error) && /strongModel and weakModel/.test((error as Error).message));
    expect(upstreams.counts()['gpt-4o']).toBe(0);
    // The server's /v1/route reads its fields here.
    expect(() => pair.resolveRouting({ model: 'router-random-0.5', models: ['gpt-4o'] })).toThrow(InvalidInputError);
  });
});
