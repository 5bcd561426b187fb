/**
 * A request that narrows the Controller's N models to a subset (`models`): the policy chooses among
 * the subset only, the fallback chain stays in it, the record names it, and bad subsets are typed
 * errors before any upstream call. Four models on three providers, real SDK clients against
 * loopback stand-ins (test/helpers/four-models.ts).
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Controller, isModelRoutingRecord, type ModelRoutingRecord, type RoutedChatCompletionStream } from '../src/controller/index.js';
import { InvalidInputError, ProviderError } from '../src/errors.js';
import { FOUR_MODELS, FOUR_PRICES, HARD_SCORES, startFourUpstreams, TableRouter, type FourUpstreams } from './helpers/four-models.js';

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

function fourModelController(router = new TableRouter(), extra: Partial<ConstructorParameters<typeof Controller>[0]> = {}): Controller {
  return new Controller({
    models: [...FOUR_MODELS],
    routers: [router],
    prices: FOUR_PRICES,
    providers: clients,
    endpoints: upstreams.endpoints,
    maxRetries: 0,
    ...extra,
  });
}

const hard = [{ role: 'user' as const, content: 'a hard proof' }];

function record(completion: { routellm: object }): ModelRoutingRecord {
  if (!isModelRoutingRecord(completion.routellm)) throw new Error('not an N-model record');
  return completion.routellm;
}

function onlyTo(model: string): Record<string, number> {
  return Object.fromEntries(FOUR_MODELS.map((name) => [name, name === model ? 1 : 0]));
}

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
    const controller = fourModelController(router);
    const completion = await controller.chat.completions.create({ model: 'router-table-1', models: ['llama-70b'], messages: hard });
    expect(record(completion)).toMatchObject({ chosen: 'llama-70b', model: 'llama-70b', models: ['llama-70b'], scores: {} });
    expect(record(completion).expected_cost_usd['llama-70b']).toBeGreaterThan(0);
    expect(router.calls).toBe(0);
    expect(upstreams.counts()).toEqual(onlyTo('llama-70b'));
  });

  it('fallback walks the subset only, by either order; all of it failing throws the last failure', async () => {
    const controller = fourModelController(new TableRouter(), { fallback: true });
    upstreams.openai.script({ kind: 'error', status: 503 });
    const once = await controller.chat.completions.create({ model: 'router-table-0.8', models: ['gpt-4o', 'llama-8b'], messages: hard });
    // Among all four the chain after gpt-4o would start with claude; here llama-8b is all that is left.
    expect(record(once)).toMatchObject({ chosen: 'gpt-4o', model: 'llama-8b', fallback: { from: 'gpt-4o', to: 'llama-8b', status: 503, tried: ['gpt-4o'] } });
    expect(upstreams.counts()).toEqual({ 'gpt-4o': 1, 'claude-3-5-haiku-latest': 0, 'llama-70b': 0, 'llama-8b': 1 });

    upstreams.reset();
    const listed = fourModelController(new TableRouter(), { fallback: true, fallbackOrder: 'listed' });
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
  });
});
