import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI as createOpenAIV3 } from '@ai-sdk/openai-v3';
import { createOpenAI } from '@ai-sdk/openai';
import { describe, expect, it } from 'vitest';
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

  it('refuses unknown keys, routerOptions beside a Router instance, and the N-model form for now', () => {
    expect((failure({ router: 'mf', threshold: 0.5, strong, weak, routeturns: 2 }) as Error).message).toContain('routeturns');
    expect((failure({ router: new KeywordRouter(), routerOptions: { seed: 1 }, threshold: 0.5, strong, weak }) as Error).message).toContain('routerOptions');
    const nModel = failure({ router: 'mf', models: { a: strong, b: weak }, prices: {}, knob: 0.5 });
    expect(nModel).toBeInstanceOf(InvalidOptionsError);
    expect((nModel as Error).message).toContain('N-model form');
    expect(failure({ router: 'mf', threshold: 0.5, strong, weak, routeTurns: 0 })).toBeInstanceOf(InvalidOptionsError);
    expect(failure(undefined)).toBeInstanceOf(RouteLLMError);
  });

  it('route() checks its text like every router', async () => {
    const model = createRoutedModel({ router: new KeywordRouter(), threshold: 0.5, strong, weak });
    await expect(model.route(42 as unknown as string)).rejects.toBeInstanceOf(InvalidInputError);
    expect(await model.route('prove it')).toMatchObject({ decision: 'strong', model: 'gpt-strong' });
  });
});
