import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { chooseModel, expectedCosts, type Candidate } from './index.js';

const models: Candidate[] = [
  { model: 'frontier', quality: 0.9, cost: 0.03 },
  { model: 'mid', quality: 0.8, cost: 0.004 },
  { model: 'small', quality: 0.55, cost: 0.0004 },
  { model: 'worse-and-dear', quality: 0.5, cost: 0.02 },
];

/** A deterministic pseudo-random sequence in [0, 1). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('chooseModel', () => {
  it('knob 0 takes the cheapest model, knob 1 the best predicted one', () => {
    expect(chooseModel(models, { knob: 0 }).model).toBe('small');
    expect(chooseModel(models, { knob: 1 }).model).toBe('frontier');
    expect(chooseModel(models, { knob: 0.75 })).toEqual({ model: 'mid', index: 1 });
  });

  it('never picks a model that is both dearer and worse than another', () => {
    for (let knob = 0; knob <= 1; knob += 0.01) expect(chooseModel(models, { knob }).model).not.toBe('worse-and-dear');
  });

  it.each(['log', 'linear'] as const)('is monotone in cost: a higher knob never chooses a cheaper model (%s cost scale)', (costScale) => {
    const random = lcg(7);
    for (let trial = 0; trial < 200; trial++) {
      const candidates = Array.from({ length: 2 + Math.floor(random() * 5) }, (_, i) => ({
        model: `m${i}`,
        quality: random(),
        cost: random() < 0.1 ? 0 : 10 ** (-4 + 3 * random()),
      }));
      let previous = -1;
      for (let knob = 0; knob <= 1.0000001; knob += 0.02) {
        const cost = candidates[chooseModel(candidates, { knob: Math.min(knob, 1), costScale }).index].cost;
        expect(cost).toBeGreaterThanOrEqual(previous);
        previous = cost;
      }
    }
  });

  it('the linear cost scale puts dollars on one scale: a mid model ten times dearer than the small one counts as nearly free next to the frontier', () => {
    // Log: mid sits a third of the way from small to frontier; linear: 0.0036 / 0.0296 of the way.
    expect(chooseModel(models, { knob: 0.6 }).model).toBe('small');
    expect(chooseModel(models, { knob: 0.6, costScale: 'linear' }).model).toBe('mid');
    expect(chooseModel(models, { knob: 0, costScale: 'linear' }).model).toBe('small');
    expect(chooseModel(models, { knob: 1, costScale: 'linear' }).model).toBe('frontier');
    expect(() => chooseModel(models, { knob: 0.5, costScale: 'cubic' as never })).toThrow(/costScale/);
  });

  it('withinBest takes the cheapest model within the margin of the best', () => {
    expect(chooseModel(models, { withinBest: 0 }).model).toBe('frontier');
    expect(chooseModel(models, { withinBest: 0.1 }).model).toBe('mid');
    expect(chooseModel(models, { withinBest: 0.35 }).model).toBe('small');
    expect(chooseModel(models, { withinBest: 1 }).model).toBe('small');
  });

  it('breaks quality ties toward the cheaper model', () => {
    const tied = [
      { model: 'a', quality: 0.7, cost: 2 },
      { model: 'b', quality: 0.7, cost: 1 },
    ];
    expect(chooseModel(tied, { knob: 1 }).model).toBe('b');
    expect(chooseModel(tied, { withinBest: 0 }).model).toBe('b');
  });

  it('rejects a knob outside [0, 1], one model only, and non-finite scores', () => {
    expect(() => chooseModel(models, { knob: 1.5 })).toThrow(/Invalid knob: expected a finite number in \[0, 1\], got 1.5/);
    expect(() => chooseModel(models, { knob: Number.NaN })).toThrow(InvalidInputError);
    expect(() => chooseModel(models, { withinBest: -0.1 })).toThrow(/withinBest/);
    expect(() => chooseModel(models.slice(0, 1), { knob: 0.5 })).toThrow(/at least two models/);
    expect(() => chooseModel([{ ...models[0], quality: Number.NaN }, models[1]], { knob: 0.5 })).toThrow(/quality of "frontier"/);
    expect(() => chooseModel([{ ...models[0], cost: -1 }, models[1]], { knob: 0.5 })).toThrow(/cost of "frontier"/);
  });
});

describe('expectedCosts', () => {
  const prices = { a: { input: 10, output: 30 }, b: { input: 0.5, output: 1.5 } };

  it('prices the input tokens and each model\'s expected output tokens', () => {
    expect(expectedCosts(['a', 'b'], prices, 1000, { outputTokens: { a: 500 }, defaultOutputTokens: 100 })).toEqual([
      (1000 * 10 + 500 * 30) / 1e6,
      (1000 * 0.5 + 100 * 1.5) / 1e6,
    ]);
  });

  it('names the model without a price', () => {
    expect(() => expectedCosts(['a', 'c'], prices, 10)).toThrow(/price of "c"/);
  });
});
