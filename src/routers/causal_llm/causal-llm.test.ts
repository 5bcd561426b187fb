import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  logprobsReply,
  openAIError,
  requestText,
  startFakeOpenAIServer,
  type FakeOpenAIServer,
  type PositionSpec,
  type RecordedRequest,
} from '../../../test/helpers/fake-openai-server.js';
import { InvalidInputError, InvalidOptionsError, ProviderError } from '../../errors.js';
import { runRouterContract } from '../contract.case.js';
import { createRouter } from '../registry.js';
import { CausalLLMRouter, DEFAULT_SYSTEM_PROMPT } from './index.js';
import { resolveCausalLLMOptions } from './options.js';

/** Five label probabilities derived from the text (a fixture standing in for a model's judgement). */
function hashedRatings(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  const weights = [0, 1, 2, 3, 4].map((i) => Math.exp(digest[i] / 64));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/** The tokens a model would generate for those ratings: whole `[[d]]` tokens or `[[`, `d`, `]]`. */
function ratingPositions(ratings: number[], style: 'whole' | 'split', noise = 0.05): PositionSpec[] {
  const scale = 1 - noise;
  const ranked = ratings.map((p, i) => [i + 1, p * scale] as const).sort((a, b) => b[1] - a[1]);
  const [bestDigit, bestP] = ranked[0];
  if (style === 'whole') {
    const top: [string, number][] = [...ranked.map(([d, p]) => [`[[${d}]]`, Math.log(p)] as [string, number]), ['I', Math.log(noise)]];
    return [
      { token: `[[${bestDigit}]]`, logprob: Math.log(bestP), top: top.sort((a, b) => b[1] - a[1]) },
      { token: '<|eot_id|>', logprob: -0.01 },
    ];
  }
  const digits: [string, number][] = [...ranked.map(([d, p]) => [String(d), Math.log(p)] as [string, number]), ['6', Math.log(noise)]];
  return [
    { token: '[[', logprob: Math.log(0.97), top: [['[[', Math.log(0.97)], ['I', Math.log(0.03)]] },
    { token: String(bestDigit), logprob: Math.log(bestP), top: digits.sort((a, b) => b[1] - a[1]) },
    { token: ']]', logprob: -0.001 },
  ];
}

const expectedScore = (ratings: number[], threshold = 4) => 1 - ratings.slice(threshold - 1).reduce((a, b) => a + b, 0);

/** Answers every request with hashed ratings of the text it was asked about. */
const ratingHandler =
  (style: 'whole' | 'split') =>
  (request: RecordedRequest) =>
    logprobsReply(request, ratingPositions(hashedRatings(requestText(request)), style));

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer({ handler: ratingHandler('whole') });
});
afterAll(async () => {
  await server?.close();
});

const endpoint = (extra: Record<string, unknown> = {}) =>
  createRouter('causal_llm', { baseURL: server.baseURL, model: 'rater', apiKey: 'test-key', ...extra }) as Promise<CausalLLMRouter>;

runRouterContract({ name: 'causal_llm (endpoint, chat)', create: () => endpoint() });

describe('causal_llm router over an OpenAI-compatible endpoint', () => {
  beforeEach(() => {
    server.reset();
    server.setHandler(ratingHandler('whole'));
  });

  it('asks the chat API for next-token logprobs and scores 1 - P(rating >= 4)', async () => {
    const router = await endpoint();
    const score = await router.strongWinRate('Prove Fermat’s little theorem.');
    expect(server.requests).toHaveLength(1);
    const request = server.requests[0];
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer test-key');
    expect(request.body).toMatchObject({ model: 'rater', logprobs: true, top_logprobs: 20, max_tokens: 4, temperature: 0 });
    expect(request.body.messages[0]).toEqual({ role: 'system', content: DEFAULT_SYSTEM_PROMPT });
    expect(request.body.messages[1].role).toBe('user');
    expect(request.body.messages[1].content).toContain('Request:\nProve Fermat’s little theorem.\n');
    expect(score).toBeCloseTo(expectedScore(hashedRatings(request.body.messages[1].content)), 6);
    expect(router.stats).toMatchObject({ requests: 1, httpAttempts: 1, retries: 0, errors: 0, invalidAnswers: 0 });
  });

  it('speaks the completions API with labels split into "[[", digit, "]]"', async () => {
    server.setHandler(ratingHandler('split'));
    const router = await endpoint({ api: 'completions', scoreThreshold: 3 });
    const score = await router.strongWinRate('What is the capital of Australia?');
    const request = server.requests[0];
    expect(request.path).toBe('/v1/completions');
    expect(request.body).toMatchObject({ model: 'rater', logprobs: 20, max_tokens: 4, temperature: 0 });
    expect(request.body.prompt.startsWith(`${DEFAULT_SYSTEM_PROMPT}\n\n`)).toBe(true);
    expect(request.body.prompt.endsWith('\n\nRating: ')).toBe(true);
    expect(score).toBeCloseTo(expectedScore(hashedRatings(request.body.prompt), 3), 6);
  });

  it('gives the same score for whole and split label tokens in both APIs', async () => {
    const prompt = 'Write a haiku about routers.';
    const scores: number[] = [];
    for (const api of ['chat', 'completions'] as const) {
      for (const style of ['whole', 'split'] as const) {
        const router = await endpoint({ api, systemPrompt: '', completionFormat: '{user}' });
        server.setHandler((request) => logprobsReply(request, ratingPositions(hashedRatings(prompt), style)));
        scores.push(await router.strongWinRate(prompt));
      }
    }
    for (const score of scores) expect(score).toBeCloseTo(expectedScore(hashedRatings(prompt)), 6);
    // An empty system prompt sends no system message.
    expect(server.requests[0].body.messages).toHaveLength(1);
  });

  it('sends several prompts per completions request when asked, matching choices by index', async () => {
    const answer = (text: string) => ratingPositions(hashedRatings(text), 'split');
    server.setHandler((request) => logprobsReply(request, answer));
    const prompts = Array.from({ length: 10 }, (_, i) => `batched question ${i}`);
    const single = await (await endpoint({ api: 'completions' })).strongWinRates(prompts);
    server.reset();
    // Answer with the choices in reverse order: placement must follow each choice's index.
    server.setHandler((request) => {
      const reply = logprobsReply(request, answer) as { json: { choices: unknown[] } };
      reply.json.choices.reverse();
      return reply;
    });
    const grouped = await endpoint({ api: 'completions', promptsPerRequest: 4 });
    const scores = await grouped.strongWinRates(prompts);
    expect(server.requests.map((request) => request.body.prompt.length)).toEqual([4, 4, 2]);
    for (let i = 0; i < prompts.length; i++) expect(scores[i]).toBeCloseTo(single[i], 6);
    expect(grouped.stats).toMatchObject({ requests: 10, httpAttempts: 3 });

    server.enqueue((request) => {
      const reply = logprobsReply(request, answer) as { json: { choices: unknown[] } };
      reply.json.choices.pop();
      return reply;
    });
    const error = await grouped.strongWinRates(prompts.slice(0, 3)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toMatch(/no choice for prompt/);
  });

  it('routes an answer without labels to strong and counts it', async () => {
    const router = await endpoint();
    const refusal = (request: RecordedRequest) =>
      logprobsReply(request, [
        { token: 'I', logprob: -0.2, top: [['I', -0.2], ['Sorry', -2]] },
        { token: ' cannot', logprob: -0.1 },
      ]);
    server.enqueue(refusal);
    const scores = await router.strongWinRates(['rate me', 'and me']);
    expect(scores[0]).toBe(1);
    expect(scores[1]).toBeLessThan(1);
    expect(router.stats.invalidAnswers).toBe(1);
    expect(router.stats.requests).toBe(2);
    server.enqueue(refusal);
    expect(await router.route('rate me', 1)).toBe('strong');
    expect(router.stats.invalidAnswers).toBe(2);
  });

  it('reads the label from the text when the server returns no logprobs', async () => {
    const router = await endpoint();
    server.enqueue({ json: { id: 'x', object: 'chat.completion', created: 0, model: 'rater', choices: [{ index: 0, message: { role: 'assistant', content: '[[5]]' }, finish_reason: 'stop' }] } });
    expect(await router.strongWinRate('easy')).toBe(0);
    expect(router.stats.answersWithoutLogprobs).toBe(1);
  });

  it('retries a 429 (the client’s own retry) and then scores', async () => {
    const router = await endpoint({ maxRetries: 2 });
    server.enqueue(openAIError(429, 'Rate limit reached', 'rate_limit_error', { headers: { 'retry-after-ms': '5' } }));
    const score = await router.strongWinRate('hello there');
    expect(server.requests).toHaveLength(2);
    expect(score).toBeCloseTo(expectedScore(hashedRatings(requestText(server.requests[1]))), 6);
    expect(router.stats).toMatchObject({ requests: 1, httpAttempts: 2, retries: 1, errors: 0 });
  });

  it('gives a ProviderError with the status when retries run out or the request is refused', async () => {
    const router = await endpoint({ maxRetries: 1 });
    const rateLimited = openAIError(429, 'Rate limit reached', 'rate_limit_error', { headers: { 'retry-after-ms': '5' } });
    server.enqueue(rateLimited, rateLimited);
    const error = await router.strongWinRate('hello').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(429);
    expect((error as Error).message).toContain('Rate limit reached');
    expect(router.stats).toMatchObject({ httpAttempts: 2, retries: 1, errors: 1 });

    server.enqueue(openAIError(400, 'logprobs are not supported'));
    const refused = await router.strongWinRate('hello').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProviderError);
    expect((refused as ProviderError).status).toBe(400);
    expect(router.stats.httpAttempts).toBe(3); // a 400 is not retried
  });

  it('times out a hanging server with a ProviderError, and recovers on retry', async () => {
    const once = await endpoint({ timeoutMs: 150, maxRetries: 0 });
    server.enqueue({ hang: true });
    // The server never answers: without the timeout this call would hang until the test's own limit.
    const error = await once.strongWinRate('slow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBeUndefined();
    expect((error as Error).message).toMatch(/timed out after 150 ms/);

    const retrying = await endpoint({ timeoutMs: 150, maxRetries: 1 });
    server.enqueue({ hang: true });
    const score = await retrying.strongWinRate('slow');
    expect(score).toBeGreaterThanOrEqual(0);
    expect(retrying.stats).toMatchObject({ httpAttempts: 2, retries: 1, errors: 0 });
  });

  it('turns malformed JSON, wrong shapes and dropped connections into ProviderErrors', async () => {
    const router = await endpoint({ maxRetries: 0 });
    server.enqueue({ raw: '{"id": "x", "choices": [' });
    const malformed = await router.strongWinRate('q').catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(ProviderError);
    expect((malformed as Error).message).toMatch(/malformed|JSON/i);

    server.enqueue({ json: { unexpected: true } });
    const shapeless = await router.strongWinRate('q').catch((e: unknown) => e);
    expect(shapeless).toBeInstanceOf(ProviderError);
    expect((shapeless as Error).message).toContain('choices');

    server.enqueue({ raw: '<html>bad gateway</html>', contentType: 'text/html' });
    expect(await router.strongWinRate('q').catch((e: unknown) => e)).toBeInstanceOf(ProviderError);

    server.enqueue({ destroy: true });
    const dropped = await router.strongWinRate('q').catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(ProviderError);
    expect((dropped as ProviderError).status).toBeUndefined();
    expect(router.stats.errors).toBe(4);
  });

  it('runs a batch in parallel under the concurrency limit, in input order', async () => {
    let inFlight = 0;
    let most = 0;
    server.setHandler(async (request) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 15));
      inFlight--;
      return ratingHandler('whole')(request);
    });
    const router = await endpoint({ concurrency: 4 });
    const prompts = Array.from({ length: 24 }, (_, i) => `question number ${i}`);
    const scores = await router.strongWinRates(prompts);
    expect(most).toBe(4);
    const byText = new Map(server.requests.map((request) => [requestText(request), request]));
    prompts.forEach((prompt, i) => {
      const text = [...byText.keys()].find((key) => key.includes(`Request:\n${prompt}\n`))!;
      expect(scores[i]).toBeCloseTo(expectedScore(hashedRatings(text)), 6);
    });
  });

  it('fails the whole batch with the first ProviderError and stops sending', async () => {
    const router = await endpoint({ concurrency: 1, maxRetries: 0 });
    server.enqueue(openAIError(500, 'boom', 'server_error'));
    const error = await router.strongWinRates(['a', 'b', 'c', 'd']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(500);
    expect(server.requests).toHaveLength(1);
  });

  it('formats multi-turn input as the template says', async () => {
    const conversation = [
      { role: 'user', content: 'Name a prime.' },
      { role: 'assistant', content: '7.' },
      { role: 'user', content: 'Another one?' },
    ] as const;
    const lastTurn = await endpoint();
    await lastTurn.strongWinRatesForConversations([conversation]);
    expect(requestText(server.requests[0])).toContain('Request:\nAnother one?\n');
    expect(requestText(server.requests[0])).not.toContain('Name a prime');

    const whole = await endpoint({ template: 'Dialogue:\n{conversation}\n\nLast: {question}' });
    await whole.strongWinRatesForConversations([conversation]);
    expect(requestText(server.requests[1])).toBe('Dialogue:\nUser: Name a prime.\n\nAssistant: 7.\n\nUser: Another one?\n\nLast: Another one?');
    await expect(whole.strongWinRatesForConversations([[{ role: 'robot', content: 'x' }] as never])).rejects.toBeInstanceOf(
      InvalidInputError,
    );
  });

  it('reads the system prompt and template from files', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'causal-llm-'));
    writeFileSync(path.join(dir, 'system.txt'), 'You rate requests.');
    writeFileSync(path.join(dir, 'template.txt'), '<question>{question}</question>');
    const router = await endpoint({ systemPromptFile: path.join(dir, 'system.txt'), templateFile: path.join(dir, 'template.txt') });
    await router.strongWinRate('{conversation} stays literal');
    expect(server.requests[0].body.messages).toEqual([
      { role: 'system', content: 'You rate requests.' },
      { role: 'user', content: '<question>{conversation} stays literal</question>' },
    ]);
  });
});

describe('causal_llm options', () => {
  it('names the missing model when there is nothing to call', async () => {
    const error = await createRouter('causal_llm').catch((e: unknown) => e);
    if (!process.env.ROUTELLM_CAUSAL_LLM_BASE_URL && !process.env.ROUTELLM_CAUSAL_LLM_MODEL_PATH) {
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as Error).message).toMatch(/baseURL.*modelPath/s);
    }
    expect(() => resolveCausalLLMOptions({}, {})).toThrow(/ROUTELLM_CAUSAL_LLM_BASE_URL/);
    expect(() => resolveCausalLLMOptions({ baseURL: 'http://127.0.0.1:1/v1' }, {})).toThrow(/`model` is required/);
    expect(() => resolveCausalLLMOptions({ backend: 'local' }, {})).toThrow(/`modelPath` is required/);
  });

  it('takes the endpoint from environment variables', () => {
    const resolved = resolveCausalLLMOptions(
      {},
      { ROUTELLM_CAUSAL_LLM_BASE_URL: 'http://127.0.0.1:9/v1', ROUTELLM_CAUSAL_LLM_MODEL: 'm', ROUTELLM_CAUSAL_LLM_API_KEY: 'k' },
    );
    expect(resolved).toMatchObject({ backend: 'endpoint', baseURL: 'http://127.0.0.1:9/v1', model: 'm', apiKey: 'k', scoreThreshold: 4 });
    expect(resolveCausalLLMOptions({ modelPath: '/models/x' }, {}).backend).toBe('local');
  });

  it('rejects bad options with InvalidOptionsError naming the field', async () => {
    const base = { baseURL: 'http://127.0.0.1:9/v1', model: 'm' };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, scoreThreshold: 6 }, /scoreThreshold/],
      [{ ...base, api: 'responses' }, /api/],
      [{ ...base, concurrency: 0 }, /concurrency/],
      [{ ...base, baseURL: 'ftp://x' }, /baseURL/],
      [{ ...base, templat: 'x' }, /templat/],
      [{ ...base, template: 'no slot here' }, /\{question\}/],
      [{ ...base, template: '{question}', templateFile: '/x' }, /not both/],
      [{ ...base, systemPromptFile: '/does/not/exist.txt' }, /systemPromptFile/],
    ];
    for (const [options, message] of cases) {
      const error = await createRouter('causal-llm', options).catch((e: unknown) => e);
      expect(error, JSON.stringify(options)).toBeInstanceOf(InvalidOptionsError);
      expect((error as Error).message).toMatch(message);
    }
  });
});
