import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatCompletionChunks, logprobsReply, openAIError, startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';

describe('fake OpenAI server', () => {
  let server: FakeOpenAIServer;
  let client: OpenAI;
  beforeAll(async () => {
    server = await startFakeOpenAIServer();
    client = new OpenAI({ baseURL: server.baseURL, apiKey: 'k', maxRetries: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('listens on 127.0.0.1 and echoes chat messages by default, recording requests', async () => {
    expect(server.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const completion = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'ping' }] });
    expect(completion.choices[0].message.content).toBe('echo: ping');
    expect(server.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { model: 'm' } });
  });

  it('streams server-sent events that the openai client reads', async () => {
    server.enqueue({ sse: chatCompletionChunks(['Hel', 'lo']) });
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Hello');
  });

  it('answers scripted replies in order, then the handler', async () => {
    server.enqueue(openAIError(404, 'no such model', 'invalid_request_error', { code: 'model_not_found' }), (request) =>
      logprobsReply(request, [{ token: 'A', logprob: -0.5, top: [['A', -0.5], ['B', -1]] }]),
    );
    const error = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.code).toBe('model_not_found');
    const scored = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      logprobs: true,
      top_logprobs: 1,
    });
    expect(scored.choices[0].logprobs?.content?.[0]).toMatchObject({ token: 'A', top_logprobs: [{ token: 'A', logprob: -0.5 }] });
    expect(server.pendingReplies()).toBe(0);
    const completion = await client.completions.create({ model: 'm', prompt: 'plain' });
    expect(completion.choices[0].text).toBe('plain');
  });

  it('closes even with a hanging request open', async () => {
    const other = await startFakeOpenAIServer({ handler: () => ({ hang: true }) });
    const hanging = new OpenAI({ baseURL: other.baseURL, apiKey: 'k', maxRetries: 0, timeout: 5_000 })
      .completions.create({ model: 'm', prompt: 'x' })
      .catch((e) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await other.close();
    expect(await hanging).toBeInstanceOf(OpenAI.APIConnectionError);
  });
});
