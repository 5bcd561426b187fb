/**
 * Integration tests of `routellm serve`: the command runs as a real process
 * (`node bin/routellm.js serve ...`) against a local OpenAI wire-format upstream, and is called
 * with the real `openai` client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from './helpers/fake-openai-upstream.js';

const root = path.resolve(import.meta.dirname, '..');
const UPSTREAM_KEY = 'sk-upstream-secret-0123456789';
const AUTH_TOKEN = 'serve-token-abc';

interface ServeProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

function startServe(args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [path.join(root, 'bin/routellm.js'), 'serve', ...args], {
    cwd: root,
    env: { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) resolve({ child, url: match[1], output: () => output, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    exited.then((code) => reject(new Error(`routellm serve exited with ${code}:\n${output}`)));
  });
}

let upstream: FakeOpenAIUpstream;
let open: ServeProcess;
let guarded: ServeProcess;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startFakeOpenAIUpstream({ echo: true });
  const folder = mkdtempSync(path.join(os.tmpdir(), 'routellm-serve-'));
  const configFile = path.join(folder, 'serve.yaml');
  writeFileSync(configFile, ['random:', '  seed: 3', 'server:', '  maxRetries: 0', '  weakModel: local-weak', '  thresholds: { random: 0.5 }', ''].join('\n'));
  const common = ['--routers', 'random', '--config', configFile, '--strong-model', 'gpt-4o', '--base-url', upstream.url, '--port', '0'];
  [open, guarded] = await Promise.all([
    startServe([...common, '--api-key', UPSTREAM_KEY]),
    startServe([...common, '--api-key', UPSTREAM_KEY, '--auth-token', AUTH_TOKEN]),
  ]);
  client = new OpenAI({ baseURL: `${open.url}/v1`, apiKey: 'anything', maxRetries: 0 });
});

afterAll(async () => {
  for (const server of [open, guarded]) {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  }
  await upstream?.close();
});

const ask = (content: string) => ({ model: 'router-random-0.5', messages: [{ role: 'user' as const, content }] });

describe('routellm serve', () => {
  it('answers non-streaming requests through the routed model, with the decision attached', async () => {
    const models = new Set<string>();
    for (let i = 0; i < 8; i++) {
      upstream.requests.length = 0;
      const completion = await client.chat.completions.create(ask(`question ${i}`));
      const routing = (completion as unknown as { routellm: { decision: string; model: string; strong_win_rate: number } }).routellm;
      expect(routing.model).toBe(routing.decision === 'strong' ? 'gpt-4o' : 'local-weak');
      expect(routing.decision).toBe(routing.strong_win_rate >= 0.5 ? 'strong' : 'weak');
      expect(completion.model).toBe(routing.model);
      expect(completion.choices[0].message.content).toBe(`${routing.model} echoes: question ${i}`);
      expect(upstream.requests).toHaveLength(1);
      expect(upstream.requests[0].body.model).toBe(routing.model);
      expect(upstream.requests[0].headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
      models.add(routing.model);
    }
    expect(models).toEqual(new Set(['gpt-4o', 'local-weak']));
  });

  it('streams server-sent events that the openai client reads, ending with data: [DONE]', async () => {
    const stream = await client.chat.completions.create({ ...ask('stream me please'), stream: true });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toMatch(/^(gpt-4o|local-weak) echoes: stream me please$/);
    expect(finish).toBe('stop');

    const raw = await fetch(`${open.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...ask('raw'), stream: true }),
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await raw.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(JSON.parse(events[0].slice('data: '.length)).routellm.router).toBe('random');
  });

  it('lists on /v1/models only ids that a chat request accepts, and answers /health and /v1/route', async () => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['router-random-0.5']);
    const answered = await client.chat.completions.create({ model: ids[0], messages: [{ role: 'user', content: 'hi' }] });
    expect((answered as any).routellm).toMatchObject({ router: 'random', threshold: 0.5 });
    expect(await (await fetch(`${open.url}/health`)).json()).toEqual({ status: 'online' });
    const routed = await fetch(`${open.url}/v1/route`, {
      method: 'POST',
      body: JSON.stringify({ prompts: ['a', 'b', 'c'], router: 'random', threshold: 0.5 }),
    }).then((response) => response.json() as Promise<any>);
    expect(routed.results).toHaveLength(3);
    for (const result of routed.results) {
      expect(result.decision).toBe(result.strong_win_rate >= 0.5 ? 'strong' : 'weak');
      expect(result.strong_win_rate).toBeGreaterThanOrEqual(0);
      expect(result.strong_win_rate).toBeLessThan(1);
    }
  });

  it('requires the bearer token when one is set, and not otherwise', async () => {
    const noKey = new OpenAI({ baseURL: `${guarded.url}/v1`, apiKey: 'wrong-token', maxRetries: 0 });
    const refused = await noKey.chat.completions.create(ask('hello')).catch((error) => error);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(refused.status).toBe(401);
    await expect(noKey.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const withKey = new OpenAI({ baseURL: `${guarded.url}/v1`, apiKey: AUTH_TOKEN, maxRetries: 0 });
    const completion = await withKey.chat.completions.create(ask('hello'));
    expect(completion.choices[0].message.content).toContain('echoes: hello');
    expect((await fetch(`${guarded.url}/health`)).status).toBe(200);
    // the open server takes any key (it has no token)
    expect((await client.chat.completions.create(ask('hello'))).choices).toHaveLength(1);
  });

  it('answers OpenAI error bodies: 413 for a 2 MB body, 400 bad model string, 404 unknown router, 502 upstream failure', async () => {
    upstream.requests.length = 0;
    const big = await client.chat.completions.create(ask('x'.repeat(2 * 1024 * 1024))).catch((error) => error);
    expect(big).toBeInstanceOf(OpenAI.APIError);
    expect(big.status).toBe(413);
    expect(big.error).toMatchObject({ type: 'invalid_request_error', code: 'request_too_large' });

    const badModel = await client.chat.completions.create({ ...ask('hi'), model: 'router-random-1.5' }).catch((error) => error);
    expect(badModel).toBeInstanceOf(OpenAI.BadRequestError);
    expect(badModel.message).toContain('threshold');
    const noThreshold = await client.chat.completions.create({ ...ask('hi'), model: 'router-random' }).catch((error) => error);
    expect(noThreshold.status).toBe(400);
    const unknown = await client.chat.completions.create({ ...ask('hi'), model: 'router-unknown-0.5' }).catch((error) => error);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown.error).toMatchObject({ code: 'model_not_found' });
    const image = await client.chat.completions
      .create({ model: 'router-random-0.5', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://x/y.png' } }] }] })
      .catch((error) => error);
    expect(image.status).toBe(400);
    const notJson = await fetch(`${open.url}/v1/chat/completions`, { method: 'POST', body: '{nope' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as any).error.code).toBe('invalid_json');
    expect(upstream.requests).toHaveLength(0);

    upstream.script({ kind: 'error', status: 500, message: `failed for ${UPSTREAM_KEY}` });
    const failed = await client.chat.completions.create(ask('hi')).catch((error) => error);
    expect(failed.status).toBe(502);
    expect(failed.error.type).toBe('upstream_error');
    expect(failed.message).toContain('upstream status 500');
    expect(failed.message).not.toContain(UPSTREAM_KEY);
    expect(open.output()).not.toContain(UPSTREAM_KEY);
  });

  it('cancels the upstream request when the client disconnects mid-stream', async () => {
    upstream.script({ kind: 'reply', words: 200, chunkDelayMs: 20 });
    const aborted = upstream.waitForAbort();
    const before = upstream.abortedStreams;
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ ...ask('a long story'), stream: true }, { signal: controller.signal });
    let received = 0;
    for await (const _chunk of stream) {
      if (++received === 3) controller.abort();
    }
    await aborted;
    expect(upstream.abortedStreams).toBe(before + 1);
    expect(received).toBeLessThan(20);
  });

  it('answers 200 concurrent requests, none lost or answered twice', async () => {
    upstream.requests.length = 0;
    const count = 200;
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        i % 4 === 0
          ? client.chat.completions.create({ ...ask(`request #${i}`), stream: true }).then(async (stream) => {
              let text = '';
              for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
              return text;
            })
          : client.chat.completions.create(ask(`request #${i}`)).then((completion) => completion.choices[0].message.content ?? ''),
      ),
    );
    results.forEach((text, i) => expect(text).toMatch(new RegExp(`echoes: request #${i}$`)));
    expect(upstream.requests).toHaveLength(count);
    const prompts = upstream.requests.map((request) => request.body.messages[0].content).sort();
    expect(new Set(prompts).size).toBe(count);
  });

  it('finishes requests in flight on SIGTERM, then exits 0', async () => {
    upstream.script({ kind: 'reply', words: 30, chunkDelayMs: 20 });
    const stream = await client.chat.completions.create({ ...ask('finish me'), stream: true });
    let text = '';
    let signalled = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (!signalled) {
        signalled = true;
        open.child.kill('SIGTERM');
      }
    }
    expect(text.split(' ok')).toHaveLength(31);
    expect(await open.exited).toBe(0);
    expect(open.output()).toContain('stopped');
    await expect(fetch(`${open.url}/health`)).rejects.toThrow();
  });
});
