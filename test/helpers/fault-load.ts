/**
 * Load over the fault-injecting upstream, shared by test/server-faults.test.ts (a bounded run) and
 * bench/server-faults.bench.ts (1,000 requests at concurrency 100): one routellm server per fault
 * and fallback setting, requests spread over every fault, mode (JSON, stream) and setting, and
 * each answer classified against the documented outcomes.
 */
import { startServer, type RunningServer } from '../../src/server/index.js';
import type { FakeOpenAIServer } from './fake-openai-server.js';
import { FAULTS, startFaultUpstream, type Fault } from './fault-upstream.js';

/** What one request got. `wrong` is anything the README does not document. */
export type Outcome = 'answered' | 'fell-back' | 'provider-error' | 'error-event' | 'wrong';

/** The documented outcome of a request to a server whose strong model has `fault`. */
export function expectedOutcome(fault: Fault, fallback: boolean, stream: boolean): Outcome {
  if (stream && (fault === 'truncated' || fault === 'trickle')) return 'error-event';
  return fallback ? 'fell-back' : 'provider-error';
}

/** The servers and upstream of a fault run. */
export interface FaultRig {
  servers: Map<string, RunningServer>;
  upstream: FakeOpenAIServer;
  close(): Promise<void>;
}

const key = (fault: Fault, fallback: boolean) => `${fault}/${fallback}`;

/** Starts the upstream and one server per fault and fallback setting (all on 127.0.0.1). */
export async function startFaultRig(): Promise<FaultRig> {
  const upstream = await startFaultUpstream();
  const servers = new Map<string, RunningServer>();
  for (const fault of FAULTS) {
    for (const fallback of [false, true]) {
      const server = await startServer({
        routers: ['random'],
        strongModel: `fault-${fault}`,
        weakModel: 'good',
        baseURL: upstream.baseURL,
        port: 0,
        maxRetries: 0,
        timeoutMs: 10_000,
        streamIdleTimeoutMs: 400,
        fallback,
      });
      servers.set(key(fault, fallback), server);
    }
  }
  return {
    servers,
    upstream,
    close: async () => {
      await Promise.all([...servers.values()].map((server) => server.close()));
      await upstream.close();
    },
  };
}

/** Sends one chat request (routed to the faulty strong model) and classifies the answer. */
async function send(rig: FaultRig, fault: Fault, fallback: boolean, stream: boolean): Promise<Outcome> {
  const server = rig.servers.get(key(fault, fallback))!;
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model: 'router-random-0', stream, messages: [{ role: 'user', content: 'q' }] }),
  });
  if (response.status === 502) return ((await response.json()) as any).error?.code === 'provider_error' ? 'provider-error' : 'wrong';
  if (response.status !== 200) return 'wrong';
  if (!stream) {
    const body = (await response.json()) as any;
    if (body.choices?.[0]?.message?.content !== 'echo: q') return 'wrong';
    return body.routellm.fallback ? 'fell-back' : 'answered';
  }
  const events = (await response.text()).split('\n\n').filter(Boolean);
  const first = JSON.parse(events[0].slice('data: '.length));
  if (events.at(-1) === 'data: [DONE]') return first.routellm?.fallback ? 'fell-back' : 'answered';
  if (events.includes('data: [DONE]')) return 'wrong';
  return JSON.parse(events.at(-1)!.slice('data: '.length)).error?.code === 'provider_error' ? 'error-event' : 'wrong';
}

/** The result of a run: outcomes by `<fault> fallback=<bool> stream=<bool>`, and the requests answered. */
export interface FaultRun {
  outcomes: Map<string, Map<Outcome, number>>;
  answered: number;
  /** Requests the servers routed (their controllers' `stats().requests`). */
  routed: number;
  ms: number;
}

/** Sends `requests` requests, `concurrency` at a time, spread evenly over every fault, setting and mode. */
export async function runFaultLoad(rig: FaultRig, requests: number, concurrency: number): Promise<FaultRun> {
  const plan: [Fault, boolean, boolean][] = [];
  for (let i = 0; plan.length < requests; i++) {
    plan.push([FAULTS[i % FAULTS.length], Math.floor(i / FAULTS.length) % 2 === 1, Math.floor(i / (2 * FAULTS.length)) % 2 === 1]);
  }
  const before = [...rig.servers.values()].reduce((total, server) => total + server.controller.stats().requests, 0);
  const outcomes = new Map<string, Map<Outcome, number>>();
  let next = 0;
  let answered = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < plan.length) {
        const [fault, fallback, stream] = plan[next++];
        const outcome = await send(rig, fault, fallback, stream).catch((): Outcome => 'wrong');
        const label = `${fault} fallback=${fallback} stream=${stream}`;
        const counts = outcomes.get(label) ?? new Map<Outcome, number>();
        counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
        outcomes.set(label, counts);
        answered++;
      }
    }),
  );
  const routed = [...rig.servers.values()].reduce((total, server) => total + server.controller.stats().requests, 0) - before;
  return { outcomes, answered, routed, ms: performance.now() - start };
}
