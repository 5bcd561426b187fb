import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Controller } from '../src/controller/index.js';
import { InvalidOptionsError, ProviderError } from '../src/errors.js';
import { RequestAbortedError } from '../src/providers/errors.js';
import { BaseRouter } from '../src/routers/base.js';
import { startFakeAnthropicServer, type FakeAnthropicServer } from './helpers/fake-anthropic-server.js';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from './helpers/fake-openai-upstream.js';

/** A real Router: prompts containing "hard" score 0.9, others 0.1. */
class KeywordRouter extends BaseRouter {
  readonly name = 'keyword';
  protected async scoreBatch(prompts: readonly string[]): Promise<Float32Array> {
    return Float32Array.from(prompts, (prompt) => (prompt.includes('hard') ? 0.9 : 0.1));
  }
}

let openaiUpstream: FakeOpenAIUpstream;
let anthropicUpstream: FakeAnthropicServer;

beforeAll(async () => {
  [openaiUpstream, anthropicUpstream] = await Promise.all([startFakeOpenAIUpstream({ chunkDelayMs: 20, replyWords: 40 }), startFakeAnthropicServer()]);
});
afterAll(async () => {
  await Promise.all([openaiUpstream.close(), anthropicUpstream.close()]);
});
beforeEach(() => {
  openaiUpstream.requests.length = 0;
  anthropicUpstream.requests.length = 0;
});

/** Strong: OpenAI `gpt-4o`; weak: Anthropic `claude-weak-test`. */
function controller(options: { fallback?: boolean; timeout?: number; maxRetries?: number } = {}) {
  return new Controller({
    routers: [new KeywordRouter()],
    strongModel: 'gpt-4o',
    weakModel: 'claude-weak-test',
    fallback: options.fallback ?? false,
    providers: {
      openai: new OpenAI({ baseURL: openaiUpstream.url, apiKey: 'k', maxRetries: options.maxRetries ?? 1, timeout: options.timeout }),
      anthropic: new Anthropic({ baseURL: anthropicUpstream.url, apiKey: 'k', maxRetries: options.maxRetries ?? 1, timeout: options.timeout }),
    },
  });
}

const hard = { model: 'router-keyword-0.5', messages: [{ role: 'user' as const, content: 'a hard task' }] };
const easy = { model: 'router-keyword-0.5', messages: [{ role: 'user' as const, content: 'an easy task' }] };

describe('upstream failures', () => {
  it.each([429, 500])('without fallback, a %i after the SDK retry throws ProviderError with the status', async (status) => {
    const routed = controller();
    openaiUpstream.script({ kind: 'error', status }, { kind: 'error', status });
    const error = await routed.chat.completions.create(hard).catch((caught) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.status).toBe(status);
    expect(error.provider).toBe('openai');
    expect(openaiUpstream.requests).toHaveLength(2); // the first try and one SDK retry
    expect(anthropicUpstream.requests).toHaveLength(0);
    expect(routed.stats()).toMatchObject({ requests: 1, errors: 1, fallbacks: 0 });
  });

  it('the SDK retry alone recovers from one 429 (no fallback needed, answered once)', async () => {
    const routed = controller({ fallback: true });
    openaiUpstream.script({ kind: 'error', status: 429 });
    const completion = await routed.chat.completions.create(hard);
    expect(completion.routellm).not.toHaveProperty('fallback');
    expect(completion.model).toBe('gpt-4o');
    expect(openaiUpstream.requests).toHaveLength(2);
    expect(anthropicUpstream.requests).toHaveLength(0);
  });

  it.each([429, 503])('with fallback, a lasting %i goes to the other model once and is recorded', async (status) => {
    const routed = controller({ fallback: true });
    openaiUpstream.script({ kind: 'error', status }, { kind: 'error', status });
    const completion = await routed.chat.completions.create(hard);
    expect(completion.routellm).toMatchObject({
      decision: 'strong',
      model: 'claude-weak-test',
      fallback: { from: 'gpt-4o', to: 'claude-weak-test', status },
    });
    expect(completion.choices[0].message.content).toBe('claude-weak-test says: ok ok ok');
    expect(openaiUpstream.requests).toHaveLength(2);
    expect(anthropicUpstream.requests).toHaveLength(1);
    expect(routed.stats()).toMatchObject({ requests: 1, errors: 0, fallbacks: 1, models: { 'claude-weak-test': { requests: 1 } } });
    expect(routed.stats().models['gpt-4o']).toBeUndefined();
  });

  it('with fallback, an Anthropic weak failure goes to the strong model; both failing throws the second error', async () => {
    const routed = controller({ fallback: true });
    anthropicUpstream.script({ kind: 'error', status: 529, type: 'overloaded_error' }, { kind: 'error', status: 529, type: 'overloaded_error' });
    const completion = await routed.chat.completions.create(easy);
    expect(completion.routellm).toMatchObject({ decision: 'weak', model: 'gpt-4o', fallback: { from: 'claude-weak-test', status: 529 } });

    anthropicUpstream.script({ kind: 'error', status: 500 }, { kind: 'error', status: 500 });
    openaiUpstream.script({ kind: 'error', status: 502 }, { kind: 'error', status: 502 });
    const error = await routed.chat.completions.create(easy).catch((caught) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.status).toBe(502);
    expect(anthropicUpstream.requests).toHaveLength(4);
    expect(openaiUpstream.requests).toHaveLength(3);
    expect(routed.stats()).toMatchObject({ requests: 2, errors: 1, fallbacks: 1 });
  });

  it('does not fall back from a 400 (the request itself is bad)', async () => {
    const routed = controller({ fallback: true });
    openaiUpstream.script({ kind: 'error', status: 400, message: 'bad parameter' });
    const error = await routed.chat.completions.create(hard).catch((caught) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.status).toBe(400);
    expect(error.message).toContain('bad parameter');
    expect(openaiUpstream.requests).toHaveLength(1);
    expect(anthropicUpstream.requests).toHaveLength(0);
  });

  it('a timeout throws ProviderError without fallback and goes to the other model with it', async () => {
    const strict = controller({ timeout: 250, maxRetries: 0 });
    openaiUpstream.script({ kind: 'hang' });
    const error = await strict.chat.completions.create(hard).catch((caught) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.status).toBeUndefined();
    expect(error.message).toMatch(/timed out/i);

    const lenient = controller({ timeout: 250, maxRetries: 0, fallback: true });
    openaiUpstream.script({ kind: 'hang' });
    const completion = await lenient.chat.completions.create(hard);
    expect(completion.routellm.fallback).toMatchObject({ from: 'gpt-4o', to: 'claude-weak-test' });
    expect(completion.routellm.fallback).not.toHaveProperty('status');
    expect(openaiUpstream.requests).toHaveLength(2);
    expect(anthropicUpstream.requests).toHaveLength(1);
  });

  it('a stream refused before its first chunk falls back; a stream error event from Anthropic too', async () => {
    const routed = controller({ fallback: true });
    openaiUpstream.script({ kind: 'error', status: 500 }, { kind: 'error', status: 500 });
    const stream = await routed.chat.completions.create({ ...hard, stream: true });
    const chunks = await stream.toArray();
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('claude-weak-test says: ok ok ok');
    expect(chunks.every((chunk) => chunk.routellm.fallback?.status === 500)).toBe(true);

    anthropicUpstream.script({ kind: 'stream-error', type: 'overloaded_error', message: 'Overloaded' });
    const second = await routed.chat.completions.create({ ...easy, stream: true });
    expect(second.routellm).toMatchObject({ decision: 'weak', model: 'gpt-4o', fallback: { from: 'claude-weak-test' } });
    expect((await second.toArray()).length).toBeGreaterThan(10);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(routed.stats()).toMatchObject({ requests: 2, errors: 0, fallbacks: 2 });
  });

  it("aborting with the caller's signal or breaking out of the loop cancels the upstream stream", async () => {
    const routed = controller();
    const before = openaiUpstream.abortedStreams;
    const abort = new AbortController();
    const stream = await routed.chat.completions.create({ ...hard, stream: true }, { signal: abort.signal });
    const aborted = openaiUpstream.waitForAbort();
    let seen = 0;
    // As with the openai client's own streams, an aborted stream ends quietly.
    for await (const _chunk of stream) if (++seen === 3) abort.abort();
    expect(seen).toBeLessThan(10);
    await aborted;
    expect(openaiUpstream.abortedStreams).toBe(before + 1);

    const again = openaiUpstream.waitForAbort();
    const second = await routed.chat.completions.create({ ...hard, stream: true });
    for await (const _chunk of second) break;
    await again;
    expect(openaiUpstream.abortedStreams).toBe(before + 2);

    const early = new AbortController();
    early.abort();
    await expect(routed.chat.completions.create({ ...hard, stream: true }, { signal: early.signal })).rejects.toBeInstanceOf(RequestAbortedError);
  });
});

describe('clients the controller builds for endpoints', () => {
  it('apply timeoutMs and maxRetries, and fall back between two endpoints', async () => {
    const weakUpstream = await startFakeOpenAIUpstream();
    try {
      const routed = new Controller({
        routers: [new KeywordRouter()],
        strongModel: 'strong-local',
        weakModel: 'weak-local',
        endpoints: { 'strong-local': { baseURL: openaiUpstream.url, apiKey: 'k1' }, 'weak-local': { baseURL: weakUpstream.url } },
        timeoutMs: 250,
        maxRetries: 1,
        fallback: true,
      });
      openaiUpstream.script({ kind: 'hang' }, { kind: 'hang' });
      const completion = await routed.chat.completions.create(hard);
      expect(completion.routellm).toMatchObject({ model: 'weak-local', fallback: { from: 'strong-local', to: 'weak-local' } });
      expect(openaiUpstream.requests).toHaveLength(2);
      expect(weakUpstream.requests).toHaveLength(1);
      expect(weakUpstream.requests[0].headers.authorization).toBe('Bearer not-needed');
      await routed.dispose();
    } finally {
      await weakUpstream.close();
    }
  });
});

describe('clients from the environment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('routes with no key at all, and builds the OpenAI client lazily from OPENAI_API_KEY and OPENAI_BASE_URL', async () => {
    delete process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_BASE_URL;
    const routed = new Controller({ routers: [new KeywordRouter()], strongModel: 'gpt-4o', weakModel: 'gpt-4o-mini', maxRetries: 0 });
    expect(await routed.route('hard', 'keyword', 0.5)).toMatchObject({ decision: 'strong', model: 'gpt-4o' });
    await expect(routed.chat.completions.create(hard)).rejects.toBeInstanceOf(InvalidOptionsError);
    expect(openaiUpstream.requests).toHaveLength(0);

    process.env.OPENAI_API_KEY = 'sk-from-env';
    process.env.OPENAI_BASE_URL = openaiUpstream.url;
    const completion = await routed.chat.completions.create(easy);
    expect(completion.model).toBe('gpt-4o-mini');
    expect(openaiUpstream.requests[0].headers.authorization).toBe('Bearer sk-from-env');
  });
});
