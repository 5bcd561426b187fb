import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Controller } from '../src/controller/index.js';
import { UnknownCompletionError } from '../src/controller/feedback.js';
import { InvalidInputError, InvalidOptionsError } from '../src/errors.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './helpers/fake-openai-server.js';
import { EASY_PROMPT, HARD_PROMPT, KeywordRouter } from './helpers/routing-fixtures.js';

let upstream: FakeOpenAIServer;

beforeAll(async () => {
  upstream = await startFakeOpenAIServer();
});
afterAll(() => upstream.close());

function controller(extra: Partial<ConstructorParameters<typeof Controller>[0]> = {}): Controller {
  const endpoint = { baseURL: upstream.baseURL };
  return new Controller({ routers: [new KeywordRouter()], strongModel: 'big', weakModel: 'small', endpoints: { big: endpoint, small: endpoint }, ...extra });
}

const ask = (target: Controller, content: string, stream = false) =>
  target.chat.completions.create({ router: 'keyword', threshold: 0.5, messages: [{ role: 'user', content }], ...(stream ? { stream: true as const } : {}) } as never);

describe('controller.feedback', () => {
  it('gives every completion (and every chunk of a stream) a unique id, and turns feedback into battles by the rule', async () => {
    const target = controller();
    const weak: any = await ask(target, EASY_PROMPT);
    const strong: any = await ask(target, HARD_PROMPT);
    const stream: any = await ask(target, `${EASY_PROMPT} again`, true);
    const chunks = await stream.toArray();
    expect(new Set([weak.id, strong.id, stream.routellm.id]).size).toBe(3);
    expect(chunks.every((chunk: any) => chunk.id === stream.routellm.id)).toBe(true);
    expect(weak.routellm.upstream_id).toMatch(/^chatcmpl-fake-/);

    const bad = await target.feedback(weak.id, { score: 0.1 });
    expect(bad).toEqual({ learned: false, row: expect.objectContaining({ prompt: EASY_PROMPT, model_a: 'big', model_b: 'small', winner: 'model_a', id: weak.id, router: 'keyword', decision: 'weak', model: 'small', score: 0.1 }) });
    expect((await target.feedback(weak.id, { score: 0.9 })).row.winner).toBe('model_b');
    expect((await target.feedback(strong.id, { score: 0.9 })).row.winner).toBe('tie');
    expect((await target.feedback(strong.id, { score: 0 })).row.winner).toBe('tie (bothbad)');
    expect((await target.feedback(stream.routellm.id, { winner: 'strong' })).row).toMatchObject({ prompt: `${EASY_PROMPT} again`, winner: 'model_a' });
    expect((await target.feedback(strong.id, { winner: 'weak' })).row.winner).toBe('model_b');
    await target.dispose();
  });

  it('refuses unknown ids, bad outcomes and expired or evicted completions with typed errors', async () => {
    const target = controller({ feedbackRetention: { maxEntries: 2, ttlMs: 60_000 } });
    const first: any = await ask(target, EASY_PROMPT);
    await ask(target, HARD_PROMPT);
    await expect(target.feedback('chatcmpl-nope', { score: 1 })).rejects.toThrow(UnknownCompletionError);
    for (const outcome of [{ score: 1.5 }, { score: 'good' }, { winner: 'both' }, {}, { score: 1, winner: 'weak' }]) {
      await expect(target.feedback(first.id, outcome as never)).rejects.toThrow(InvalidInputError);
    }
    await expect(target.feedback(42 as never, { score: 1 })).rejects.toThrow(/id/);
    expect(target.servedCompletion(first.id)).toMatchObject({ prompt: EASY_PROMPT, decision: 'weak' });
    await ask(target, `${HARD_PROMPT} twice`);
    expect(target.servedCompletion(first.id)).toBeUndefined();
    await expect(target.feedback(first.id, { score: 1 })).rejects.toThrow(/unknown, or expired/);
    await target.dispose();

    const short = controller({ feedbackRetention: { ttlMs: 1 } });
    const old: any = await ask(short, EASY_PROMPT);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(short.feedback(old.id, { score: 1 })).rejects.toThrow(UnknownCompletionError);
    await short.dispose();
    expect(() => controller({ feedbackRetention: { maxEntries: 0 } })).toThrow(InvalidOptionsError);
  });
});
