import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyCausalLM, type TinyCausalLM } from '../../../test/helpers/tiny-causal-lm.js';
import { WeightsError } from '../../errors.js';
import { CONTRACT_PROMPTS, runRouterContract } from '../contract.case.js';
import { createRouter } from '../registry.js';
import { CausalLLMRouter } from './index.js';
import { ratingDistributionFromLogits } from './labels.js';
import { LocalRatingBackend, planLabels } from './local-backend.js';
import { resolveCausalLLMOptions } from './options.js';
import { emptyStats } from './stats.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'routellm-causal-lm-'));
const withLabels = writeTinyCausalLM(path.join(root, 'labels'), { seed: 3 });
const byteLabels = writeTinyCausalLM(path.join(root, 'bytes'), { seed: 4, labelTokens: false, chatTemplate: null });

const local = (model: TinyCausalLM, extra: Record<string, unknown> = {}) =>
  createRouter('causal_llm', { modelPath: model.dir, batchSize: 5, ...extra }) as Promise<CausalLLMRouter>;

runRouterContract({ name: 'causal_llm (local ONNX)', create: () => local(withLabels), tolerance: 1e-5 });

describe('causal_llm router, local ONNX backend', () => {
  let router: CausalLLMRouter;
  let backend: LocalRatingBackend;
  beforeAll(async () => {
    router = await local(withLabels);
    backend = await LocalRatingBackend.load(resolveCausalLLMOptions({ modelPath: withLabels.dir }), emptyStats());
  });
  afterAll(async () => {
    await router?.dispose();
    await backend?.dispose();
  });

  it('reads the five label tokens at the first generated position: probabilities sum to 1 and match a JS forward pass', async () => {
    expect(backend.plan.prefix).toEqual([]);
    expect(backend.plan.labelTokenIds).toEqual(['[[1]]', '[[2]]', '[[3]]', '[[4]]', '[[5]]'].map((label) => withLabels.addedTokenIds[label]));
    const prompts = ['hi', 'Explain quicksort.', CONTRACT_PROMPTS[6]];
    const distributions = await router.ratingDistributions(prompts);
    prompts.forEach((prompt, i) => {
      const ratings = distributions[i]!;
      expect(ratings.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
      const logits = withLabels.referenceLastLogits(backend.promptIds([{ role: 'user', content: prompt }]));
      const expected = ratingDistributionFromLogits(backend.plan.labelTokenIds.map((id) => logits[id]));
      for (let r = 0; r < 5; r++) expect(ratings[r]).toBeCloseTo(expected[r], 4);
    });
    expect(new Set(distributions.map((d) => d![0].toFixed(6))).size).toBe(3);
  });

  it('renders the prompt with the tokenizer’s chat template and a generation prompt', () => {
    const ids = backend.promptIds([{ role: 'user', content: 'Name a prime.' }]);
    const text = bytesText(ids);
    expect(text.startsWith('<|system|>\nYou are a routing judge.')).toBe(true);
    expect(text).toContain('<|user|>\nHow well would a capable but cheaper assistant answer the request below?');
    expect(text).toContain('Request:\nName a prime.\n');
    expect(text.endsWith('<|assistant|>\n')).toBe(true);
  });

  it('scores a batch the same as single prompts across batch sizes and lengths', async () => {
    const prompts = CONTRACT_PROMPTS.concat(['x'.repeat(300), 'short']);
    const batched = await router.strongWinRates(prompts);
    const wide = await (await local(withLabels, { batchSize: 64 })).strongWinRates(prompts);
    for (let i = 0; i < prompts.length; i++) {
      expect(Math.abs(batched[i] - (await router.strongWinRate(prompts[i])))).toBeLessThan(1e-5);
      expect(Math.abs(batched[i] - wide[i])).toBeLessThan(1e-5);
    }
    expect(router.stats.invalidAnswers).toBe(0);
  });

  it('uses the shared "[[" prefix and the digit token when the labels are not single tokens', async () => {
    const bytes = await LocalRatingBackend.load(resolveCausalLLMOptions({ modelPath: byteLabels.dir }), emptyStats());
    try {
      expect(bytes.plan.prefix).toEqual([...'[['].map((c) => c.charCodeAt(0)));
      expect(bytes.plan.labelTokenIds).toEqual([...'12345'].map((c) => c.charCodeAt(0)));
      const ids = bytes.promptIds([{ role: 'user', content: 'hello' }]);
      const text = bytesText(ids);
      expect(text.endsWith('Request:\nhello\n\nAnswer with one of [[1]], [[2]], [[3]], [[4]], [[5]] and nothing else.\n\nRating: [[')).toBe(true);
      const [ratings] = await bytes.rate([[{ role: 'user', content: 'hello' }]]);
      expect(ratings!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
      const logits = byteLabels.referenceLastLogits(ids);
      const expected = ratingDistributionFromLogits(bytes.plan.labelTokenIds.map((id) => logits[id]));
      for (let r = 0; r < 5; r++) expect(ratings![r]).toBeCloseTo(expected[r], 4);
    } finally {
      await bytes.dispose();
    }
  });

  it('cuts a prompt longer than maxInputTokens in the middle, keeping its start and end', async () => {
    const short = await LocalRatingBackend.load(resolveCausalLLMOptions({ modelPath: withLabels.dir, maxInputTokens: 64 }), emptyStats());
    try {
      const turns = [{ role: 'user', content: 'word '.repeat(200) }] as const;
      const full = backend.promptIds(turns);
      const cut = short.promptIds(turns);
      expect(full.length).toBeGreaterThan(1000);
      expect(cut).toEqual([...full.slice(0, 32), ...full.slice(full.length - 32)]);
      const [ratings] = await short.rate([turns]);
      expect(ratings!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    } finally {
      await short.dispose();
    }
  });

  it('plans labels only when the five differ at one position', () => {
    const table: Record<string, number[]> = { '[[1]]': [7, 1], '[[2]]': [7, 2], '[[3]]': [7, 3], '[[4]]': [7, 4], '[[5]]': [7, 4, 5] };
    expect(planLabels((text) => table[text])).toBeUndefined();
    table['[[5]]'] = [7, 5, 9];
    expect(planLabels((text) => table[text])).toEqual({ prefix: [7], labelTokenIds: [1, 2, 3, 4, 5] });
  });

  it('reports a missing model folder as WeightsError', async () => {
    const error = await createRouter('causal_llm', { modelPath: path.join(root, 'nothing-here') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightsError);
  });
});

/** The text of ids below 256: the tiny vocabulary lists the 256 bytes in byte order, so an id is its byte. */
const bytesText = (ids: number[]) => Buffer.from(ids.filter((id) => id < 256)).toString('utf8');
