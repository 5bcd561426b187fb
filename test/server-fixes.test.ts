/**
 * The faults a hostile test found in the server (issue 20, items 1-3 and 5-8; item 4 is in
 * src/weights-format/weights.test.ts). Each test drives a real server (startServer) with fetch
 * or node:http against the fault-injecting stand-in upstream on 127.0.0.1.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Controller } from '../src/controller/index.js';
import { InvalidInputError, UnknownRouterError } from '../src/errors.js';
import { BaseRouter } from '../src/routers/base.js';
import { createRouter } from '../src/routers/registry.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import type { FakeOpenAIServer } from './helpers/fake-openai-server.js';
import { startFaultUpstream } from './helpers/fault-upstream.js';

/**
 * A CPU-bound router (a busy wait per prompt, which no `await` interrupts) that counts what it
 * scored. Once `hurry` is set its remaining steps skip the wait, so a test that has seen what it
 * needs does not sit through the rest of a large batch.
 */
class BusyRouter extends BaseRouter {
  readonly name = 'busy';
  scored = 0;
  hurry = false;
  protected async scoreBatch(prompts: readonly string[]): Promise<Float32Array> {
    const end = performance.now() + (this.hurry ? 0 : prompts.length * 0.2);
    while (performance.now() < end);
    this.scored += prompts.length;
    return new Float32Array(prompts.length).fill(0.5);
  }
}

/** Resolves once `ready()` is true, checking between turns of the event loop. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 5));
}

let upstream: FakeOpenAIServer;
const running: RunningServer[] = [];

beforeAll(async () => {
  upstream = await startFaultUpstream();
});
afterAll(async () => {
  await Promise.all(running.map((server) => server.close()));
  await upstream.close();
});

async function serve(strongModel: string, extra: Record<string, unknown> = {}): Promise<RunningServer> {
  const server = await startServer({
    routers: ['random'],
    strongModel,
    weakModel: 'good',
    baseURL: upstream.baseURL,
    apiKey: 'sk-fault-test-0123456789',
    port: 0,
    maxRetries: 0,
    ...extra,
  } as Parameters<typeof startServer>[0]);
  running.push(server);
  return server;
}

/** A chat request routed to the strong model (threshold 0). */
function chat(server: RunningServer, fields: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'router-random-0', messages: [{ role: 'user', content: 'hello there' }], ...fields }),
  });
}

function events(text: string): string[] {
  return text.split('\n\n').filter(Boolean);
}

describe('server faults found by the hostile test', () => {
  it('1: an upstream 200 that is not a chat completion (null, text, {}) is a 502 provider_error and falls back when enabled', async () => {
    for (const fault of ['null', 'text', 'empty']) {
      const plain = await serve(`fault-${fault}`);
      const failed = await chat(plain);
      expect(failed.status, fault).toBe(502);
      expect(((await failed.json()) as any).error).toMatchObject({ type: 'upstream_error', code: 'provider_error' });
      const streamed = await chat(plain, { stream: true });
      expect(streamed.status, `${fault} stream`).toBe(502);

      const guarded = await serve(`fault-${fault}`, { fallback: true });
      const answered = await chat(guarded);
      expect(answered.status, fault).toBe(200);
      const body = (await answered.json()) as any;
      expect(body.choices[0].message.content).toBe('echo: hello there');
      expect(body.routellm).toMatchObject({ decision: 'strong', model: 'good', fallback: { from: `fault-${fault}`, to: 'good', kind: 'malformed' } });
    }
  });

  it('2: a stream that ends early (no finish_reason, no [DONE]) ends with an error event and no [DONE]', async () => {
    const server = await serve('fault-truncated');
    const response = await chat(server, { stream: true });
    expect(response.status).toBe(200);
    const list = events(await response.text());
    expect(list).not.toContain('data: [DONE]');
    expect(JSON.parse(list.at(-2)!.slice('data: '.length)).choices[0].delta.content).toBe('answer');
    expect(JSON.parse(list.at(-1)!.slice('data: '.length)).error).toMatchObject({ code: 'provider_error', message: expect.stringMatching(/ended before a finish_reason/) });
  });

  it('3: /v1/route caps prompts per request, leaves the event loop free during a batch, and stops when the client leaves', async () => {
    const busy = new BusyRouter();
    const server = await startServer({ routers: [busy], port: 0 });
    running.push(server);
    const route = (count: number, signal?: AbortSignal) =>
      fetch(`${server.url}/v1/route`, { method: 'POST', body: JSON.stringify({ prompts: Array(count).fill('a prompt'), threshold: 0.5, router: 'busy' }), signal });

    const capped = await route(10_001);
    expect(capped.status).toBe(400);
    expect(((await capped.json()) as any).error.message).toMatch(/at most 10000 prompts/);
    expect(busy.scored).toBe(0);

    // 10,000 prompts keep the router busy for 2 s of its own steps. /health must be answered
    // between them, while the batch is still being scored: the progress it saw proves it.
    const batch = route(10_000);
    let batchSettled = false;
    void batch.finally(() => (batchSettled = true));
    await until(() => busy.scored > 0);
    const seenByHealth: { scored: number; batchSettled: boolean }[] = [];
    for (let i = 0; i < 3; i++) {
      await (await fetch(`${server.url}/health`)).json();
      seenByHealth.push({ scored: busy.scored, batchSettled });
    }
    busy.hurry = true;
    expect((await batch).status).toBe(200);
    expect(busy.scored).toBe(10_000);
    for (const seen of seenByHealth) {
      expect(seen.batchSettled).toBe(false);
      expect(seen.scored).toBeLessThan(10_000);
    }

    // A client that leaves: the server stops scoring at its next step and logs the request as 499.
    const logLines: string[] = [];
    const logged = await startServer({ routers: [busy], port: 0, logLevel: 'info', logDestination: { write: (line) => void logLines.push(line) } });
    running.push(logged);
    busy.scored = 0;
    busy.hurry = false;
    const abort = new AbortController();
    const left = fetch(`${logged.url}/v1/route`, {
      method: 'POST',
      body: JSON.stringify({ prompts: Array(10_000).fill('a prompt'), threshold: 0.5, router: 'busy' }),
      signal: abort.signal,
    }).catch(() => undefined);
    await until(() => busy.scored > 0);
    abort.abort();
    await left;
    const finished = () => logLines.map((line) => JSON.parse(line)).find((line) => line.path === '/v1/route');
    await until(() => finished() !== undefined);
    expect(finished()).toMatchObject({ status: 499 });
    const afterLeaving = busy.scored;
    expect(afterLeaving).toBeLessThan(10_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(busy.scored).toBe(afterLeaving);
  });

  it('5: a declared Content-Length over the limit gets 413 at once, before the body is read', async () => {
    const server = await serve('good', { maxBodyBytes: 1024 });
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(100 * 1024 * 1024) },
      });
      const timer = setTimeout(() => reject(new Error('no reply within 2 s')), 2_000);
      request.on('response', (response) => {
        clearTimeout(timer);
        response.resume();
        resolve(response.statusCode!);
        request.destroy();
      });
      request.on('error', () => undefined);
      request.write(Buffer.alloc(64 * 1024, 32));
    });
    expect(status).toBe(413);
  });

  it('5: a slow client still sending a body over the limit reads the whole 413, not a reset connection', async () => {
    const server = await serve('good', { maxBodyBytes: 1024 });
    const { port } = new URL(server.url);
    const chunk = Buffer.alloc(64 * 1024, 32);
    const chunks = 16;
    const socket = net.connect(Number(port), '127.0.0.1');
    // The client does not read while it uploads (as a busy process would not): if the server
    // closed with body bytes unread, the reset would discard the reply waiting in this socket.
    socket.pause();
    let received = '';
    let failure: string | null = null;
    socket.on('error', (error: NodeJS.ErrnoException) => (failure = error.code ?? error.message));
    socket.on('data', (part) => (received += part.toString('utf8')));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${chunk.length * chunks}\r\n\r\n`,
    );
    for (let index = 0; index < chunks && !failure; index += 1) {
      socket.write(chunk);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.resume();
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 2_000);
    });
    expect(failure).toBeNull();
    expect(received).toMatch(/^HTTP\/1\.1 413 /);
    expect(received).toContain('"request_too_large"');
  });

  it('6: the bearer scheme is case-insensitive; a wrong token or scheme is still 401', async () => {
    const server = await serve('good', { authToken: 'tok-abc-123456' });
    const models = (authorization: string) => fetch(`${server.url}/v1/models`, { headers: { authorization } });
    expect((await models('Bearer tok-abc-123456')).status).toBe(200);
    expect((await models('bearer tok-abc-123456')).status).toBe(200);
    expect((await models('BEARER tok-abc-123456')).status).toBe(200);
    expect((await models('bearer tok-abc-1234567')).status).toBe(401);
    expect((await models('Basic tok-abc-123456')).status).toBe(401);
  });

  it('7: /v1/models lists only ids that work; router-x--0.1 is out of range; unknown routers list the valid ones; empty prompts are rejected everywhere', async () => {
    const server = await serve('good');
    const listed = (await (await fetch(`${server.url}/v1/models`)).json()) as { data: { id: string }[] };
    for (const { id } of listed.data) expect((await chat(server, { model: id })).status, id).toBe(200);

    const negative = await chat(server, { model: 'router-random--0.1' });
    expect(negative.status).toBe(400);
    expect(((await negative.json()) as any).error.message).toMatch(/Invalid threshold -0\.1: expected a finite number in \[0, 1\]/);

    const unknown = (() => {
      try {
        return new Controller({ routers: ['nope'] });
      } catch (error) {
        return error;
      }
    })();
    expect(unknown).toBeInstanceOf(UnknownRouterError);
    expect((unknown as Error).message).toMatch(/Valid routers: .*random/);

    const route = await fetch(`${server.url}/v1/route`, { method: 'POST', body: JSON.stringify({ prompts: ['fine', '  '], model: 'router-random-0.5' }) });
    expect(route.status).toBe(400);
    expect(((await route.json()) as any).error.param).toBe('prompts[1]');
    expect((await chat(server, { messages: [{ role: 'user', content: ' ' }] })).status).toBe(400);
    const router = await createRouter('random');
    await expect(router.strongWinRate('')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(router.route('\n', 0.5)).rejects.toBeInstanceOf(InvalidInputError);
    await router.dispose();
  });

  it('8: --timeout-ms bounds the wait between stream chunks (a trickling stream fails, never [DONE])', async () => {
    const server = await serve('fault-trickle', { timeoutMs: 250 });
    const response = await chat(server, { stream: true });
    const list = events(await response.text());
    expect(list).not.toContain('data: [DONE]');
    // The upstream sends its events TRICKLE_GAP_MS apart: the stream fails in the first gap, after the role chunk.
    const deltas = list.slice(0, -1).map((event) => JSON.parse(event.slice('data: '.length)).choices[0].delta);
    expect(deltas).toEqual([{ role: 'assistant', content: '' }]);
    expect(JSON.parse(list.at(-1)!.slice('data: '.length)).error.message).toMatch(/no chunk for 250 ms/);
  });
});
