import Anthropic from '@anthropic-ai/sdk';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropicServer, type FakeAnthropicServer } from '../../test/helpers/fake-anthropic-server.js';
import { openAIError, startFakeOpenAIServer, type FakeOpenAIServer } from '../../test/helpers/fake-openai-server.js';
import { isHardPrompt, standInHandler, twoKindPrompts } from '../../test/helpers/label-stand-ins.js';
import { DataError } from '../data/errors.js';
import { InvalidOptionsError } from '../errors.js';
import { DEFAULT_JUDGE_TEMPLATE, parseRating, ratingOutcome, renderJudgePrompt } from './judge.js';
import { labelPrompts, type LabelSummary } from './label.js';
import type { LabelOptions } from './options.js';

const MODELS = { strong: 'big-model', weak: 'small-model', judge: 'judge-model' };
let server: FakeOpenAIServer;
let dir: string;

function lines(file: string): any[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

function writePrompts(name: string, rows: unknown[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
  return file;
}

function options(input: string, output: string, extra: Partial<LabelOptions> = {}): LabelOptions {
  const endpoint = { baseURL: server.baseURL };
  return {
    input,
    output: path.join(dir, output),
    strongModel: MODELS.strong,
    weakModel: MODELS.weak,
    judgeModel: MODELS.judge,
    endpoints: { [MODELS.strong]: endpoint, [MODELS.weak]: endpoint, [MODELS.judge]: endpoint },
    ...extra,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-label-'));
  server = await startFakeOpenAIServer({ handler: standInHandler(MODELS) });
});
afterAll(() => server.close());

describe('the judge', () => {
  it('fills the template once, reads the last rating, and maps ratings by one rule', () => {
    const filled = renderJudgePrompt(DEFAULT_JUDGE_TEMPLATE, 'Q {answer}', 'R', 'A');
    expect(filled).toContain('[Question]\nQ {answer}\n');
    expect(filled).toContain("[Assistant's answer]\nA");
    expect(parseRating('first [[2]], on reflection [[ 4 ]]')).toBe(4);
    expect(parseRating('a rating of 4/5')).toBeUndefined();
    expect(parseRating('[[7]]')).toBeUndefined();
    expect([1, 2, 3, 4, 5].map((rating) => ratingOutcome(rating))).toEqual(['model_a', 'model_a', 'model_a', 'model_b', 'model_b']);
    expect(ratingOutcome(3, 3)).toBe('model_b');
  });
});

describe('labelPrompts', () => {
  it('labels each distinct prompt by the rule, keeps the answers, and a re-run sends nothing', async () => {
    const prompts = twoKindPrompts(6);
    const input = writePrompts('six.jsonl', [
      ...prompts.map(({ prompt }) => ({ prompt })),
      { prompt: prompts[0].prompt },
      { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Prove that 2 is prime.' }] },
    ]);
    server.reset();
    const first = await labelPrompts(options(input, 'six-labels.jsonl', { prices: { [MODELS.strong]: { input: 10, output: 30 }, [MODELS.weak]: { input: 1, output: 1 }, [MODELS.judge]: { input: 10, output: 30 } } }));
    expect(first).toMatchObject({ inputRows: 8, prompts: 7, labelled: 7, failed: 0, alreadyLabelled: 0, requests: 21, outcomes: { strong: 4, weak: 3 } });
    expect(first.costUsd).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(21);
    const systemRequest = server.requests.find((request) => request.body.messages[0].role === 'system');
    expect(systemRequest?.body.messages).toHaveLength(2);
    const labels = lines(first.output);
    expect(labels).toHaveLength(7);
    for (const label of labels) {
      expect(label).toMatchObject({ model_a: MODELS.strong, model_b: MODELS.weak, judge: MODELS.judge });
      expect(label.winner).toBe(isHardPrompt(label.prompt) ? 'model_a' : 'model_b');
      expect(label.rating).toBe(isHardPrompt(label.prompt) ? 1 : 5);
      expect(label.scores).toEqual({ [MODELS.strong]: 1, [MODELS.weak]: isHardPrompt(label.prompt) ? 0 : 1 });
    }
    expect(lines(first.answers)).toHaveLength(14);

    server.reset();
    const second = await labelPrompts(options(input, 'six-labels.jsonl'));
    expect(second).toMatchObject({ alreadyLabelled: 7, labelled: 0, requests: 0 });
    expect(server.requests).toHaveLength(0);
    expect(lines(first.output)).toHaveLength(7);

    // Another judge re-runs the judge alone: the stored answers are reused.
    const otherJudge = await labelPrompts({ ...options(input, 'six-labels.jsonl'), judgeModel: 'judge-2', endpoints: { 'judge-2': { baseURL: server.baseURL } }, output: path.join(dir, 'six-judge2.jsonl'), answers: first.answers });
    expect(otherJudge).toMatchObject({ labelled: 7, requests: 7 });
    expect(server.requests.every((request) => request.body.model === 'judge-2')).toBe(true);
  });

  it('retries a 429 with backoff; a judge reply without a rating is a kept failure that the next run retries alone', async () => {
    const input = writePrompts('three.jsonl', twoKindPrompts(3, 100).map(({ prompt }) => ({ prompt })));
    server.reset();
    server.enqueue(openAIError(429, 'slow down', 'rate_limit_exceeded', { headers: { 'retry-after-ms': '5' } }));
    let judged = 0;
    const noRating = (request: any) => {
      if (request.body.model !== MODELS.judge || judged++ > 0) return standInHandler(MODELS)(request);
      return { json: { id: 'x', object: 'chat.completion', created: 0, model: MODELS.judge, choices: [{ index: 0, message: { role: 'assistant', content: 'I would say it is fine.' }, finish_reason: 'stop' }] } };
    };
    server.setHandler(noRating);
    const first = await labelPrompts(options(input, 'three-labels.jsonl', { concurrency: 1 }));
    server.setHandler(standInHandler(MODELS));
    expect(first).toMatchObject({ prompts: 3, labelled: 2, failed: 1 });
    expect(server.requests).toHaveLength(10);
    // The strong model's first call got the 429 and was sent again.
    expect(server.requests.filter((request) => request.body.model === MODELS.strong)).toHaveLength(4);
    const failures = lines(first.failures);
    expect(failures).toEqual([expect.objectContaining({ stage: 'judge', model: MODELS.judge, reply: 'I would say it is fine.', error: expect.stringContaining('no rating') })]);

    server.reset();
    const second = await labelPrompts(options(input, 'three-labels.jsonl'));
    expect(second).toMatchObject({ alreadyLabelled: 2, labelled: 1, failed: 0, requests: 1 });
    expect(server.requests.map((request) => request.body.model)).toEqual([MODELS.judge]);
    expect(lines(second.failures)).toEqual([]);
    expect(lines(second.output)).toHaveLength(3);
  });

  it('counts and keeps every prompt when an upstream is down, and labels with an Anthropic model', async () => {
    const input = writePrompts('down.jsonl', twoKindPrompts(4, 200).map(({ prompt }) => ({ prompt })));
    const down: LabelSummary = await labelPrompts({ ...options(input, 'down-labels.jsonl', { maxRetries: 0 }), endpoints: { [MODELS.strong]: { baseURL: 'http://127.0.0.1:9/v1' }, [MODELS.weak]: { baseURL: server.baseURL }, [MODELS.judge]: { baseURL: server.baseURL } } });
    expect(down).toMatchObject({ prompts: 4, labelled: 0, failed: 4 });
    expect(lines(down.failures).map((row) => row.stage)).toEqual(['strong', 'strong', 'strong', 'strong']);
    expect(lines(down.failures)[0].error).toMatch(/connection|ECONNREFUSED|fetch/i);

    const anthropic: FakeAnthropicServer = await startFakeAnthropicServer();
    try {
      const summary = await labelPrompts({
        ...options(input, 'down-labels.jsonl'),
        weakModel: 'claude-3-5-haiku-latest',
        providers: { anthropic: new Anthropic({ baseURL: anthropic.url, apiKey: 'test' }) },
      });
      expect(summary).toMatchObject({ labelled: 4, failed: 0, outcomes: { weak: 4 } });
      expect(anthropic.requests).toHaveLength(4);
    } finally {
      await anthropic.close();
    }
  });

  it('stops starting prompts once maxCost is spent, and counts the rest as skipped', async () => {
    const input = writePrompts('costly.jsonl', twoKindPrompts(5, 300).map(({ prompt }) => ({ prompt })));
    // 10 prompt tokens per call (the stand-in's usage) at $1,000 per 1M: one cent a call, three a prompt.
    const price = { input: 1000, output: 0 };
    const summary = await labelPrompts(options(input, 'costly-labels.jsonl', { concurrency: 1, maxCost: 0.05, prices: { [MODELS.strong]: price, [MODELS.weak]: price, [MODELS.judge]: price } }));
    expect(summary).toMatchObject({ labelled: 2, skipped: 3, failed: 0, requests: 6 });
    expect(summary.costUsd).toBeCloseTo(0.06, 10);
  });

  it('refuses bad options and bad input rows with typed errors', async () => {
    const input = writePrompts('ok.jsonl', [{ prompt: 'hi' }]);
    await expect(labelPrompts({ ...options(input, 'x.jsonl'), output: input })).rejects.toThrow(/output.*input/);
    await expect(labelPrompts(options(input, 'x.jsonl', { template: 'no fields' }))).rejects.toThrow(InvalidOptionsError);
    await expect(labelPrompts(options(input, 'x.jsonl', { maxCost: 1 }))).rejects.toThrow(/maxCost needs a price.*big-model/);
    await expect(labelPrompts(options(input, 'x.jsonl', { concurrency: 0 }))).rejects.toThrow(InvalidOptionsError);
    const bad = writePrompts('bad.jsonl', [{ prompt: 'hi' }, { text: 'no prompt' }]);
    await expect(labelPrompts(options(bad, 'x.jsonl'))).rejects.toThrow(DataError);
    await expect(labelPrompts(options(bad, 'x.jsonl'))).rejects.toThrow(/bad\.jsonl:2: expected a non-empty "prompt"/);
  });
});
