/**
 * `startServer()` and `runServe()` in-process: Anthropic behind the server, config validation,
 * environment variables, paths and methods, graceful close with a request in flight.
 */
import Anthropic from '@anthropic-ai/sdk';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServe } from '../src/cli/commands/serve.js';
import { InvalidOptionsError } from '../src/errors.js';
import { controllerOptionsSchema } from '../src/controller/index.js';
import { serverConfigSchema, startServer, type RunningServer } from '../src/server/index.js';
import { startFakeAnthropicServer, type FakeAnthropicServer } from './helpers/fake-anthropic-server.js';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from './helpers/fake-openai-upstream.js';

let anthropicUpstream: FakeAnthropicServer;
let openaiUpstream: FakeOpenAIUpstream;
let server: RunningServer;
let client: OpenAI;

beforeAll(async () => {
  [anthropicUpstream, openaiUpstream] = await Promise.all([startFakeAnthropicServer(), startFakeOpenAIUpstream()]);
  server = await startServer({
    routers: ['random'],
    config: { random: { seed: 11 } },
    strongModel: 'claude-opus-test',
    weakModel: 'gpt-4o-mini',
    providers: {
      anthropic: new Anthropic({ baseURL: anthropicUpstream.url, apiKey: 'sk-ant-secret-key-1234', maxRetries: 0 }),
      openai: new OpenAI({ baseURL: openaiUpstream.url, apiKey: 'sk-openai-secret-key-1234', maxRetries: 0 }),
    },
    port: 0,
    prices: { 'claude-opus-test': { input: 15, output: 75 }, 'gpt-4o-mini': { input: 0.15, output: 0.6 } },
  });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'none', maxRetries: 0 });
});

afterAll(async () => {
  await server?.close();
  await Promise.all([anthropicUpstream?.close(), openaiUpstream?.close()]);
});

/** A prompt the seeded random router sends to `side` at threshold 0.5. */
async function promptFor(side: 'strong' | 'weak'): Promise<string> {
  for (let i = 0; ; i++) {
    const prompt = `prompt number ${i}`;
    if ((await server.controller.route(prompt, 'random', 0.5)).decision === side) return prompt;
  }
}

describe('startServer', () => {
  it('takes every controller option (its config is derived from the controller schema) and hands each to the controller', async () => {
    expect(Object.keys(serverConfigSchema.shape)).toEqual(expect.arrayContaining(Object.keys(controllerOptionsSchema.shape)));
    const server = await startServer({ routers: ['random'], port: 0, anthropicMaxTokens: 77, scoreDeployedPair: false, streamIdleTimeoutMs: 1_234, routeTurns: 2 });
    try {
      expect(server.controller.options).toMatchObject({ anthropicMaxTokens: 77, scoreDeployedPair: false, streamIdleTimeoutMs: 1_234, routeTurns: 2 });
    } finally {
      await server.close();
    }
  });

  it('serves an Anthropic model to the openai client, translated, streaming and not, with cost', async () => {
    const prompt = await promptFor('strong');
    const raw = await client.chat.completions
      .create({ model: 'router-random-0.5', messages: [{ role: 'system', content: 'terse' }, { role: 'user', content: prompt }], max_tokens: 50 })
      .withResponse();
    const completion = raw.data;
    expect(anthropicUpstream.requests.at(-1)!.body).toMatchObject({ model: 'claude-opus-test', system: 'terse', max_tokens: 50 });
    expect(completion.model).toBe('claude-opus-test');
    expect(completion.choices[0].message.content).toBe('claude-opus-test says: ok ok ok');
    const routing = (completion as unknown as { routellm: { cost: { model_usd: number } } }).routellm;
    expect(routing.cost.model_usd).toBeCloseTo((completion.usage!.prompt_tokens * 15 + completion.usage!.completion_tokens * 75) / 1e6, 12);
    expect(raw.response.headers.get('server-timing')).toMatch(/routing;dur=[\d.]+, upstream;dur=[\d.]+, server;dur=[\d.]+/);

    const stream = await client.chat.completions.create({
      model: 'router-random-0.5',
      messages: [{ role: 'user', content: prompt }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('claude-opus-test says: ok ok ok');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ completion_tokens: 5 });
    expect(server.controller.stats().models['claude-opus-test'].requests).toBe(2);
  });

  it('answers unknown paths 404, wrong methods 405, /v1/route errors 400, all as OpenAI error bodies', async () => {
    const notFound = await fetch(`${server.url}/v1/embeddings`, { method: 'POST', body: '{}' });
    expect(notFound.status).toBe(404);
    expect(((await notFound.json()) as any).error).toMatchObject({ type: 'invalid_request_error', code: 'not_found' });
    expect((await fetch(`${server.url}/v1/chat/completions`)).status).toBe(405);
    const noThreshold = await fetch(`${server.url}/v1/route`, { method: 'POST', body: JSON.stringify({ prompts: ['a'] }) });
    expect(noThreshold.status).toBe(400);
    expect(((await noThreshold.json()) as any).error.message).toContain('threshold');
    const badPrompts = await fetch(`${server.url}/v1/route`, { method: 'POST', body: JSON.stringify({ prompts: [1], threshold: 0.5 }) });
    expect(badPrompts.status).toBe(400);
    const byModel = await fetch(`${server.url}/v1/route`, { method: 'POST', body: JSON.stringify({ prompt: 'hi', model: 'router-random-0.25' }) });
    expect(await byModel.json()).toMatchObject({ router: 'random', threshold: 0.25, results: [{ decision: expect.any(String) }] });
  });

  it('rejects a bad config with a typed error naming the field, before listening', async () => {
    const error = await startServer({ routers: ['random'], port: 70000, maxBodyBytes: -1 } as never).catch((caught) => caught);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.message).toMatch(/port/);
    expect(error.message).toMatch(/maxBodyBytes/);
    await expect(startServer({ routers: ['random'], unknownSetting: 1 } as never)).rejects.toBeInstanceOf(InvalidOptionsError);
  });

  it('ends a stream whose upstream breaks mid-way with an error event the openai client raises', async () => {
    const prompt = await promptFor('weak');
    openaiUpstream.script({ kind: 'reply', words: 20, breakAfter: 4, chunkDelayMs: 10 });
    const stream = await client.chat.completions.create({ model: 'router-random-0.5', messages: [{ role: 'user', content: prompt }], stream: true });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((caught) => caught);
    expect(text).toBe('gpt-4o-mini says: ok');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(String(error.message)).toMatch(/Upstream provider failed/);
    expect(server.controller.stats().errors).toBeGreaterThanOrEqual(1);
  });

  it('close() lets a request in flight finish and refuses new ones', async () => {
    const slow = await startFakeOpenAIUpstream();
    const local = await startServer({ routers: ['random'], strongModel: 'a', weakModel: 'b', baseURL: slow.url, port: 0, maxRetries: 0 });
    slow.script({ kind: 'reply', words: 40, chunkDelayMs: 15 });
    const localClient = new OpenAI({ baseURL: `${local.url}/v1`, apiKey: 'none', maxRetries: 0 });
    const stream = await localClient.chat.completions.create({ model: 'router-random-0.5', messages: [{ role: 'user', content: 'x' }], stream: true });
    const closing = local.close();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.split(' ok')).toHaveLength(41);
    await closing;
    await expect(fetch(`${local.url}/health`)).rejects.toThrow();
    await slow.close();
  });
});

describe('runServe (the serve command in-process)', () => {
  function io() {
    const stdout = new PassThrough();
    const stderr = new PassThrough() as unknown as NodeJS.WriteStream;
    let out = '';
    let err = '';
    stdout.on('data', (data) => (out += data));
    (stderr as unknown as PassThrough).on('data', (data: Buffer) => (err += data));
    return { streams: { stdout, stderr }, out: () => out, err: () => err };
  }

  it('reads settings from the environment and the config file, flags winning, and never prints keys', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'routellm-serve-'));
    const configFile = path.join(folder, 'config.json');
    writeFileSync(configFile, JSON.stringify({ random: { seed: 5 }, server: { weakModel: 'from-file', strongModel: 'from-file-strong', port: 1, thresholds: { random: 0.25 } } }));
    const saved = { ...process.env };
    Object.assign(process.env, { ROUTELLM_ROUTERS: 'random', ROUTELLM_PORT: '0', ROUTELLM_AUTH_TOKEN: 'env-token-xyz', ROUTELLM_API_KEY: 'sk-env-secret-key-999' });
    const streams = io();
    let stop!: () => void;
    const stopped = new Promise<string>((resolve) => (stop = () => resolve('test-stop')));
    try {
      const running = runServe(['--config', configFile, '--strong-model', 'flag-strong', '--base-url', openaiUpstream.url], streams.streams, () => stopped);
      for (let i = 0; i < 200 && !/listening on/.test(streams.out()); i++) await new Promise((resolve) => setTimeout(resolve, 25));
      const url = /listening on (\S+)/.exec(streams.out())![1];
      expect(streams.out()).toContain('strong: flag-strong; weak: from-file');
      const models = await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer env-token-xyz' } }).then((response) => response.json() as Promise<any>);
      expect(models.data.map((model: { id: string }) => model.id)).toEqual(['router-random-0.25']);
      expect((await fetch(`${url}/v1/models`)).status).toBe(401);
      openaiUpstream.requests.length = 0;
      const answer = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer env-token-xyz' },
        body: JSON.stringify({ model: 'router-random-0.5', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(answer.status).toBe(200);
      expect(openaiUpstream.requests[0].headers.authorization).toBe('Bearer sk-env-secret-key-999');
      stop();
      expect(await running).toBe(0);
      expect(streams.out() + streams.err()).not.toContain('sk-env-secret-key-999');
      expect(streams.out() + streams.err()).not.toContain('env-token-xyz');
    } finally {
      process.env = saved;
    }
  });

  it('binds models to the endpoints of the config file', async () => {
    const weakUpstream = await startFakeOpenAIUpstream();
    const folder = mkdtempSync(path.join(os.tmpdir(), 'routellm-serve-'));
    const configFile = path.join(folder, 'config.yaml');
    writeFileSync(
      configFile,
      ['random: { seed: 4 }', 'server:', '  strongModel: strong-x', '  weakModel: weak-y', '  endpoints:', `    strong-x: { baseURL: "${openaiUpstream.url}", apiKey: sk-strong-file-key }`, `    weak-y: { baseURL: "${weakUpstream.url}" }`, ''].join('\n'),
    );
    const streams = io();
    let stop!: () => void;
    const stopped = new Promise<string>((resolve) => (stop = () => resolve('test-stop')));
    try {
      const running = runServe(['--config', configFile, '--routers', 'random', '--port', '0'], streams.streams, () => stopped);
      for (let i = 0; i < 200 && !/listening on/.test(streams.out()); i++) await new Promise((resolve) => setTimeout(resolve, 25));
      const url = /listening on (\S+)/.exec(streams.out())![1];
      openaiUpstream.requests.length = 0;
      const decisions = await fetch(`${url}/v1/route`, { method: 'POST', body: JSON.stringify({ prompts: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], threshold: 0.5 }) }).then(
        (response) => response.json() as Promise<any>,
      );
      for (const [index, result] of decisions.results.entries()) {
        const answer = (await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          body: JSON.stringify({ model: 'router-random-0.5', messages: [{ role: 'user', content: 'abcdefgh'[index] }] }),
        }).then((response) => response.json())) as any;
        expect(answer.model).toBe(result.decision === 'strong' ? 'strong-x' : 'weak-y');
      }
      const strongCount = decisions.results.filter((result: { decision: string }) => result.decision === 'strong').length;
      expect(openaiUpstream.requests).toHaveLength(strongCount);
      expect(weakUpstream.requests).toHaveLength(8 - strongCount);
      expect(strongCount).toBeGreaterThan(0);
      expect(strongCount).toBeLessThan(8);
      expect(openaiUpstream.requests[0].headers.authorization).toBe('Bearer sk-strong-file-key');
      stop();
      expect(await running).toBe(0);
    } finally {
      await weakUpstream.close();
    }
  });

  it('rejects bad settings with errors naming the flag or field', async () => {
    const streams = io();
    await expect(runServe(['--routers', 'random', '--port', 'x'], streams.streams)).rejects.toThrow(/--port/);
    await expect(runServe(['--routers', 'random', '--base-url', 'not a url'], streams.streams)).rejects.toThrow(/baseURL/);
    await expect(runServe(['--config', '/nonexistent/file.yaml'], streams.streams)).rejects.toThrow(/--config/);
    await expect(runServe(['--routers', 'nope', '--port', '0'], streams.streams)).rejects.toThrow(/Unknown router "nope"/);
  });
});
