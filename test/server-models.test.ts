/**
 * Routing among N models through the server: `startServer` in process with four models on three
 * providers (real HTTP stand-ins), called with the real `openai` client and fetch.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ModelRoutingRecord } from '../src/controller/index.js';
import { InvalidOptionsError, UnknownModelError } from '../src/errors.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { FOUR_MODELS, FOUR_PRICES, HARD_SCORES, startFourUpstreams, TableRouter, type FourUpstreams } from './helpers/four-models.js';
import { parsePrometheus, sum, type PrometheusSample } from './helpers/prometheus.js';

let upstreams: FourUpstreams;
let server: RunningServer;
let client: OpenAI;
const logLines: string[] = [];

function serverOptions(upstreamClients: { openai: OpenAI; anthropic: Anthropic }) {
  return {
    routers: [new TableRouter()],
    models: [...FOUR_MODELS],
    prices: FOUR_PRICES,
    providers: upstreamClients,
    endpoints: upstreams.endpoints,
    maxRetries: 0,
    fallback: true,
    thresholds: { table: 0.6 },
    logLevel: 'info' as const,
    logDestination: { write: (line: string) => void logLines.push(line) },
    port: 0,
  };
}

beforeAll(async () => {
  upstreams = await startFourUpstreams();
  server = await startServer(
    serverOptions({
      openai: new OpenAI({ baseURL: upstreams.openai.url, apiKey: 'sk-openai', maxRetries: 0 }),
      anthropic: new Anthropic({ baseURL: upstreams.anthropic.url, apiKey: 'sk-anthropic', maxRetries: 0 }),
    }),
  );
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
  await upstreams.close();
});
beforeEach(() => {
  upstreams.reset();
  logLines.length = 0;
});

const hard = [{ role: 'user' as const, content: 'a hard proof' }];

async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

describe('server among four models', () => {
  it('POST /v1/chat/completions: the chosen model answers; routellm has the choice and every score', async () => {
    const completion = await client.chat.completions.create({ model: 'router-table-0.8', messages: hard });
    const routed = (completion as unknown as { routellm: ModelRoutingRecord }).routellm;
    expect(routed).toMatchObject({ router: 'table', knob: 0.8, chosen: 'claude-3-5-haiku-latest', model: 'claude-3-5-haiku-latest' });
    for (const model of FOUR_MODELS) expect(routed.scores[model]).toBeCloseTo(HARD_SCORES[model], 6);
    expect(completion.choices[0].message.content).toBe('claude-3-5-haiku-latest says: ok ok ok');
    expect(upstreams.counts()['claude-3-5-haiku-latest']).toBe(1);
  });

  it('streams with the record on every chunk, and falls back down the chain', async () => {
    upstreams.big.script({ kind: 'error', status: 503 });
    const stream = await client.chat.completions.create({ model: 'router-table-0.6', messages: hard, stream: true });
    const chunks: any[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toContain('says: ok ok ok');
    // At 0.6 without llama-70b the policy's next choice is claude: 0.528 - 0.4 * 0.8 = 0.208 against llama-8b's 0.18 and gpt-4o's 0.14.
    const first = chunks[0].routellm as ModelRoutingRecord;
    expect(first).toMatchObject({
      chosen: 'llama-70b',
      model: 'claude-3-5-haiku-latest',
      fallback: { from: 'llama-70b', to: 'claude-3-5-haiku-latest', status: 503, tried: ['llama-70b'] },
    });
    expect(upstreams.counts()).toEqual({ 'gpt-4o': 0, 'claude-3-5-haiku-latest': 1, 'llama-70b': 1, 'llama-8b': 0 });
    for (const chunk of chunks) expect(chunk.routellm.model).toBe('claude-3-5-haiku-latest');
  });

  it('POST /v1/route: the choice per prompt with scores and expected costs, no model call', async () => {
    const { status, json } = await post('/v1/route', { model: 'router-table-0', prompts: ['a hard proof', 'say hi'] });
    expect(status).toBe(200);
    expect(json).toMatchObject({ object: 'routellm.route', router: 'table', knob: 0, models: [...FOUR_MODELS] });
    expect(json.results.map((result: { model: string }) => result.model)).toEqual(['llama-8b', 'llama-8b']);
    expect(Object.keys(json.results[0].scores)).toEqual([...FOUR_MODELS]);
    expect(json.results[0].expected_cost_usd['gpt-4o']).toBeGreaterThan(json.results[0].expected_cost_usd['llama-8b']);
    const best = await post('/v1/route', { router: 'table', knob: 1, prompt: 'a hard proof' });
    expect(best.json.results[0].model).toBe('gpt-4o');
    const within = await post('/v1/route', { model: 'router-table-within-0.05', prompt: 'a hard proof' });
    expect(within.json).toMatchObject({ within_best: 0.05, results: [{ model: 'claude-3-5-haiku-latest' }] });
    expect(Object.values(upstreams.counts()).reduce((a, b) => a + b)).toBe(0);
  });

  it('GET /v1/models lists the configured knob with the models', async () => {
    const response = await fetch(`${server.url}/v1/models`);
    const body = (await response.json()) as any;
    expect(body.data).toEqual([
      { id: 'router-table-0.6', object: 'model', created: expect.any(Number), owned_by: 'routellm', routellm: { router: 'table', knob: 0.6, models: [...FOUR_MODELS] } },
    ]);
  });

  it.each([
    [{ model: 'router-table-1.5', messages: hard }, 'knob'],
    [{ router: 'table', knob: -1, messages: hard }, 'knob'],
    [{ router: 'table', threshold: 0.5, messages: hard }, 'threshold'],
    [{ model: 'router-table-within-abc', messages: hard }, 'model'],
    [{ model: 'gpt-4o', messages: hard }, 'model'],
  ])('bad input %o is an OpenAI-format 400 naming %s', async (body, param) => {
    const { status, json } = await post('/v1/chat/completions', body);
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ type: 'invalid_request_error', param });
    const route = await post('/v1/route', { ...body, messages: undefined, prompt: 'a hard proof' });
    expect(route.status).toBe(400);
    expect(Object.values(upstreams.counts()).reduce((a, b) => a + b)).toBe(0);
  });

  it('refuses to start without a price per model, or with a model the router does not know', async () => {
    const clients = { openai: new OpenAI({ apiKey: 'x' }), anthropic: new Anthropic({ apiKey: 'x' }) };
    const { 'llama-70b': _dropped, ...partial } = FOUR_PRICES;
    await expect(startServer({ ...serverOptions(clients), prices: partial })).rejects.toSatisfy(
      (error) => InvalidOptionsError.isInstance(error) && /no price for "llama-70b"/.test((error as Error).message),
    );
    await expect(
      startServer({ ...serverOptions(clients), models: ['gpt-4o', 'mystery'], prices: { ...FOUR_PRICES, mystery: { input: 1, output: 1 } } }),
    ).rejects.toSatisfy((error) => UnknownModelError.isInstance(error) && /mystery/.test((error as Error).message));
  });
});

/** The JSON log line of the last request to `path`. */
function lastLogLine(path: string): Record<string, any> {
  const lines = logLines.map((line) => JSON.parse(line)).filter((line) => line.path === path);
  return lines[lines.length - 1];
}

/** The samples of `GET /metrics`, scraped from the server. */
async function scrape(): Promise<PrometheusSample[]> {
  return parsePrometheus(await (await fetch(`${server.url}/metrics`)).text());
}

/** The sum of the samples of `name` with `labels` (among others) on `GET /metrics`, 0 when absent. */
async function metric(name: string, labels: Record<string, string>): Promise<number> {
  return sum(await scrape(), name, labels);
}

describe('server among four models: a subset per request', () => {
  // Among gpt-4o and llama-8b: llama-8b at knob 0.6, gpt-4o at 0.8 (all four: llama-70b, claude).
  it.each([
    [0.6, 'llama-8b'],
    [0.8, 'gpt-4o'],
  ])('POST /v1/chat/completions at knob %s: the subset\'s choice %s answers; the log line has knob, subset and choice', async (knob, expected) => {
    const completion = await client.chat.completions.create({ model: `router-table-${knob}`, messages: hard, models: ['gpt-4o', 'llama-8b'] } as never);
    const routed = (completion as unknown as { routellm: ModelRoutingRecord }).routellm;
    expect(routed).toMatchObject({ knob, chosen: expected, model: expected, models: ['gpt-4o', 'llama-8b'] });
    expect(Object.keys(routed.scores)).toEqual(['gpt-4o', 'llama-8b']);
    expect(upstreams.counts()).toEqual(Object.fromEntries(FOUR_MODELS.map((model) => [model, model === expected ? 1 : 0])));
    const line = lastLogLine('/v1/chat/completions');
    expect(line).toMatchObject({ status: 200, router: 'table', knob, models: ['gpt-4o', 'llama-8b'], chosen: expected, model: expected });
    expect(line).not.toHaveProperty('threshold');
  });

  it('POST /v1/route: the subset\'s choices and scores; the log line and the route_choices metric carry the policy', async () => {
    const labels = { router: 'table', policy: 'knob=0.6', model: 'llama-8b' };
    const before = await metric('routellm_route_choices_total', labels);
    const { status, json } = await post('/v1/route', { model: 'router-table-0.6', models: ['llama-8b', 'gpt-4o'], prompts: ['a hard proof', 'say hi'] });
    expect(status).toBe(200);
    expect(json).toMatchObject({ knob: 0.6, models: ['gpt-4o', 'llama-8b'] });
    expect(json.results.map((result: { model: string }) => result.model)).toEqual(['llama-8b', 'llama-8b']);
    expect(Object.keys(json.results[0].scores)).toEqual(['gpt-4o', 'llama-8b']);
    expect(await metric('routellm_route_choices_total', labels)).toBe(before + 2);
    expect(lastLogLine('/v1/route')).toMatchObject({ router: 'table', knob: 0.6, models: ['gpt-4o', 'llama-8b'], prompts: 2 });

    // Exact values in the log, the label rounded to 0.05 (bounded series); the margin as well.
    const rounded = { router: 'table', policy: 'knob=0.8', model: 'claude-3-5-haiku-latest' };
    const margin = { router: 'table', policy: 'within_best=0.05', model: 'claude-3-5-haiku-latest' };
    const [roundedBefore, marginBefore] = [await metric('routellm_route_choices_total', rounded), await metric('routellm_route_choices_total', margin)];
    await post('/v1/route', { router: 'table', knob: 0.8123, prompt: 'a hard proof' });
    expect(lastLogLine('/v1/route')).toMatchObject({ knob: 0.8123, models: [...FOUR_MODELS] });
    expect(await metric('routellm_route_choices_total', rounded)).toBe(roundedBefore + 1);
    await post('/v1/route', { model: 'router-table-within-0.05', prompt: 'a hard proof' });
    expect(lastLogLine('/v1/route')).toMatchObject({ within_best: 0.05 });
    expect(await metric('routellm_route_choices_total', margin)).toBe(marginBefore + 1);
    expect(Object.values(upstreams.counts()).reduce((a, b) => a + b)).toBe(0);
  });

  it('the request counter carries the policy (rounded to 0.05, at most 21 values per rule) beside the model that answered', async () => {
    const chat = { path: '/v1/chat/completions', router: 'table', decision: '', status: '200' };
    const labels = {
      knob: { ...chat, model: 'gpt-4o', policy: 'knob=0.8' },
      margin: { ...chat, model: 'claude-3-5-haiku-latest', policy: 'within_best=0.05' },
      route: { path: '/v1/route', router: 'table', decision: '', model: '', status: '200', policy: 'knob=0.6' },
    };
    const before = await scrape();
    // 0.8123 among gpt-4o and llama-8b: gpt-4o, counted as knob=0.8; within 0.05 of the best among all four: claude.
    await client.chat.completions.create({ model: 'router-table-0.8123', messages: hard, models: ['gpt-4o', 'llama-8b'] } as never);
    await client.chat.completions.create({ model: 'router-table-within-0.05', messages: hard });
    await post('/v1/route', { router: 'table', knob: 0.6, prompts: ['a hard proof', 'say hi'] });
    const after = await scrape();
    for (const wanted of Object.values(labels)) {
      expect(sum(after, 'routellm_requests_total', wanted) - sum(before, 'routellm_requests_total', wanted)).toBe(1);
    }
    // A request counted once, under its policy: no copy without the label.
    const unlabelled = { ...chat, model: 'gpt-4o' };
    const withoutPolicy = (samples: PrometheusSample[]) => samples.filter((sample) => sample.name === 'routellm_requests_total' && !('policy' in sample.labels) && Object.entries(unlabelled).every(([key, value]) => sample.labels[key] === value));
    expect(withoutPolicy(after)).toEqual(withoutPolicy(before));

    // Any floats clients send: the label keeps to the 0.05 grid.
    await Promise.all(Array.from({ length: 40 }, (_, i) => post('/v1/route', { router: 'table', knob: (i * 0.6180339887) % 1, prompt: 'say hi' })));
    const knobs = (await scrape())
      .filter((sample) => sample.name === 'routellm_requests_total' && sample.labels.path === '/v1/route' && sample.labels.policy?.startsWith('knob='))
      .map((sample) => Number(sample.labels.policy.slice('knob='.length)));
    expect(new Set(knobs).size).toBeGreaterThan(10);
    expect(new Set(knobs).size).toBeLessThanOrEqual(21);
    for (const knob of knobs) expect(knob * 20).toBeCloseTo(Math.round(knob * 20), 9);
  });

  it('one model answers without scores; fallback stays within the subset', async () => {
    const pinned = await post('/v1/chat/completions', { model: 'router-table-1', models: ['llama-70b'], messages: hard });
    expect(pinned.json.routellm).toMatchObject({ model: 'llama-70b', models: ['llama-70b'], scores: {} });
    upstreams.reset();
    upstreams.openai.script({ kind: 'error', status: 503 });
    const fell = await post('/v1/chat/completions', { model: 'router-table-0.8', models: ['gpt-4o', 'llama-8b'], messages: hard });
    expect(fell.json.routellm).toMatchObject({ chosen: 'gpt-4o', model: 'llama-8b', fallback: { tried: ['gpt-4o'] } });
    expect(upstreams.counts()).toEqual({ 'gpt-4o': 1, 'claude-3-5-haiku-latest': 0, 'llama-70b': 0, 'llama-8b': 1 });
  });

  it.each([
    [['gpt-4o', 'mystery'], /"mystery" is not one of them/],
    [['gpt-4o', 'gpt-4o'], /"gpt-4o" is listed twice/],
    [[], /non-empty array/],
  ])('models %o is an OpenAI-format 400 with param models, on both routes', async (models, message) => {
    for (const [path, body] of [
      ['/v1/chat/completions', { model: 'router-table-0.5', models, messages: hard }],
      ['/v1/route', { model: 'router-table-0.5', models, prompt: 'a hard proof' }],
    ] as const) {
      const { status, json } = await post(path, body);
      expect(status).toBe(400);
      expect(json.error).toMatchObject({ type: 'invalid_request_error', param: 'models', message: expect.stringMatching(message) });
    }
    expect(Object.values(upstreams.counts()).reduce((a, b) => a + b)).toBe(0);
  });
});
