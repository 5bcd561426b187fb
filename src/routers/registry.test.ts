import { describe, expect, it } from 'vitest';
import { InvalidModelStringError, InvalidThresholdError, UnknownRouterError } from '../errors.js';
import { parseRouterModel } from './model-string.js';
import { createRouter, ROUTER_NAMES } from './registry.js';

describe('createRouter', () => {
  it('names the valid routers for an unknown name', async () => {
    // @ts-expect-error an unknown name is a compile error too; checked here at run time
    const error = await createRouter('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownRouterError);
    for (const name of ROUTER_NAMES) expect((error as Error).message).toContain(name);
    expect((error as UnknownRouterError).available).toEqual(ROUTER_NAMES);
  });
});

describe('parseRouterModel', () => {
  it('parses names, aliases and thresholds with exponents', () => {
    expect(parseRouterModel('router-random-0.5')).toEqual({ router: 'random', threshold: 0.5 });
    expect(parseRouterModel('router-random-1e-05')).toEqual({ router: 'random', threshold: 1e-5 });
    expect(parseRouterModel('router-random-.25')).toEqual({ router: 'random', threshold: 0.25 });
    expect(parseRouterModel('router-my-custom-0.3', ['my-custom'])).toEqual({ router: 'my-custom', threshold: 0.3 });
  });

  it('rejects malformed strings with typed errors', () => {
    expect(() => parseRouterModel('router-random')).toThrow(InvalidModelStringError);
    expect(() => parseRouterModel('router--0.5')).toThrow(InvalidModelStringError);
    expect(() => parseRouterModel('router-random-abc')).toThrow(InvalidModelStringError);
    expect(() => parseRouterModel('gpt-4')).toThrow(InvalidModelStringError);
    expect(() => parseRouterModel('router-random-1.5')).toThrow(InvalidThresholdError);
    expect(() => parseRouterModel('router-unknown-0.5')).toThrow(UnknownRouterError);
  });
});
