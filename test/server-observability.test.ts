/**
 * What a running server shows: Prometheus metrics, one JSON log line per request (no secrets),
 * `/v1/stats`, and the same routes mounted in node:http, Express and Hono through `createHandler`.
 * Upstream: the fault-injecting stand-in on 127.0.0.1 (the real `openai` client calls it).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace, type Attributes, type Span, type SpanStatus, type Tracer } from '@opentelemetry/api';
import express from 'express';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Controller } from '../src/controller/index.js';
import { createHandler, startServer, type RunningServer } from '../src/server/index.js';
import { startFakeOpenAIServer, openAIError, type FakeOpenAIServer } from './helpers/fake-openai-server.js';
import { startFaultUpstream } from './helpers/fault-upstream.js';
import { parsePrometheus, sum } from './helpers/prometheus.js';

const UPSTREAM_KEY = 'sk-observability-secret-0123456789';
const AUTH_TOKEN = 'client-token-abcdef123';

let upstream: FakeOpenAIServer;
let leaky: FakeOpenAIServer;
let server: RunningServer;
const logLines: string[] = [];
const auth = { authorization: `Bearer ${AUTH_TOKEN}` };

function post(path: string, body: unknown, headers: Record<string, string> = auth) {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

beforeAll(async () => {
  upstream = await startFaultUpstream();
  // An upstream whose error message repeats the key it was sent (as some proxies do).
  leaky = await startFakeOpenAIServer({ handler: (request) => openAIError(500, `bad gateway for ${request.headers.authorization}`, 'server_error') });
  server = await startServer({
    routers: ['random'],
    strongModel: 'fault-500',
    weakModel: 'good',
    endpoints: { 'fault-500': { baseURL: upstream.baseURL, apiKey: UPSTREAM_KEY }, good: { baseURL: upstream.baseURL, apiKey: UPSTREAM_KEY }, leaky: { baseURL: leaky.baseURL, apiKey: UPSTREAM_KEY } },
    prices: { 'fault-500': { input: 10, output: 30 }, good: { input: 1, output: 2 } },
    authToken: AUTH_TOKEN,
    port: 0,
    maxRetries: 0,
    fallback: true,
    logLevel: 'info',
    logDestination: { write: (line) => void logLines.push(line) },
  });
});
afterAll(async () => {
  await server.close();
  await Promise.all([upstream.close(), leaky.close()]);
});

describe('metrics, logs and stats', () => {
  it('counts requests by router, decision, model and status on /metrics (Prometheus text), with latency histograms, fallbacks and tokens', async () => {
    const strong = 7;
    const weak = 5;
    const bad = 3;
    const answers = await Promise.all([
      ...Array.from({ length: strong }, () => post('/v1/chat/completions', { model: 'router-random-0', messages: [{ role: 'user', content: 'strong one' }] })),
      ...Array.from({ length: weak }, () => post('/v1/chat/completions', { model: 'router-random-1', messages: [{ role: 'user', content: 'weak one' }] })),
      ...Array.from({ length: bad }, () => post('/v1/chat/completions', { model: 'router-nope-1', messages: [{ role: 'user', content: 'x' }] })),
      post('/v1/route', { prompts: ['a', 'b', 'c', 'd'], model: 'router-random-0.5' }),
      post('/v1/scan-me-123', {}),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([...Array(strong + weak).fill(200), ...Array(bad).fill(404), 200, 404]);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const response = await fetch(`${server.url}/metrics`, { headers: auth });
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const samples = parsePrometheus(await response.text());
    const path = '/v1/chat/completions';
    // Strong decisions fail on fault-500 and fall back to the weak model, which answers.
    expect(sum(samples, 'routellm_requests_total', { path, decision: 'strong', model: 'good', status: '200', router: 'random' })).toBe(strong);
    expect(sum(samples, 'routellm_requests_total', { path, decision: 'weak', model: 'good', status: '200' })).toBe(weak);
    expect(sum(samples, 'routellm_requests_total', { path, status: '404', router: '' })).toBe(bad);
    expect(sum(samples, 'routellm_requests_total', { path: '/v1/route', status: '200', router: 'random' })).toBe(1);
    // Unknown paths share one label value, so scanners cannot grow the series without bound.
    expect(sum(samples, 'routellm_requests_total', { path: 'other', status: '404' })).toBe(1);
    // Strong/weak requests keep their labels: the policy label is only for routing among N models.
    expect(samples.filter((sample) => sample.name === 'routellm_requests_total' && 'policy' in sample.labels)).toEqual([]);
    expect(samples.some((sample) => sample.labels.path === '/v1/scan-me-123')).toBe(false);
    expect(sum(samples, 'routellm_fallbacks_total', { router: 'random', from: 'fault-500', to: 'good' })).toBe(strong);
    expect(sum(samples, 'routellm_upstream_errors_total', { kind: 'status' })).toBe(strong);
    expect(sum(samples, 'routellm_routing_duration_seconds_count', { router: 'random' })).toBe(strong + weak);
    expect(sum(samples, 'routellm_upstream_duration_seconds_count', { model: 'good' })).toBe(strong + weak);
    expect(sum(samples, 'routellm_route_prompts_total', { router: 'random' })).toBe(4);
    const stats = server.controller.stats();
    expect(sum(samples, 'routellm_tokens_total', { model: 'good', type: 'completion' })).toBe(stats.models.good.completionTokens);
    expect(sum(samples, 'routellm_cost_usd_total', { model: 'good' })).toBeCloseTo(stats.costUsd, 12);
    expect(sum(samples, 'routellm_savings_usd')).toBeCloseTo(stats.savingsUsd, 12);
  });

  it('adds process metrics (event-loop lag, memory) only when asked', async () => {
    const controller = new Controller({ routers: ['random'] });
    const plain = await (await createHandler(controller).fetch(new Request('http://in-process/metrics'))).text();
    const withProcess = await (await createHandler(controller, { processMetrics: true }).fetch(new Request('http://in-process/metrics'))).text();
    expect(plain).not.toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
    expect(parsePrometheus(withProcess).some((sample) => sample.name === 'nodejs_eventloop_lag_p99_seconds')).toBe(true);
    expect(withProcess).toMatch(/^process_resident_memory_bytes \d+/m);
    await controller.dispose();
  });

  it('serves the controller stats on /v1/stats behind the bearer token', async () => {
    expect((await fetch(`${server.url}/v1/stats`)).status).toBe(401);
    const stats = (await (await fetch(`${server.url}/v1/stats`, { headers: auth })).json()) as any;
    expect(stats).toMatchObject({ object: 'routellm.stats', ...server.controller.stats() });
    expect(stats.requests).toBeGreaterThan(0);
  });

  it('logs one JSON line per request with its id, routing, status and latencies, and never a key or token', async () => {
    logLines.length = 0;
    const answer = await post('/v1/chat/completions', { model: 'router-random-0', messages: [{ role: 'user', content: 'log me' }] }, { ...auth, 'x-request-id': 'req-42' });
    expect(answer.headers.get('x-request-id')).toBe('req-42');
    // The leaky upstream puts the upstream key in its error message; the reply and the log scrub it.
    const direct = new Controller({ routers: ['random'], strongModel: 'leaky', weakModel: 'leaky', endpoints: { leaky: { baseURL: leaky.baseURL, apiKey: UPSTREAM_KEY } }, maxRetries: 0 });
    const handler = createHandler(direct, { logLevel: 'info', logDestination: { write: (line) => void logLines.push(line) }, secrets: [UPSTREAM_KEY] });
    const leaked = await handler.fetch(
      new Request('http://in-process/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'router-random-0.5', messages: [{ role: 'user', content: 'x' }] }) }),
    );
    expect(leaked.status).toBe(502);
    const leakedText = await leaked.text();
    expect(leakedText).toContain('[redacted]');
    await direct.dispose();
    await post('/v1/models', {}, { authorization: `bearer ${AUTH_TOKEN}x` });
    expect(logLines).toHaveLength(3);
    const [first, second, third] = logLines.map((line) => JSON.parse(line));
    expect(first).toMatchObject({
      msg: 'request',
      request_id: 'req-42',
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      router: 'random',
      threshold: 0,
      decision: 'strong',
      model: 'good',
      fallback: { from: 'fault-500', to: 'good', kind: 'status' },
      tokens: { prompt: expect.any(Number), completion: expect.any(Number) },
      latency_ms: { routing: expect.any(Number), upstream: expect.any(Number), total: expect.any(Number) },
    });
    expect(second).toMatchObject({ status: 502, level: 50, error: { code: 'provider_error', kind: 'status' } });
    expect(third).toMatchObject({ status: 401, path: '/v1/models' });
    const everything = logLines.join('\n') + leakedText;
    for (const secret of [UPSTREAM_KEY, AUTH_TOKEN]) expect(everything).not.toContain(secret);
  });
});

describe('createHandler mounted in node:http, Express and Hono', () => {
  let controller: Controller;
  let handler: ReturnType<typeof createHandler>;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    controller = new Controller({ routers: ['random'], strongModel: 'good', weakModel: 'good', endpoints: { good: { baseURL: upstream.baseURL } }, maxRetries: 0 });
    handler = createHandler(controller, { thresholds: { random: 0.5 } });
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await controller.dispose();
  });

  async function listen(app: http.RequestListener): Promise<string> {
    const listener = http.createServer(app);
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => listener.close(() => resolve())));
    return `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  }

  /** The same three requests through a base URL's fetch: models, a streamed chat, a route batch. */
  async function exercise(send: (path: string, init?: RequestInit) => Promise<Response>) {
    const models = (await (await send('/v1/models')).json()) as any;
    expect(models.data.map((model: { id: string }) => model.id)).toEqual(['router-random-0.5']);
    const streamed = await send('/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify({ model: 'router-random-0.5', stream: true, messages: [{ role: 'user', content: 'mounted' }] }),
    });
    expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await streamed.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(text).toContain('"content":"mounted"');
    const routed = (await (await send('/v1/route', { method: 'POST', body: JSON.stringify({ prompts: ['a', 'b'], model: 'router-random-0.5' }) })).json()) as any;
    expect(routed.results).toHaveLength(2);
    expect((await send('/v1/nothing-here')).status).toBe(404);
  }

  it('node:http', async () => {
    const base = await listen(handler.node);
    await exercise((path, init) => fetch(`${base}${path}`, init));
  });

  it('Express, under a mount path, passing other paths on to the app', async () => {
    const app = express();
    app.use('/llm', handler.node);
    app.get('/other', (_request, response) => void response.send('app route'));
    const base = await listen(app);
    await exercise((path, init) => fetch(`${base}/llm${path}`, init));
    expect(await (await fetch(`${base}/other`)).text()).toBe('app route');
  });

  it('Hono, through the web-standard fetch handler', async () => {
    const app = new Hono();
    app.mount('/llm', handler.fetch);
    app.get('/other', (context) => context.text('app route'));
    await exercise(async (path, init) => app.request(`/llm${path}`, init));
    expect(await (await app.request('/other')).text()).toBe('app route');
  });
});

/** A real (minimal) OpenTelemetry tracer: records each span's name, attributes, status and end. */
class RecordedSpan implements Span {
  ended = false;
  status?: SpanStatus;
  constructor(
    readonly name: string,
    readonly attributes: Attributes,
  ) {}
  spanContext() {
    return { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 };
  }
  setAttribute(key: string, value: unknown) {
    this.attributes[key] = value as never;
    return this;
  }
  setAttributes(attributes: Attributes) {
    Object.assign(this.attributes, attributes);
    return this;
  }
  addEvent() {
    return this;
  }
  addLink() {
    return this;
  }
  addLinks() {
    return this;
  }
  setStatus(status: SpanStatus) {
    this.status = status;
    return this;
  }
  updateName() {
    return this;
  }
  end() {
    this.ended = true;
  }
  isRecording() {
    return !this.ended;
  }
  recordException() {}
}

class RecordingTracer implements Tracer {
  readonly spans: RecordedSpan[] = [];
  startSpan(name: string, options: { attributes?: Attributes } = {}): Span {
    const span = new RecordedSpan(name, { ...options.attributes });
    this.spans.push(span);
    return span;
  }
  startActiveSpan(name: string, ...rest: unknown[]): never {
    const run = rest.at(-1) as (span: Span) => never;
    const options = rest.length > 1 ? (rest[0] as { attributes?: Attributes }) : {};
    return run(this.startSpan(name, options));
  }
}

describe('OpenTelemetry', () => {
  // One provider for the file: OpenTelemetry's proxy tracers keep the first tracer they are given.
  const tracer = new RecordingTracer();
  beforeAll(() => {
    expect(trace.setGlobalTracerProvider({ getTracer: () => tracer })).toBe(true);
  });
  afterAll(() => trace.disable());
  beforeEach(() => {
    tracer.spans.length = 0;
  });

  it('records request, route and upstream spans once the application registers a tracer provider', async () => {
    const controller = new Controller({ routers: ['random'], strongModel: 'fault-500', weakModel: 'good', endpoints: { 'fault-500': { baseURL: upstream.baseURL }, good: { baseURL: upstream.baseURL } }, maxRetries: 0, fallback: true });
    const handler = createHandler(controller);
    const response = await handler.fetch(
      new Request('http://in-process/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'router-random-0', messages: [{ role: 'user', content: 'trace me' }] }) }),
    );
    expect(response.status).toBe(200);
    await controller.dispose();
    expect(tracer.spans.map((span) => span.name)).toEqual(['routellm.request', 'routellm.route', 'routellm.upstream', 'routellm.upstream']);
    expect(tracer.spans.every((span) => span.ended)).toBe(true);
    const [request, route, failed, answered] = tracer.spans;
    expect(request.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.path': '/v1/chat/completions', 'http.response.status_code': 200, 'routellm.router': 'random', 'routellm.model': 'good' });
    expect(route.attributes).toMatchObject({ 'routellm.router': 'random', 'routellm.strong_win_rate': expect.any(Number) });
    expect(failed.attributes['routellm.model']).toBe('fault-500');
    expect(failed.status?.code).toBe(2);
    expect(answered.attributes['routellm.model']).toBe('good');
  });

  it('puts the N-model knob, the candidates and the choice on the request span', async () => {
    const models = ['good', 'good-mid', 'good-cheap'];
    const controller = new Controller({
      routers: ['random'],
      models,
      prices: { good: { input: 10, output: 30 }, 'good-mid': { input: 1, output: 2 }, 'good-cheap': { input: 0.1, output: 0.2 } },
      endpoints: Object.fromEntries(models.map((model) => [model, { baseURL: upstream.baseURL }])),
      maxRetries: 0,
    });
    const handler = createHandler(controller);
    const response = await handler.fetch(
      new Request('http://in-process/v1/chat/completions', {
        method: 'POST',
        body: JSON.stringify({ model: 'router-random-0', models: ['good', 'good-cheap'], messages: [{ role: 'user', content: 'trace me' }] }),
      }),
    );
    expect(response.status).toBe(200);
    await controller.dispose();
    const request = tracer.spans.find((span) => span.name === 'routellm.request')!;
    // Knob 0 is the cheapest candidate of the subset.
    expect(request.attributes).toMatchObject({ 'routellm.router': 'random', 'routellm.knob': 0, 'routellm.models': ['good', 'good-cheap'], 'routellm.chosen': 'good-cheap', 'routellm.model': 'good-cheap' });
    expect(request.attributes['routellm.decision']).toBeUndefined();
  });
});
