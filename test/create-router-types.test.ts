// Type-checked by `npm run typecheck` (tsc --strict over test/): each `@ts-expect-error` line must
// fail to compile, or the check fails. The runtime checks below show the same calls throw.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createRouter, InvalidOptionsError, UnknownRouterError, type ControllerOptions, type RouterOptionsFor } from '../src/index.js';

describe('createRouter is typed by router name', () => {
  it('a misspelt router name or option does not compile (and throws at run time)', async () => {
    // @ts-expect-error 'ridgee' is not a router
    await expect(createRouter('ridgee')).rejects.toBeInstanceOf(UnknownRouterError);
    // @ts-expect-error `sead` is not an option of the random router
    await expect(createRouter('random', { sead: 1 })).rejects.toBeInstanceOf(InvalidOptionsError);
    // @ts-expect-error `numTiers` is an sw_ranking option, not an mf one
    await expect(createRouter('mf', { numTiers: 3 })).rejects.toBeInstanceOf(InvalidOptionsError);
    // @ts-expect-error the seed is a number
    await expect(createRouter('random', { seed: '1' })).rejects.toBeInstanceOf(InvalidOptionsError);
  });

  it('names, aliases and names known only at run time compile', async () => {
    const random = await createRouter('random', { seed: 1 });
    expect(random.name).toBe('random');
    await random.dispose();
    const fromConfig: string = ['random'][0];
    const dynamic = await createRouter(fromConfig, { seed: 2 });
    expect(dynamic.name).toBe('random');
    await dynamic.dispose();
    expectTypeOf<RouterOptionsFor<'sw-ranking'>>().toEqualTypeOf<RouterOptionsFor<'sw_ranking'>>();
    expectTypeOf<RouterOptionsFor<'mf'>>().toHaveProperty('strongModel');
    expectTypeOf<RouterOptionsFor<'random'>>().not.toHaveProperty('strongModel');
  });
});

describe('Controller options are typed by router name', () => {
  it('config takes each router\'s own options under its name', () => {
    const base = { routers: ['random', 'mf'], strongModel: 'gpt-4o', weakModel: 'gpt-4o-mini' };
    const good: ControllerOptions = { ...base, config: { random: { seed: 1 }, mf: { strongModel: 'gpt-4' }, 'sw-ranking': { numTiers: 3 } } };
    // @ts-expect-error `sead` is not an option of the random router
    const misspeltOption: ControllerOptions = { ...base, config: { random: { sead: 1 } } };
    // @ts-expect-error 'ridgee' is not a router
    const misspeltRouter: ControllerOptions = { ...base, config: { ridgee: {} } };
    expectTypeOf(good.config).toEqualTypeOf<ControllerOptions['config']>();
    expect([misspeltOption.config, misspeltRouter.config]).toHaveLength(2);
  });
});
