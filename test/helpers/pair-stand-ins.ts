/**
 * The strong/weak stand-ins of the AI SDK tests: an OpenAI server (the strong model, `gpt-strong`)
 * and an Anthropic server (the weak one, `claude-weak`) on 127.0.0.1, started before a test file
 * and closed after it, their records cleared after each test; and a routed model over them.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createRoutedModel } from '../../src/ai-sdk/index.js';
import type { RoutableLanguageModel } from '../../src/ai-sdk/options.js';
import { startFakeAnthropicServer, type FakeAnthropicServer } from './fake-anthropic-server.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';
import { KeywordRouter } from './routing-fixtures.js';

/** The two running servers (set once the file's `beforeAll` ran). */
export interface PairStandIns {
  openai: FakeOpenAIServer;
  anthropic: FakeAnthropicServer;
  /** Requests each server received: [strong (OpenAI), weak (Anthropic)]. */
  counts(): [number, number];
}

/** Registers the hooks that start, clear and close the two servers in the calling test file. */
export function usePairStandIns(): PairStandIns {
  const stand = { counts: () => [stand.openai.requests.length, stand.anthropic.requests.length] } as PairStandIns;
  beforeAll(async () => {
    [stand.openai, stand.anthropic] = await Promise.all([startFakeOpenAIServer(), startFakeAnthropicServer()]);
  });
  afterEach(() => {
    stand.openai.reset();
    stand.anthropic.requests.length = 0;
  });
  afterAll(async () => {
    await Promise.all([stand.openai.close(), stand.anthropic.close()]);
  });
  return stand;
}

/** The provider factories of one AI SDK major version: `@ai-sdk/openai` and `@ai-sdk/anthropic`, or their 3.x aliases. */
export interface PairProviders<Model extends RoutableLanguageModel> {
  createOpenAI(settings: { baseURL: string; apiKey: string }): { chat(modelId: string): Model };
  createAnthropic(settings: { baseURL: string; apiKey: string }): (modelId: string) => Model;
}

/** A routed model over the stand-ins, with the keyword router at threshold 0.5 (hard prompts go to `gpt-strong`). */
export function routedPair<Model extends RoutableLanguageModel>(stand: PairStandIns, providers: PairProviders<Model>, options: { fallback?: boolean } = {}) {
  return createRoutedModel({
    router: new KeywordRouter(),
    threshold: 0.5,
    strong: providers.createOpenAI({ baseURL: stand.openai.baseURL, apiKey: 'test' }).chat('gpt-strong'),
    weak: providers.createAnthropic({ baseURL: `${stand.anthropic.url}/v1`, apiKey: 'test' })('claude-weak'),
    ...options,
  });
}
