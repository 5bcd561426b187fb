/**
 * The contract every router must pass. Each router's test file calls `runRouterContract()`
 * with a factory; see src/routers/random/random.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveTensorCount } from '../core/backend.js';
import { InvalidInputError, InvalidThresholdError, RouteLLMError } from '../errors.js';
import type { Router } from './types.js';

export interface RouterContractOptions {
  /** Label for the describe block. */
  name: string;
  /** Builds a fresh router. Two calls must build routers that give the same scores (same seed / weights). */
  create: () => Promise<Router>;
  /** Prompts to score; defaults to a varied set of a dozen. */
  prompts?: string[];
  /** Tolerance for batch-versus-single equality. Default 1e-5. */
  tolerance?: number;
}

export const CONTRACT_PROMPTS = [
  'What is 2 + 2?',
  'Write a Python function that returns the n-th Fibonacci number using memoisation.',
  'Prove that there are infinitely many prime numbers.',
  'hi',
  'Translate "good morning" into French, German and Japanese.',
  'Explain the difference between TCP and UDP to a ten-year-old.',
  'Résumé: écris un poème sur la mer 🌊',
  'A train leaves at 3pm going 60 mph; another leaves at 4pm going 80 mph. When does the second catch up?',
  'Summarise the causes of the First World War in three bullet points.',
  'What is the capital of Australia?',
  'Design a distributed rate limiter for a global API with 1M requests per second; discuss consistency trade-offs.',
];

export function runRouterContract(options: RouterContractOptions): void {
  const prompts = options.prompts ?? CONTRACT_PROMPTS;
  const tolerance = options.tolerance ?? 1e-5;

  describe(`router contract: ${options.name}`, () => {
    let router: Router;
    let batch: Float32Array;

    beforeAll(async () => {
      router = await options.create();
      batch = await router.strongWinRates(prompts);
    });
    afterAll(async () => {
      await router?.dispose();
    });

    it('has a name', () => {
      expect(typeof router.name).toBe('string');
      expect(router.name.length).toBeGreaterThan(0);
    });

    it('gives one finite score in [0, 1] per prompt', () => {
      expect(batch).toBeInstanceOf(Float32Array);
      expect(batch.length).toBe(prompts.length);
      for (const score of batch) {
        expect(Number.isFinite(score)).toBe(true);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
      }
    });

    it('rejects an empty or whitespace-only prompt (one rule with chat requests), naming it', async () => {
      await expect(router.strongWinRates(['fine', ' \n'])).rejects.toMatchObject({ code: 'invalid_input', input: 'prompts[1]' });
      await expect(router.strongWinRate('')).rejects.toMatchObject({ code: 'invalid_input', input: 'prompts[0]' });
    });

    it('gives an empty result for an empty batch', async () => {
      expect((await router.strongWinRates([])).length).toBe(0);
    });

    it('scores a batch the same as one prompt at a time', async () => {
      for (let i = 0; i < prompts.length; i++) {
        const single = await router.strongWinRate(prompts[i]);
        expect(Math.abs(single - batch[i])).toBeLessThanOrEqual(tolerance);
      }
    });

    it('is deterministic: a second router built the same way agrees', async () => {
      const twin = await options.create();
      try {
        const again = await twin.strongWinRates(prompts);
        for (let i = 0; i < prompts.length; i++) expect(Math.abs(again[i] - batch[i])).toBeLessThanOrEqual(tolerance);
      } finally {
        await twin.dispose();
      }
    });

    it('routes monotonically in the threshold, strong exactly when score >= threshold', async () => {
      const thresholds = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1];
      for (let i = 0; i < Math.min(prompts.length, 4); i++) {
        let seenWeak = false;
        for (const threshold of thresholds) {
          const decision = await router.route(prompts[i], threshold);
          expect(decision).toBe(batch[i] >= threshold ? 'strong' : 'weak');
          if (decision === 'weak') seenWeak = true;
          else expect(seenWeak).toBe(false);
        }
      }
    });

    it('rejects thresholds outside [0, 1], NaN and non-numbers', async () => {
      for (const bad of [-0.01, 1.01, Number.NaN, Number.POSITIVE_INFINITY, '0.5' as unknown as number]) {
        await expect(router.route(prompts[0], bad)).rejects.toBeInstanceOf(InvalidThresholdError);
      }
    });

    it('rejects prompts that are not strings', async () => {
      await expect(router.strongWinRates([42 as unknown as string])).rejects.toBeInstanceOf(InvalidInputError);
      await expect(router.strongWinRates('text' as unknown as string[])).rejects.toBeInstanceOf(InvalidInputError);
    });

    it('leaks no tensors', async () => {
      await router.strongWinRates(prompts.slice(0, 3));
      const before = liveTensorCount();
      await router.strongWinRates(prompts);
      await router.strongWinRate(prompts[1]);
      expect(liveTensorCount()).toBe(before);
    });

    it('disposes: frees its tensors, later calls throw a RouteLLMError, a second dispose is harmless', async () => {
      const before = liveTensorCount();
      const extra = await options.create();
      await extra.strongWinRates(prompts.slice(0, 2));
      await extra.dispose();
      expect(liveTensorCount()).toBeLessThanOrEqual(before);
      await expect(extra.strongWinRates(prompts.slice(0, 1))).rejects.toBeInstanceOf(RouteLLMError);
      await extra.dispose();
    });
  });
}
