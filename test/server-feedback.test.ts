/**
 * `POST /v1/feedback` and the traffic log (`logDir`): a served completion, its feedback as a
 * training row on disk that `routellm train` reads, rotation by size, errors for bad input.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrainingData } from '../src/data/training-data.js';
import { SwRankingRouter } from '../src/routers/sw_ranking/index.js';
import { trainSwRanking } from '../src/routers/sw_ranking/train.js';
import { bagOfWords } from './helpers/bag-of-words.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './helpers/fake-openai-server.js';
import { EASY_PROMPT, HARD_PROMPT, KeywordRouter, waitFor } from './helpers/routing-fixtures.js';

const TOKEN = 'sk-server-secret-token';
const UPSTREAM_KEY = 'sk-upstream-secret';
let upstream: FakeOpenAIServer;
let server: RunningServer;
let logDir: string;

async function post(pathname: string, body: unknown, token = TOKEN): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const chat = (content: string) => post('/v1/chat/completions', { model: 'router-keyword-0.5', messages: [{ role: 'user', content }] });
const lines = (file: string): any[] => (existsSync(file) ? readFileSync(file, 'utf8') : '').split('\n').filter(Boolean).map((line) => JSON.parse(line));

beforeAll(async () => {
  upstream = await startFakeOpenAIServer();
  logDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'routellm-feedback-')), 'traffic');
  server = await startServer({
    routers: [new KeywordRouter()],
    strongModel: 'big',
    weakModel: 'small',
    baseURL: upstream.baseURL,
    apiKey: UPSTREAM_KEY,
    authToken: TOKEN,
    port: 0,
    logDir,
    logMaxBytes: 1500,
    logMaxFiles: 3,
  });
});
afterAll(async () => {
  await server.close();
  await upstream.close();
});

describe('POST /v1/feedback', () => {
  it('writes a training row for a served completion that routellm train reads, and logs completions without secrets', async () => {
    const weak = await chat(EASY_PROMPT);
    expect(weak.status).toBe(200);
    const id = weak.body.id;
    expect(weak.body.routellm.id).toBe(id);
    const reply = await post('/v1/feedback', { id, score: 0.2 });
    expect(reply).toEqual({ status: 200, body: expect.objectContaining({ object: 'routellm.feedback', id, winner: 'model_a', learned: false }) });
    const strong = await chat(HARD_PROMPT);
    expect((await post('/v1/feedback', { id: strong.body.id, winner: 'weak' })).body.winner).toBe('model_b');

    const feedbackFile = path.join(logDir, 'feedback.jsonl');
    await waitFor(() => lines(feedbackFile).length === 2);
    const data = await readTrainingData([feedbackFile]);
    expect(data.battles.map(({ prompt, modelA, modelB, winner }) => ({ prompt, modelA, modelB, winner }))).toEqual([
      { prompt: EASY_PROMPT, modelA: 'big', modelB: 'small', winner: 'model_a' },
      { prompt: HARD_PROMPT, modelA: 'big', modelB: 'small', winner: 'model_b' },
    ]);
    const completions = path.join(logDir, 'completions.jsonl');
    await waitFor(() => lines(completions).length === 2);
    expect(lines(completions)[0]).toMatchObject({ id, prompt: EASY_PROMPT, decision: 'weak', model: 'small', router: 'keyword' });
    const everything = readdirSync(logDir).map((name) => readFileSync(path.join(logDir, name), 'utf8')).join('');
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(UPSTREAM_KEY);
    expect(everything).not.toContain('echo:');
  });

  it('answers 404 for an unknown id, 400 for a bad score or winner, 401 without the token', async () => {
    const served = await chat(EASY_PROMPT);
    const unknown = await post('/v1/feedback', { id: 'chatcmpl-never', score: 1 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_completion', param: 'id' });
    for (const body of [{ id: served.body.id, score: 2 }, { id: served.body.id, winner: 'both' }, { id: served.body.id }, { score: 1 }, { id: served.body.id, score: 1, extra: true }]) {
      const bad = await post('/v1/feedback', body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    expect((await post('/v1/feedback', { id: served.body.id, score: 1 }, 'wrong')).status).toBe(401);
  });

  it('rotates each log by size and keeps at most logMaxFiles files', async () => {
    for (let i = 0; i < 20; i++) await chat(`${EASY_PROMPT} number ${i}`);
    await waitFor(() => readdirSync(logDir).some((name) => name === 'completions.2.jsonl'));
    await waitFor(() => lines(path.join(logDir, 'completions.jsonl')).some((row) => row.prompt.endsWith('number 19')));
    const files = readdirSync(logDir).filter((name) => name.startsWith('completions'));
    expect(files.sort()).toEqual(['completions.1.jsonl', 'completions.2.jsonl', 'completions.jsonl']);
    for (const name of files) expect(readFileSync(path.join(logDir, name)).length).toBeLessThanOrEqual(1500);
  });
});

describe('serve --learn', () => {
  it('folds feedback into sw_ranking at once: the next decision for a near-duplicate prompt changes', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'routellm-learn-'));
    const embedder = bagOfWords('test-learn', 48);
    const topics = [['prove the lemma about primes', 'solve this integral carefully'], ['say hello to my friend', 'tell a joke about dogs']];
    const battles = Array.from({ length: 40 }, (_, n) => ({
      prompt: `${topics[n % 2][(n >> 1) % 2]} number ${n}`,
      modelA: 'big',
      modelB: 'small',
      winner: n % 2 === 0 ? 'model_a' : 'model_b',
    }));
    await trainSwRanking({ battles, output: path.join(folder, 'sw'), embedder, numTiers: 2 });
    const router = await SwRankingRouter.create({ weightsDir: path.join(folder, 'sw'), embedder, strongModel: 'big', weakModel: 'small' });
    const learning = await startServer({ routers: [router], strongModel: 'big', weakModel: 'small', baseURL: upstream.baseURL, port: 0, learn: true, logDir: path.join(folder, 'log') });
    const call = async (route: string, body: unknown) => {
      const response = await fetch(`${learning.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as any };
    };
    try {
      const prompt = 'how long to boil an egg';
      const nearDuplicate = 'how long to boil an egg for breakfast';
      const [asked, before] = (await call('/v1/route', { prompts: [prompt, nearDuplicate], router: 'sw_ranking', threshold: 0.5 })).body.results;
      // Just above both scores: one battle moves a score by little (its weight is one of many), but it must move it past this.
      const threshold = Math.ceil((Math.max(asked.strong_win_rate, before.strong_win_rate) + 0.002) * 1e4) / 1e4;
      const ask = (content: string) => call('/v1/chat/completions', { model: `router-sw_ranking-${threshold}`, messages: [{ role: 'user', content }] });
      const first = await ask(prompt);
      expect(first.body.routellm.decision).toBe('weak');
      const feedback = await call('/v1/feedback', { id: first.body.id, score: 0 });
      expect(feedback.body).toMatchObject({ winner: 'model_a', learned: true });
      expect(router.addedBattles).toBe(1);
      const next = await ask(nearDuplicate);
      expect(next.body.routellm.strong_win_rate).toBeGreaterThan(before.strong_win_rate);
      expect(next.body.routellm.decision).toBe('strong');
    } finally {
      await learning.close();
      await router.dispose();
    }
  });
});
