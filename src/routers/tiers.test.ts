import { describe, expect, it } from 'vitest';
import { assignTiers, splitSortedIntoTiers, tierCost } from './tiers.js';

function populationVariance(values: number[]): number {
  const mean = values.reduce((s, x) => s + x, 0) / values.length;
  return values.reduce((s, x) => s + (x - mean) ** 2, 0) / values.length;
}

/** Every split of `n` sorted values into exactly `groups` non-empty contiguous groups, cheapest first. */
function bruteForce(values: number[], groups: number): { cost: number; tiers: number[] } {
  let best = { cost: Infinity, tiers: [] as number[] };
  const n = values.length;
  const visit = (start: number, group: number, tiers: number[], cost: number) => {
    if (group === groups - 1) {
      const total = cost + populationVariance(values.slice(start));
      if (total < best.cost - 1e-12) best = { cost: total, tiers: [...tiers, ...Array(n - start).fill(group)] };
      return;
    }
    for (let end = start; end <= n - (groups - group); end++) {
      visit(end + 1, group + 1, [...tiers, ...Array(end - start + 1).fill(group)], cost + populationVariance(values.slice(start, end + 1)));
    }
  };
  visit(0, 0, [], 0);
  return best;
}

describe('tier split', () => {
  it('equals brute force on small random rating lists', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + Math.floor(random() * 10);
      const values = Array.from({ length: n }, () => 700 + random() * 600).sort((a, b) => b - a);
      const numTiers = 1 + Math.floor(random() * 6);
      const groups = Math.min(numTiers, n);
      const expected = bruteForce(values, groups);
      const tiers = splitSortedIntoTiers(values, numTiers);
      expect(Math.abs(tierCost(values, tiers) - expected.cost)).toBeLessThan(1e-9);
      expect([...tiers]).toEqual(expected.tiers);
      expect(new Set(tiers).size).toBe(groups);
    }
  });

  it('keeps clear clusters together, top rated in tier 0', () => {
    const ratings = [1300, 1290, 1100, 1095, 1090, 800];
    expect([...splitSortedIntoTiers(ratings, 3)]).toEqual([0, 0, 1, 1, 1, 2]);
  });

  it('assigns tiers by rating whatever the input order', () => {
    const tiers = assignTiers(['weak', 'top', 'mid', 'top2'], [900, 1300, 1100, 1290], 3);
    expect([...tiers]).toEqual([2, 0, 1, 0]);
  });
});
