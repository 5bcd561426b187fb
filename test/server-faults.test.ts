/**
 * Every fault of the stand-in upstream, at load: 1,000 requests at concurrency 100 over servers
 * whose strong model is faulty (fallback on and off, JSON and streams). Each request must get a
 * documented answer (200, 200 with a fallback record, 502 provider_error, or a stream that ends
 * with an error event instead of [DONE]) and none may be lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server/index.js';
import type { FakeOpenAIServer } from './helpers/fake-openai-server.js';
import { FAULTS, startFaultUpstream, type Fault } from './helpers/fault-upstream.js';

let upstream: FakeOpenAIServer;
const servers = new Map<string, RunningServer>();
const key = (fault: Fault, fallback: boolean) => `${fault}/${fallback}`;

beforeAll(async () => {
  upstream = await startFaultUpstream();
  for (const fault of FAULTS) {
    for (const fallback of [false, true]) {
      const server = await startServer({
        routers: ['random'],
        strongModel: `fault-${fault}`,
        weakModel: 'good',
        baseURL: upstream.baseURL,
        port: 0,
        maxRetries: 0,
        timeoutMs: 5_000,
        streamIdleTimeoutMs: 400,
        fallback,
      });
      servers.set(key(fault, fallback), server);
    }
  }
});
afterAll(async () => {
  await Promise.all([...servers.values()].map((server) => server.close()));
  await upstream.close();
});

type Outcome = 'answered' | 'fell-back' | 'provider-error' | 'error-event';

/** What one request got, checked against the shapes the README documents. */
async function send(fault: Fault, fallback: boolean, stream: boolean): Promise<Outcome> {
  const server = servers.get(key(fault, fallback))!;
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model: 'router-random-0', stream, messages: [{ role: 'user', content: 'q' }] }),
  });
  if (response.status === 502) {
    const failure = ((await response.json()) as any).error;
    expect(failure.code).toBe('provider_error');
    return 'provider-error';
  }
  expect(response.status).toBe(200);
  if (!stream) {
    const body = (await response.json()) as any;
    expect(body.choices[0].message.content).toBe('echo: q');
    return body.routellm.fallback ? 'fell-back' : 'answered';
  }
  const events = (await response.text()).split('\n\n').filter(Boolean);
  const first = JSON.parse(events[0].slice('data: '.length));
  if (events.at(-1) === 'data: [DONE]') return first.routellm.fallback ? 'fell-back' : 'answered';
  expect(events).not.toContain('data: [DONE]');
  expect(JSON.parse(events.at(-1)!.slice('data: '.length)).error.code).toBe('provider_error');
  return 'error-event';
}

describe('fault-injecting upstream under load', () => {
  it('answers 1,000 requests at concurrency 100 with a documented status or in-band error each, falling back where enabled', async () => {
    const plan: [Fault, boolean, boolean][] = [];
    for (let i = 0; plan.length < 1_000; i++) {
      plan.push([FAULTS[i % FAULTS.length], Math.floor(i / FAULTS.length) % 2 === 1, Math.floor(i / (2 * FAULTS.length)) % 2 === 1]);
    }
    const outcomes = new Map<string, Set<Outcome>>();
    let next = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 100 }, async () => {
        while (next < plan.length) {
          const [fault, fallback, stream] = plan[next++];
          const outcome = await send(fault, fallback, stream);
          const label = `${fault} fallback=${fallback} stream=${stream}`;
          outcomes.set(label, (outcomes.get(label) ?? new Set()).add(outcome));
          done++;
        }
      }),
    );
    expect(done).toBe(1_000);
    const routed = [...servers.values()].reduce((total, server) => total + server.controller.stats().requests, 0);
    expect(routed).toBe(1_000);
    // One outcome per fault and mode, the documented one.
    const expected = (fault: Fault, fallback: boolean, stream: boolean): Outcome => {
      const midStream = stream && (fault === 'truncated' || fault === 'trickle');
      if (midStream) return 'error-event';
      return fallback ? 'fell-back' : 'provider-error';
    };
    for (const fault of FAULTS) {
      for (const fallback of [false, true]) {
        for (const stream of [false, true]) {
          expect([...outcomes.get(`${fault} fallback=${fallback} stream=${stream}`)!], `${fault} fallback=${fallback} stream=${stream}`).toEqual([
            expected(fault, fallback, stream),
          ]);
        }
      }
    }
  }, 60_000);
});
