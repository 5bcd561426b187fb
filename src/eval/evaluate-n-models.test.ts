import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import type { Router } from '../routers/types.js';
import { evaluateNModels, formatNModelTable } from './evaluate-n-models.js';
import { renderNModelPlotSvg } from './n-model-plot.js';
import type { NModelTable } from './n-model-table.js';

/** Four prompts: the cheap model is right on the first two, the dear one on all four. */
const table: NModelTable = {
  models: ['cheap', 'dear'],
  prompts: ['a', 'b', 'c', 'd'],
  count: 4,
  quality: Float64Array.from([1, 1, 1, 1, 0, 1, 0, 1]),
  cost: Float64Array.from([1, 10, 1, 10, 1, 10, 1, 10]),
  costSource: 'prices',
  skippedRows: 0,
};

describe('evaluateNModels', () => {
  it('a router that knows where the cheap model fails beats the hull; one that knows nothing equals it at best', async () => {
    const knowing = Float32Array.from([0.9, 0.9, 0.9, 0.9, 0.1, 0.9, 0.1, 0.9]);
    const blind = Float32Array.from([0.5, 0.9, 0.5, 0.9, 0.5, 0.9, 0.5, 0.9]);
    const result = await evaluateNModels({ table, routers: [{ name: 'knowing', scores: knowing }, { name: 'blind', scores: blind }], costScale: 'linear' });
    expect(result.singles.map((p) => [p.model, p.cost, p.quality])).toEqual([
      ['cheap', 1, 0.5],
      ['dear', 10, 1],
    ]);
    // Hull: the line from (1, 0.5) to (10, 1), mean 0.75.
    expect(result.singleHull.aiq).toBeCloseTo(0.75, 3);
    // Knowing: quality 1 at cost 5.5, flat after: mean over [1, 10] = (4.5 x 0.75 + 4.5 x 1) / 9.
    expect(result.routers.knowing.aiq).toBeCloseTo(0.875, 3);
    expect(result.routers.knowing.shareAboveHull).toBeGreaterThan(0.99);
    expect(result.routers.blind.aiq).toBeCloseTo(0.75, 3);
    expect(result.routers.blind.shareAboveHull).toBe(0);
    expect(result.oracle.aiq).toBeCloseTo(0.875, 3);
    expect(result.costScale).toBe('linear');
    expect(formatNModelTable(result)).toMatch(/knowing\s+AIQ 0\.87\d\d\s+above the hull on 100%/);
    expect(renderNModelPlotSvg(result)).toContain('data-router="knowing"');
  });

  it('refuses a router that scores a pair only', async () => {
    // A pair router as any application may write one: the Router contract without modelScores.
    const pairOnly: Router = {
      name: 'pair-only',
      strongWinRates: async (prompts) => new Float32Array(prompts.length).fill(0.5),
      strongWinRate: async () => 0.5,
      route: async () => 'strong',
      dispose: async () => {},
    };
    await expect(evaluateNModels({ table, routers: [{ name: 'pair-only', router: pairOnly }] })).rejects.toBeInstanceOf(InvalidInputError);
  });
});
