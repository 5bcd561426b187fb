// Fallback in the routed model, strong/weak form, with the real `ai` 7 and its OpenAI and
// Anthropic providers against stand-in servers that fail on purpose.
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, generateText, InvalidPromptError, JSONParseError, streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { chatCompletionChunks, openAIError, type ScriptedReply } from '../../test/helpers/fake-openai-server.js';
import { routedPair, usePairStandIns } from '../../test/helpers/pair-stand-ins.js';
import { collectText, EASY_PROMPT, HARD_PROMPT } from '../../test/helpers/routing-fixtures.js';
import { FallbackFailedError, InvalidInputError, RouteLLMError } from '../errors.js';
import { isRetryableProviderError } from '../providers/errors.js';
import { providerFailure } from './fallback.js';
import { createRoutedModel } from './index.js';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const WEAK_TEXT = 'claude-weak says: ok ok ok';

const stand = usePairStandIns();
const routed = (options: { fallback?: boolean } = {}) => routedPair(stand, { createOpenAI, createAnthropic }, options);
const counts = () => stand.counts();

describe('generateText falls back to the other model', () => {
  it.each<[string, ScriptedReply, { kind: string; status?: number; error: RegExp }]>([
    ['a 500', openAIError(500, 'upstream exploded', 'server_error'), { kind: 'status', status: 500, error: /upstream exploded/ }],
    ['a 429', openAIError(429, 'slow down', 'rate_limit_error'), { kind: 'status', status: 429, error: /slow down/ }],
    ['a closed connection', { destroy: true }, { kind: 'connection', error: /other side closed/ }],
    ['a body that is not JSON', { raw: '{"choices": [tru' }, { kind: 'malformed', error: /Invalid JSON response/ }],
  ])('when the strong model fails with %s, once each, with the failure recorded', async (_name, failure, recorded) => {
    stand.openai.enqueue(failure);
    // The SDK's default retries (2) stay on: the failed model still gets exactly one request.
    const result = await generateText({ model: routed(), prompt: HARD_PROMPT });
    expect(result.text).toBe(WEAK_TEXT);
    expect(counts()).toEqual([1, 1]);
    const record = result.providerMetadata?.routellm as Record<string, any>;
    expect(record).toMatchObject({ decision: 'strong', score: 0.75, model: 'claude-weak', provider: 'anthropic.messages' });
    expect(record.fallback).toMatchObject({ from: 'gpt-strong', to: 'claude-weak', kind: recorded.kind });
    expect(record.fallback.error).toMatch(recorded.error);
    if (recorded.status === undefined) expect(record.fallback).not.toHaveProperty('status');
    else expect(record.fallback.status).toBe(recorded.status);
    expect(result.providerMetadata?.anthropic).toBeDefined();
    expect(result.response.modelId).toBe('claude-weak');
  });

  it('from the weak model to the strong one, and a call that succeeds records no fallback', async () => {
    stand.anthropic.script({ kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded' });
    const result = await generateText({ model: routed(), prompt: EASY_PROMPT });
    expect(result.text).toBe(`echo: ${EASY_PROMPT}`);
    expect(result.providerMetadata?.routellm).toMatchObject({ decision: 'weak', model: 'gpt-strong', fallback: { from: 'claude-weak', to: 'gpt-strong', status: 529 } });
    expect(counts()).toEqual([1, 1]);

    const plain = await generateText({ model: routed(), prompt: EASY_PROMPT });
    expect(plain.providerMetadata?.routellm).not.toHaveProperty('fallback');
    expect(counts()).toEqual([1, 2]);
  });

  it('not from a 400: the request itself is refused, and the SDK APICallError is thrown as it was', async () => {
    stand.openai.enqueue(openAIError(400, 'bad parameter: temperature'));
    const error = await generateText({ model: routed(), prompt: HARD_PROMPT }).catch((caught: unknown) => caught);
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(400);
    expect(counts()).toEqual([1, 0]);
  });

  it('throws FallbackFailedError with both errors when the other model fails too, and the SDK does not retry it', async () => {
    stand.openai.enqueue(openAIError(503, 'strong is down', 'server_error'));
    stand.anthropic.script({ kind: 'error', status: 529, type: 'overloaded_error', message: 'weak is overloaded' });
    const error = await generateText({ model: routed(), prompt: HARD_PROMPT }).catch((caught: unknown) => caught);
    expect(FallbackFailedError.isInstance(error)).toBe(true);
    expect(RouteLLMError.isInstance(error)).toBe(true);
    const failed = error as FallbackFailedError;
    expect(failed.code).toBe('fallback_failed');
    expect(failed.attempts.map(({ model, provider }) => [model, provider])).toEqual([
      ['gpt-strong', 'openai.chat'],
      ['claude-weak', 'anthropic.messages'],
    ]);
    expect(failed.attempts.map(({ error: attempt }) => (attempt as APICallError).statusCode)).toEqual([503, 529]);
    expect(failed.cause).toBe(failed.attempts[1].error);
    expect(failed.message).toMatch(/gpt-strong \(openai\.chat\): strong is down\nclaude-weak \(anthropic\.messages\): weak is overloaded/);
    expect(counts()).toEqual([1, 1]);
  });

  it('names each attempt in the FallbackFailedError message, an in-band error object as JSON', () => {
    const error = new FallbackFailedError([
      { model: 'gpt-strong', provider: 'openai.chat', error: new Error('strong is down') },
      { model: 'claude-weak', provider: 'anthropic.messages', error: { type: 'overloaded_error', message: 'Overloaded' } },
    ]);
    expect(error.message).toBe(
      'The call failed on each of the 2 models tried:\ngpt-strong (openai.chat): strong is down\nclaude-weak (anthropic.messages): {"type":"overloaded_error","message":"Overloaded"}',
    );
    expect(error.cause).toEqual({ type: 'overloaded_error', message: 'Overloaded' });
  });

  it('keeps the first failure when the other model then refuses the request (a 400)', async () => {
    stand.openai.enqueue(openAIError(500, 'strong exploded', 'server_error'));
    stand.anthropic.script({ kind: 'error', status: 400, type: 'invalid_request_error', message: 'weak refuses' });
    const error = (await generateText({ model: routed(), prompt: HARD_PROMPT }).catch((caught: unknown) => caught)) as FallbackFailedError;
    expect(FallbackFailedError.isInstance(error)).toBe(true);
    expect(error.attempts.map(({ error: attempt }) => (attempt as APICallError).statusCode)).toEqual([500, 400]);
    expect(counts()).toEqual([1, 1]);
  });

  it('is off with fallback: false: the error goes to the SDK as it was, whose retries go to the same model', async () => {
    stand.openai.enqueue(openAIError(500, 'strong exploded', 'server_error'));
    const once = await generateText({ model: routed({ fallback: false }), prompt: HARD_PROMPT, maxRetries: 0 }).catch((caught: unknown) => caught);
    expect((once as APICallError).statusCode).toBe(500);
    expect(counts()).toEqual([1, 0]);

    stand.openai.reset();
    // retry-after-ms keeps the SDK's backoff short.
    stand.openai.enqueue(...Array.from({ length: 3 }, () => openAIError(500, 'strong exploded', 'server_error', { headers: { 'retry-after-ms': '5' } })));
    const retried = await generateText({ model: routed({ fallback: false }), prompt: HARD_PROMPT }).catch((caught: unknown) => caught);
    expect((retried as Error).name).toBe('AI_RetryError');
    expect(counts()).toEqual([3, 0]);
    expect(routed({ fallback: false }).fallback).toBe(false);
    expect(routed().fallback).toBe(true);
  });

  it('does not fall back from an aborted call', async () => {
    stand.openai.enqueue({ hang: true });
    const controller = new AbortController();
    const pending = generateText({ model: routed(), prompt: HARD_PROMPT, abortSignal: controller.signal }).catch((caught: unknown) => caught);
    while (stand.openai.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    expect(((await pending) as Error).name).toBe('AbortError');
    expect(counts()).toEqual([1, 0]);
  });
});

describe('streamText falls back only before the first part of content', () => {
  it('when the strong model refuses the stream (a 500), streaming the weak one with the record on finish', async () => {
    stand.openai.enqueue(openAIError(500, 'upstream exploded', 'server_error'));
    const result = streamText({ model: routed(), prompt: HARD_PROMPT });
    expect(await collectText(result.textStream)).toBe(WEAK_TEXT);
    expect(await result.providerMetadata).toMatchObject({
      routellm: { decision: 'strong', model: 'claude-weak', provider: 'anthropic.messages', fallback: { from: 'gpt-strong', to: 'claude-weak', status: 500 } },
    });
    expect((await result.usage).outputTokens).toBe(5);
    expect(counts()).toEqual([1, 1]);
  });

  it('when the stream fails after it started but before any content (a chunk that does not parse)', async () => {
    stand.openai.enqueue({ raw: 'data: {"choices": [tru\n\n', contentType: 'text/event-stream' });
    const errors: unknown[] = [];
    const result = streamText({ model: routed(), prompt: HARD_PROMPT, onError: ({ error }) => void errors.push(error) });
    const parts: string[] = [];
    for await (const part of result.fullStream) parts.push(part.type);
    expect(await result.text).toBe(WEAK_TEXT);
    expect(errors).toEqual([]);
    expect(parts.filter((type) => type === 'error')).toEqual([]);
    expect((await result.providerMetadata)?.routellm).toMatchObject({ model: 'claude-weak', fallback: { from: 'gpt-strong', kind: 'malformed' } });
    expect(counts()).toEqual([1, 1]);
  });

  it('when the Anthropic weak model sends an error event first', async () => {
    stand.anthropic.script({ kind: 'stream-error', type: 'overloaded_error', message: 'Overloaded' });
    const result = streamText({ model: routed(), prompt: EASY_PROMPT });
    expect(await collectText(result.textStream)).toBe(`echo: ${EASY_PROMPT}`);
    expect((await result.providerMetadata)?.routellm).toMatchObject({ decision: 'weak', model: 'gpt-strong', fallback: { from: 'claude-weak' } });
    expect(counts()).toEqual([1, 1]);
  });

  it('never once content reached the caller: a connection cut mid-answer is the caller error, the other model gets nothing', async () => {
    stand.openai.enqueue({ sse: chatCompletionChunks(['partial ', 'answer ', 'never ', 'finished'], 'gpt-strong'), destroyAfter: 3, eventDelayMs: 20, delayFirstEvent: false });
    const result = streamText({ model: routed(), prompt: HARD_PROMPT });
    let text = '';
    const error = await (async () => {
      for await (const piece of result.textStream) text += piece;
    })().catch((caught: unknown) => caught);
    expect(text).toBe('partial answer ');
    expect(APICallError.isInstance(error)).toBe(true);
    expect(((error as APICallError).cause as Error).message).toBe('terminated');
    expect(counts()).toEqual([1, 0]);
  });

  it('not from a 400, and with both failing the stream reports FallbackFailedError', async () => {
    stand.openai.enqueue(openAIError(400, 'bad parameter'));
    const refused: unknown[] = [];
    await collectText(streamText({ model: routed(), prompt: HARD_PROMPT, onError: ({ error }) => void refused.push(error) }).textStream);
    expect((refused[0] as APICallError).statusCode).toBe(400);
    expect(counts()).toEqual([1, 0]);

    stand.openai.reset();
    stand.openai.enqueue(openAIError(502, 'bad gateway', 'server_error'));
    stand.anthropic.script({ kind: 'stream-error', type: 'api_error', message: 'weak broke' });
    const failed: unknown[] = [];
    const text = await collectText(streamText({ model: routed(), prompt: HARD_PROMPT, onError: ({ error }) => void failed.push(error) }).textStream);
    expect(text).toBe('');
    expect(FallbackFailedError.isInstance(failed[0])).toBe(true);
    expect((failed[0] as FallbackFailedError).attempts.map((attempt) => attempt.model)).toEqual(['gpt-strong', 'claude-weak']);
    expect(counts()).toEqual([1, 1]);
  });

  it('is off with fallback: false (the chosen model error reaches the caller)', async () => {
    stand.openai.enqueue({ raw: 'data: {"choices": [tru\n\n', contentType: 'text/event-stream' });
    const errors: unknown[] = [];
    const result = streamText({ model: routed({ fallback: false }), prompt: HARD_PROMPT, onError: ({ error }) => void errors.push(error) });
    expect(await collectText(result.textStream)).toBe('');
    expect((errors[0] as Error).name).toBe('AI_JSONParseError');
    expect(counts()).toEqual([1, 0]);
  });
});

describe('providerFailure: which errors another model may not have', () => {
  const status = (statusCode: number) => new APICallError({ message: `status ${statusCode}`, url: 'http://x', requestBodyValues: {}, statusCode });
  it.each<[string, unknown, string | undefined, boolean]>([
    ['a 500', status(500), 'status', true],
    ['a 408', status(408), 'status', true],
    ['a 409', status(409), 'status', true],
    ['a 429', status(429), 'status', true],
    ['a 400', status(400), 'status', false],
    ['a 401', status(401), 'status', false],
    ['a 404', status(404), 'status', false],
    ['a 200 that did not parse', status(200), 'malformed', true],
    ['no answer', new APICallError({ message: 'Cannot connect to API', url: 'http://x', requestBodyValues: {} }), 'connection', true],
    ['a chunk that did not parse', new JSONParseError({ text: '{', cause: new SyntaxError('end') }), 'malformed', true],
    ['a fetch cut short', new TypeError('terminated'), 'connection', true],
    ['a socket error code', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'connection', true],
    ["the model's own timeout", new DOMException('timed out', 'TimeoutError'), 'timeout', true],
    ['an in-band error event', { type: 'overloaded_error', message: 'Overloaded' }, 'connection', true],
    ['an abort', new DOMException('aborted', 'AbortError'), undefined, false],
    ['an invalid prompt', new InvalidPromptError({ prompt: [], message: 'empty' }), undefined, false],
    ['a routellm error', new InvalidInputError('prompt', 'text'), undefined, false],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'x')"), undefined, false],
    ['a string', 'boom', undefined, false],
  ])('%s', (_name, error, kind, retryable) => {
    const failure = providerFailure('openai.chat', error);
    expect(failure?.kind).toBe(kind);
    expect(failure !== undefined && isRetryableProviderError(failure)).toBe(retryable);
    if (failure) expect(failure.message.startsWith('openai.chat: ')).toBe(true);
  });
});
