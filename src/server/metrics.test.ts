import { describe, expect, it } from 'vitest';
import { policyLabel } from './metrics.js';

describe('policyLabel', () => {
  it('keeps the usual values exact and rounds the rest to the nearest 0.05', () => {
    expect([0, 0.3, 0.05, 1].map((knob) => policyLabel({ knob }))).toEqual(['knob=0', 'knob=0.3', 'knob=0.05', 'knob=1']);
    expect(policyLabel({ knob: 0.8123 })).toBe('knob=0.8');
    expect(policyLabel({ knob: 0.126 })).toBe('knob=0.15');
    expect(policyLabel({ within_best: 0.02 })).toBe('within_best=0');
    expect(policyLabel({ within_best: 0.1 })).toBe('within_best=0.1');
  });

  it('has at most 21 values per rule, whatever floats the requests send', () => {
    const knobs = new Set<string>();
    const margins = new Set<string>();
    for (let i = 0; i <= 10_000; i++) {
      knobs.add(policyLabel({ knob: i / 10_000 }));
      margins.add(policyLabel({ within_best: Math.random() }));
    }
    expect(knobs.size).toBe(21);
    expect(margins.size).toBeLessThanOrEqual(21);
  });
});
