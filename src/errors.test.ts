import { describe, expect, it, vi } from 'vitest';
import { DataError } from './data/errors.js';
import { InvalidInputError, RouteLLMError, UnknownModelError, WeightsError } from './errors.js';

describe('error brands', () => {
  it('tell the classes apart across two copies of the module', async () => {
    vi.resetModules();
    const copy = await import('./errors.js');
    expect(copy.WeightsError).not.toBe(WeightsError);
    const fromCopy = new copy.WeightsError('missing', '/nowhere', 'no manifest');
    expect(fromCopy instanceof WeightsError).toBe(false);
    expect(WeightsError.isInstance(fromCopy)).toBe(true);
    expect(RouteLLMError.isInstance(fromCopy)).toBe(true);
    expect(UnknownModelError.isInstance(fromCopy)).toBe(false);
    expect(copy.UnknownModelError.isInstance(new UnknownModelError('x', ['y']))).toBe(true);
  });

  it('brand subclasses with their parents, not their siblings', () => {
    const data = new DataError('invalid', 'file.jsonl', 'bad line', 3);
    expect(DataError.isInstance(data)).toBe(true);
    expect(RouteLLMError.isInstance(data)).toBe(true);
    expect(InvalidInputError.isInstance(data)).toBe(false);
    expect(DataError.isInstance(new InvalidInputError('prompt', 'a string'))).toBe(false);
    expect(RouteLLMError.isInstance(new Error('plain'))).toBe(false);
    expect(RouteLLMError.isInstance(null)).toBe(false);
  });
});
