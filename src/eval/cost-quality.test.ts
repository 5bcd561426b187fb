import { describe, expect, it } from 'vitest';
import { areaMeasure, hullQualityAt, knobSweep, shareAbove, singleModelPoints, singleModelRange, upperHull } from './cost-quality.js';

describe('cost-quality curves', () => {
  it('upperHull keeps the non-decreasing upper convex hull', () => {
    const hull = upperHull([
      { cost: 1, quality: 0.5 },
      { cost: 2, quality: 0.55 }, // below the chord (1, 0.5) -> (3, 0.7)
      { cost: 3, quality: 0.7 },
      { cost: 4, quality: 0.65 }, // worse and dearer
      { cost: 10, quality: 0.8 },
      { cost: 1, quality: 0.4 }, // same cost, worse
    ]);
    expect(hull.map((p) => [p.cost, p.quality])).toEqual([
      [1, 0.5],
      [3, 0.7],
      [10, 0.8],
    ]);
    expect(hullQualityAt(hull, 2)).toBeCloseTo(0.6, 12);
    expect(hullQualityAt(hull, 20)).toBe(0.8);
    expect(hullQualityAt(hull, 0.5)).toBeNaN();
  });

  it('areaMeasure is the mean of the hull over the range; shareAbove compares two hulls on it', () => {
    const line = [
      { cost: 0, quality: 0 },
      { cost: 10, quality: 1 },
    ];
    const range = { low: 0, high: 10, floor: 0 };
    expect(areaMeasure(line, range)).toBeCloseTo(0.5, 9);
    const bent = upperHull([...line, { cost: 5, quality: 0.9 }]);
    // Two trapezoids: 5 * (0 + 0.9) / 2 + 5 * (0.9 + 1) / 2, over 10.
    expect(areaMeasure(bent, range)).toBeCloseTo(0.7, 9);
    expect(shareAbove(bent, line, range)).toBeGreaterThan(0.99);
    expect(shareAbove(line, bent, range)).toBe(0);
    // Below its cheapest point a curve counts as the floor.
    const late = [{ cost: 5, quality: 1 }];
    expect(areaMeasure(late, { low: 0, high: 10, floor: 0.2 })).toBeCloseTo(0.6, 2);
  });

  it('knobSweep: knob 0 takes the cheapest model, knob 1 the best predicted; singles and range from the table', () => {
    // Two prompts, three models; model b is right on prompt 0 only, c on both, a on neither.
    const table = {
      models: ['a', 'b', 'c'],
      count: 2,
      quality: Float64Array.from([0, 1, 1, 0, 0, 1]),
      cost: Float64Array.from([1, 2, 10, 1, 2, 10]),
    };
    const oracle = knobSweep(table, table.quality, [0, 0.5, 1]);
    expect(oracle[0]).toMatchObject({ knob: 0, cost: 1, quality: 0 });
    // Halfway, prompt 0 goes to b (right and cheaper than c), prompt 1 to a (c's cost outweighs it).
    expect(oracle[1]).toMatchObject({ cost: 1.5, quality: 0.5 });
    // At 1 the best, ties to the cheaper: b then c.
    expect(oracle[2]).toMatchObject({ cost: 6, quality: 1 });
    const singles = singleModelPoints(table);
    expect(singles.map((p) => [p.model, p.cost, p.quality])).toEqual([
      ['a', 1, 0],
      ['b', 2, 0.5],
      ['c', 10, 1],
    ]);
    expect(singleModelRange(singles)).toEqual({ low: 1, high: 10, floor: 0 });
    // A decision cost that differs from the paid one: the policy sees c as cheap.
    const fooled = knobSweep({ ...table, decisionCost: Float64Array.from([1, 2, 0.5, 1, 2, 0.5]) }, table.quality, [0]);
    expect(fooled[0]).toMatchObject({ cost: 10, quality: 1 });
    expect(() => knobSweep(table, new Float32Array(5))).toThrow(RangeError);
  });
});
