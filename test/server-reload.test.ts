/**
 * Hot reload: `POST /admin/reload` (auth-protected) builds the routers again from their weights
 * folders and swaps them in while 100 requests are in flight; every request is answered.
 */
import { mkdtempSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { PassThrough } from 'node:stream';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServe } from '../src/cli/commands/serve.js';
import { trainSwRanking } from '../src/routers/sw_ranking/train.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { bagOfWords } from './helpers/bag-of-words.js';
import { waitFor } from './helpers/routing-fixtures.js';
import { chatCompletion, requestText, startFakeOpenAIServer, type FakeOpenAIServer } from './helpers/fake-openai-server.js';

const TOKEN = 'admin-token';
const words = bagOfWords('test-reload', 48);
/** Slow to embed, so that many requests are in the middle of routing when the reload swaps routers. */
const embedder = { ...words, embed: async (texts: readonly string[]) => (await new Promise((resolve) => setTimeout(resolve, 100)), words.embed(texts)) };
const HARD = 'prove the lemma about primes';
const EASY = 'tell a joke about dogs';
let upstream: FakeOpenAIServer;
let folder: string;
let weights: string;
let server: RunningServer;

/** An index where the strong model wins on `strongOn` prompts and the weak one on the others. */
async function writeIndex(output: string, strongOn: string): Promise<void> {
  const battles = Array.from({ length: 40 }, (_, n) => {
    const prompt = `${n % 2 === 0 ? HARD : EASY} number ${n}`;
    return { prompt, modelA: 'big', modelB: 'small', winner: prompt.startsWith(strongOn) ? 'model_a' : 'model_b' };
  });
  await trainSwRanking({ battles, output, embedder, numTiers: 2 });
}

async function call(route: string, body: unknown, token: string | null = TOKEN, target = server): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${target.url}${route}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

const score = async (prompt: string) => (await call('/v1/route', { prompt, router: 'sw_ranking', threshold: 0.5 })).body.results[0].strong_win_rate as number;

beforeAll(async () => {
  upstream = await startFakeOpenAIServer({
    handler: (request) => ({ delayMs: 200, json: chatCompletion({ content: `answer to ${requestText(request)}`, model: request.body.model }) }),
  });
  folder = mkdtempSync(path.join(os.tmpdir(), 'routellm-reload-'));
  weights = path.join(folder, 'sw');
  await writeIndex(weights, HARD);
  server = await startServer({
    routers: ['sw_ranking'],
    config: { sw_ranking: { weightsDir: weights, embedder } },
    strongModel: 'big',
    weakModel: 'small',
    baseURL: upstream.baseURL,
    authToken: TOKEN,
    port: 0,
  });
});
afterAll(async () => {
  await server.close();
  await upstream.close();
});

describe('POST /admin/reload', () => {
  it('swaps in retrained weights under 100 concurrent requests without losing one', async () => {
    const hardBefore = await score(`${HARD} today`);
    expect(hardBefore).toBeGreaterThan(0.5);
    await writeIndex(path.join(folder, 'next'), EASY);
    await rm(weights, { recursive: true });
    await rename(path.join(folder, 'next'), weights);

    const requests = Array.from({ length: 100 }, (_, n) =>
      call('/v1/chat/completions', { model: 'router-sw_ranking-0.5', messages: [{ role: 'user', content: `${n % 2 ? HARD : EASY} request ${n}` }] }),
    );
    let answered = 0;
    for (const request of requests) void request.then(() => answered++);
    await waitFor(() => server.inFlight() >= 20, 10_000);
    const reloaded = await call('/admin/reload', {});
    // The swap happened with requests in flight.
    expect(answered).toBeLessThan(100);
    const replies = await Promise.all(requests);
    expect(reloaded.body).toMatchObject({ object: 'routellm.reload', routers: ['sw_ranking'] });
    expect(replies.map((reply) => reply.status)).toEqual(replies.map(() => 200));
    expect(new Set(replies.map((reply) => reply.body.id)).size).toBe(100);
    expect(server.controller.stats()).toMatchObject({ errors: 0 });

    expect(await score(`${HARD} today`)).toBeLessThan(0.5);
    expect(await score(`${EASY} today`)).toBeGreaterThan(0.5);
  });

  it('keeps the old routers serving when the new weights do not load, and needs the token', async () => {
    const before = await score(`${EASY} today`);
    await writeFile(path.join(weights, 'manifest.json'), '{ not json');
    const failed = await call('/admin/reload', {});
    expect(failed.status).toBe(500);
    expect(failed.body.error.message).toMatch(/manifest/i);
    expect(await score(`${EASY} today`)).toBe(before);
    expect((await call('/admin/reload', {}, 'wrong')).status).toBe(401);
    expect((await call('/admin/reload', {}, null)).status).toBe(401);
  });

  it('is off (403) on a server without an auth token', async () => {
    const open = await startServer({ routers: ['random'], strongModel: 'big', weakModel: 'small', baseURL: upstream.baseURL, port: 0 });
    try {
      const reply = await call('/admin/reload', {}, null, open);
      expect(reply.status).toBe(403);
      expect(reply.body.error.code).toBe('admin_disabled');
    } finally {
      await open.close();
    }
  });

  it('reloads on SIGHUP in routellm serve, and keeps serving', async () => {
    let err = '';
    let out = '';
    const stdout = new PassThrough().on('data', (data) => (out += data));
    const stderr = new PassThrough().on('data', (data) => (err += data)) as unknown as NodeJS.WriteStream;
    let stop!: () => void;
    const stopped = new Promise<string>((resolve) => (stop = () => resolve('test-stop')));
    const running = runServe(['--routers', 'random', '--port', '0', '--base-url', upstream.baseURL, '--strong-model', 'big', '--weak-model', 'small'], { stdout, stderr }, () => stopped);
    await waitFor(() => /listening on/.test(out), 10_000);
    const url = /listening on (\S+)/.exec(out)![1];
    const ask = () => fetch(`${url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'router-random-0.5', messages: [{ role: 'user', content: 'hi' }] }) });
    const during = [ask(), ask(), ask()];
    process.emit('SIGHUP', 'SIGHUP');
    await waitFor(() => /reloaded random/.test(err), 10_000);
    expect((await Promise.all(during)).map((reply) => reply.status)).toEqual([200, 200, 200]);
    expect((await ask()).status).toBe(200);
    stop();
    expect(await running).toBe(0);
    expect(process.listenerCount('SIGHUP')).toBe(0);
  });
});
