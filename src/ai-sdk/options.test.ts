import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI as createOpenAIV3 } from '@ai-sdk/openai-v3';
import { createOpenAI } from '@ai-sdk/openai';
import { describe, expect, it } from 'vitest';
import { TableRouter } from '../../test/helpers/four-models.js';
import { KeywordRouter } from '../../test/helpers/routing-fixtures.js';
import {
  InvalidInputError,
  InvalidModelStringError,
  InvalidOptionsError,
  InvalidThresholdError,
  RouteLLMError,
  UnknownRouterError,
} from '../errors.js';
import { createRoutedModel } from './index.js';

// Never called: these tests fail before any request.
const unreachable = 'http://127.0.0.1:9/v1';
const strong = createOpenAI({ baseURL: unreachable, apiKey: 'test' }).chat('gpt-strong');
const weak = createAnthropic({ baseURL: unreachable, apiKey: 'test' })('claude-weak');

function failure(options: unknown): unknown {
  try {
    createRoutedModel(options as Parameters<typeof createRoutedModel>[0]);
  } catch (error) {
    return error;
  }
  throw new Error('createRoutedModel accepted the options');
}

describe('createRoutedModel options', () => {
  it('names the router and threshold in modelId, with the provider "routellm"', () => {
    const model = createRoutedModel({ router: 'sw-ranking', threshold: 0.3, strong, weak });
    expect([model.modelId, model.provider, model.router, model.threshold]).toEqual(['router-sw_ranking-0.3', 'routellm', 'sw_ranking', 0.3]);
    expect(createRoutedModel({ router: 'router-causal-llm-1e-05', strong, weak }).modelId).toBe('router-causal_llm-0.00001');
    expect(createRoutedModel({ router: new KeywordRouter(), threshold: { threshold: 0.5 }, strong, weak }).modelId).toBe('router-keyword-0.5');
  });

  it('throws UnknownRouterError for an unknown router name, listing the valid ones', () => {
    const error = failure({ router: 'nope', threshold: 0.5, strong, weak });
    expect(error).toBeInstanceOf(UnknownRouterError);
    expect((error as UnknownRouterError).available).toContain('mf');
    expect(failure({ router: 'router-nope-0.5', strong, weak })).toBeInstanceOf(UnknownRouterError);
  });

  it('throws InvalidModelStringError and InvalidThresholdError for bad model strings and thresholds', () => {
    expect(failure({ router: 'router-mf-abc', strong, weak })).toBeInstanceOf(InvalidModelStringError);
    expect(failure({ router: 'router-mf-1.5', strong, weak })).toBeInstanceOf(InvalidThresholdError);
    expect(failure({ router: 'mf', threshold: 1.5, strong, weak })).toBeInstanceOf(InvalidThresholdError);
    expect((failure({ router: 'mf', threshold: Number.NaN, strong, weak }) as Error).message).toMatch(/expected a number in \[0, 1\] or a calibrateThreshold\(\) result[\s\S]*at threshold/);
    expect(failure({ router: 'mf', threshold: { threshold: -0.1, strongModelPct: 0.5 }, strong, weak })).toBeInstanceOf(InvalidThresholdError);
  });

  it('takes fallback (default on) and, among N models, fallbackOrder; refuses other values and fallbackOrder on a pair', () => {
    expect(createRoutedModel({ router: new KeywordRouter(), threshold: 0.5, strong, weak }).fallback).toBe(true);
    expect(createRoutedModel({ router: new KeywordRouter(), threshold: 0.5, strong, weak, fallback: false }).fallback).toBe(false);
    expect((failure({ router: new KeywordRouter(), threshold: 0.5, strong, weak, fallback: 'yes' }) as Error).message).toMatch(/expected boolean[\s\S]*at fallback/);
    expect((failure({ router: new KeywordRouter(), threshold: 0.5, strong, weak, fallbackOrder: 'listed' }) as Error).message).toMatch(/fallbackOrder/);
    const models = { a: strong, b: weak };
    const prices = { a: { input: 1, output: 2 }, b: { input: 0.1, output: 0.2 } };
    expect(createRoutedModel({ router: new TableRouter(), models, prices, knob: 0.5, fallback: false }).fallback).toBe(false);
    expect((failure({ router: new TableRouter(), models, prices, knob: 0.5, fallbackOrder: 'random' }) as Error).message).toMatch(/"policy"\|"listed"[\s\S]*at fallbackOrder/);
  });

  it('asks for the threshold once: required with a router name, refused next to a model string', () => {
    const missing = failure({ router: 'mf', strong, weak });
    expect(missing).toBeInstanceOf(InvalidOptionsError);
    expect((missing as Error).message).toContain('threshold: required');
    const twice = failure({ router: 'router-mf-0.2', threshold: 0.2, strong, weak });
    expect((twice as Error).message).toContain('threshold: given twice');
  });

  it('refuses what is not an AI SDK language model, saying which field', () => {
    const error = failure({ router: 'mf', threshold: 0.5, strong: 'gpt-4o', weak });
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as Error).message).toMatch(/AI SDK language model[\s\S]*at strong/);
    const v2 = { ...Object.fromEntries(Object.entries(weak)), specificationVersion: 'v2', doGenerate: weak.doGenerate, doStream: weak.doStream };
    expect((failure({ router: 'mf', threshold: 0.5, strong, weak: v2 }) as Error).message).toMatch(/specification v3[\s\S]*at weak/);
    expect(failure({ router: 42, threshold: 0.5, strong, weak })).toBeInstanceOf(InvalidOptionsError);
  });

  it('refuses a strong and a weak model of different specification versions', () => {
    const v3 = createOpenAIV3({ baseURL: unreachable, apiKey: 'test' }).chat('gpt-old');
    const error = failure({ router: 'mf', threshold: 0.5, strong: v3, weak });
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as Error).message).toContain('implements the AI SDK language-model specification v3');
  });

  it('refuses unknown keys and routerOptions beside a Router instance', () => {
    expect((failure({ router: 'mf', threshold: 0.5, strong, weak, routeturns: 2 }) as Error).message).toContain('routeturns');
    expect((failure({ router: new KeywordRouter(), routerOptions: { seed: 1 }, threshold: 0.5, strong, weak }) as Error).message).toContain('routerOptions');
    expect(failure({ router: 'mf', threshold: 0.5, strong, weak, routeTurns: 0 })).toBeInstanceOf(InvalidOptionsError);
    expect(failure(undefined)).toBeInstanceOf(RouteLLMError);
  });

  it('route() checks its text like every router', async () => {
    const model = createRoutedModel({ router: new KeywordRouter(), threshold: 0.5, strong, weak });
    await expect(model.route(42 as unknown as string)).rejects.toBeInstanceOf(InvalidInputError);
    expect(await model.route('prove it')).toMatchObject({ decision: 'strong', model: 'gpt-strong' });
  });
});

describe('createRoutedModel options, N-model form', () => {
  const models = { 'gpt-4o': strong, 'claude-3-5-haiku-latest': weak, 'llama-8b': createOpenAI({ baseURL: unreachable, apiKey: 'test' }).chat('llama-8b') };
  const prices = { 'gpt-4o': { input: 2.5, output: 10 }, 'claude-3-5-haiku-latest': { input: 0.8, output: 4 }, 'llama-8b': { input: 0.05, output: 0.1 } };
  const message = (options: Record<string, unknown>) => (failure({ models, prices, ...options }) as Error).message;

  it('names the router and the policy in modelId, from fields or a model string', () => {
    const byKnob = createRoutedModel({ router: 'quality', models, prices, knob: 0.7 });
    expect([byKnob.modelId, byKnob.router, byKnob.policy, byKnob.models]).toEqual(['router-quality-0.7', 'quality', { knob: 0.7 }, models]);
    expect(createRoutedModel({ router: 'sw-ranking', models, prices, withinBest: 0.05 }).modelId).toBe('router-sw_ranking-within-0.05');
    expect(createRoutedModel({ router: 'router-mf-0.3', models, prices }).policy).toEqual({ knob: 0.3 });
    expect(createRoutedModel({ router: 'router-random-within-0.1', models, prices }).policy).toEqual({ withinBest: 0.1 });
    expect(createRoutedModel({ router: new TableRouter(), models, prices, knob: 1 }).modelId).toBe('router-table-1');
  });

  it('refuses a router that scores a pair only, by name, model string or instance, naming the routers that can', () => {
    for (const router of ['ridge', 'bert', 'causal_llm', 'router-ridge-0.5', new KeywordRouter()]) {
      const error = failure({ router, models, prices, ...(typeof router === 'string' && router.startsWith('router-') ? {} : { knob: 0.5 }) });
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as Error).message).toMatch(/scores a strong\/weak pair only[\s\S]*quality/);
    }
  });

  it('refuses a knob or margin outside [0, 1], in a field or in the model string', () => {
    expect(message({ router: 'quality', knob: 1.5 })).toMatch(/knob/);
    expect(failure({ models, prices, router: 'quality', knob: -0.1 })).toBeInstanceOf(InvalidOptionsError);
    expect(message({ router: 'quality', withinBest: 2 })).toMatch(/withinBest/);
    const inString = failure({ models, prices, router: 'router-quality-1.5' });
    expect(inString).toBeInstanceOf(InvalidInputError);
    expect((inString as InvalidInputError).input).toBe('knob');
    expect(failure({ models, prices, router: 'router-quality-within-x' })).toBeInstanceOf(InvalidModelStringError);
    expect(failure({ models, prices, router: 'router-nope-0.5' })).toBeInstanceOf(UnknownRouterError);
  });

  it('asks for exactly one policy: knob or withinBest, or a model string alone', () => {
    expect(message({ router: 'quality' })).toContain('give either knob');
    expect(message({ router: 'quality', knob: 0.5, withinBest: 0.1 })).toContain('give either knob');
    expect(message({ router: 'router-quality-0.5', knob: 0.5 })).toContain('knob: given twice');
    expect(message({ router: 'router-quality-0.5', withinBest: 0.1 })).toContain('withinBest: given twice');
  });

  it('refuses a model without a price, a bad price, one model, and models of two specification versions', () => {
    const missing = failure({ router: 'quality', knob: 0.5, models, prices: { 'gpt-4o': prices['gpt-4o'] } });
    expect(missing).toBeInstanceOf(InvalidOptionsError);
    expect((missing as Error).message).toContain('no price for "claude-3-5-haiku-latest", "llama-8b"');
    expect(message({ router: 'quality', knob: 0.5, prices: { ...prices, 'gpt-4o': { input: -1, output: 1 } } })).toMatch(/prices/);
    expect(message({ router: 'quality', knob: 0.5, models: { 'gpt-4o': strong } })).toContain('at least two models');
    const v3 = createOpenAIV3({ baseURL: unreachable, apiKey: 'test' }).chat('gpt-old');
    expect(message({ router: 'quality', knob: 0.5, models: { ...models, 'gpt-4o': v3 } })).toContain('specification v3');
    expect(message({ router: 'quality', knob: 0.5, models: { ...models, 'gpt-4o': 'gpt-4o' } })).toMatch(/AI SDK language model/);
    expect(message({ router: new TableRouter(), knob: 0.5, routerOptions: { seed: 1 } })).toContain('routerOptions');
  });

  it('route() checks its text', async () => {
    const model = createRoutedModel({ router: new TableRouter(), models: { 'gpt-4o': strong, 'llama-8b': models['llama-8b'] }, prices, knob: 1 });
    await expect(model.route(42 as unknown as string)).rejects.toBeInstanceOf(InvalidInputError);
    expect(await model.route('a hard one')).toMatchObject({ chosen: 'gpt-4o', model: 'gpt-strong', provider: 'openai.chat' });
  });
});
