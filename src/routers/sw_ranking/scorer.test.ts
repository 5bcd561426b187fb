import { describe, expect, it, vi } from 'vitest';
import { Int8VectorIndex } from '../../core/int8-vector-index.js';
import { mulberry32 } from '../../train/random.js';
import type { BattleIndex } from './battle-index.js';
import { TierScorer, type SameTierBattles } from './scorer.js';

const DIMENSION = 32;

interface Case {
  prompts: number;
  battles: number;
  models: number;
  seed: number;
  /** Prompts no battle uses (left out of the max). */
  unreferenced?: number;
  /** Per-battle weights, some 0. */
  weighted?: boolean;
  /** Every row's first code large and positive: a query along -e0 has all similarities < 0. */
  positiveAxis?: boolean;
}

function randomSet({ prompts, battles, models, seed, unreferenced = 0, weighted = false, positiveAxis = false }: Case) {
  const next = mulberry32(seed);
  const codes = Int8Array.from({ length: prompts * DIMENSION }, (_, i) =>
    positiveAxis && i % DIMENSION === 0 ? 120 : Math.round((next() - 0.5) * (positiveAxis ? 30 : 254)),
  );
  const used = prompts - unreferenced;
  const index = {
    promptCount: prompts,
    battlePrompt: Uint32Array.from({ length: battles }, () => Math.floor(next() * used)),
    battleModelA: new Uint32Array(battles),
    battleModelB: new Uint32Array(battles),
    // Many ties (2, 3) to exercise the split entries.
    battleWinner: Uint8Array.from({ length: battles }, () => Math.floor(next() * 4)),
    ...(weighted ? { battleWeight: Float32Array.from({ length: battles }, () => (next() < 0.2 ? 0 : next() * 2)) } : {}),
  } as unknown as BattleIndex;
  for (let n = 0; n < battles; n++) {
    const a = Math.floor(next() * models);
    let b = Math.floor(next() * (models - 1));
    if (b >= a) b++;
    index.battleModelA[n] = a;
    index.battleModelB[n] = b;
  }
  // Models 2 per tier, so that same-tier battles occur.
  const modelTiers = Int32Array.from({ length: models }, (_, m) => Math.floor(m / 2));
  return { index, modelTiers, rows: Int8VectorIndex.create(codes, prompts, DIMENSION), next };
}

describe('TierScorer.fitBins (the WebAssembly weights and counts)', () => {
  it.each([
    { prompts: 7, battles: 40, models: 6, seed: 1 },
    { prompts: 501, battles: 900, models: 10, seed: 2, unreferenced: 37 },
    { prompts: 1203, battles: 1203, models: 12, seed: 3, weighted: true },
    { prompts: 2000, battles: 5000, models: 20, seed: 4, unreferenced: 1, weighted: true },
  ] satisfies Case[])('gives the tier ratings of the JavaScript path exactly: $prompts prompts, $battles battles', (set) => {
    for (const sameTierBattles of ['drop', 'anchor'] satisfies SameTierBattles[]) {
      const { index, modelTiers, rows, next } = randomSet(set);
      const scorer = new TierScorer(index, modelTiers, { sameTierBattles });
      const bins = scorer.binsFor(rows);
      const queries = Float32Array.from({ length: 4 * DIMENSION }, () => next() - 0.5);
      queries.fill(0, 3 * DIMENSION); // a zero query: every similarity 0, all weights gamma
      const view = rows.similaritiesView(queries, 4);
      for (let q = 0; q < 4; q++) {
        const similarities = view.subarray(q * set.prompts, (q + 1) * set.prompts);
        const plain = scorer.fitSimilarities(similarities.slice());
        expect(scorer.fitBins(bins, similarities)).toEqual(plain);
        // Finite ratings for every query, the zero query (all weights gamma) included.
        expect(Array.from(plain).every(Number.isFinite)).toBe(true);
      }
      rows.dispose();
    }
  });

  it('all similarities <= 0: every weight is gamma (the unweighted fit), as in JavaScript', () => {
    const { index, modelTiers, rows } = randomSet({ prompts: 300, battles: 800, models: 8, seed: 5, positiveAxis: true });
    const scorer = new TierScorer(index, modelTiers, { gamma: 7 });
    const bins = scorer.binsFor(rows);
    const query = new Float32Array(DIMENSION);
    query[0] = -1;
    const similarities = rows.similaritiesView(query, 1);
    expect(Math.max(...similarities)).toBeLessThan(0);
    const unweighted = scorer.fitSimilarities(new Float32Array(300).fill(-0.5));
    expect(scorer.fitBins(bins, similarities)).toEqual(unweighted);
    expect(scorer.fitSimilarities(similarities.slice())).toEqual(unweighted);
    rows.dispose();
  });

  it('equal similarities (ties at the max) weigh the same in both paths', () => {
    const set = { prompts: 64, battles: 300, models: 6, seed: 6 };
    const { index, modelTiers, next } = randomSet(set);
    // 64 rows that are 8 copies of 8 directions: every similarity comes 8 times, the max too.
    const base = Int8Array.from({ length: 8 * DIMENSION }, () => Math.round((next() - 0.5) * 254));
    const codes = new Int8Array(64 * DIMENSION);
    for (let r = 0; r < 64; r++) codes.set(base.subarray((r % 8) * DIMENSION, (r % 8 + 1) * DIMENSION), r * DIMENSION);
    const rows = Int8VectorIndex.create(codes, 64, DIMENSION);
    const scorer = new TierScorer(index, modelTiers, { sameTierBattles: 'anchor' });
    const bins = scorer.binsFor(rows);
    const similarities = rows.similaritiesView(Float32Array.from(base.subarray(0, DIMENSION)), 1);
    expect(similarities.filter((s) => s === similarities[0]).length).toBe(8);
    expect(scorer.fitBins(bins, similarities)).toEqual(scorer.fitSimilarities(similarities.slice()));
    rows.dispose();
  });

  it('refuses an index of another size', () => {
    const { index, modelTiers } = randomSet({ prompts: 10, battles: 20, models: 4, seed: 7 });
    const other = Int8VectorIndex.create(new Int8Array(11 * DIMENSION), 11, DIMENSION);
    expect(() => new TierScorer(index, modelTiers).binsFor(other)).toThrow(/11 rows for 10 prompts/);
    other.dispose();
  });
});

describe('TierScorer without WebAssembly (the JavaScript fallback)', () => {
  it('fits the same ratings with Math.exp weights, and the int8 kernel reports itself unavailable', async () => {
    const { index, modelTiers, rows, next } = randomSet({ prompts: 400, battles: 1000, models: 8, seed: 8, unreferenced: 5 });
    const similarities = rows.similaritiesView(Float32Array.from({ length: DIMENSION }, () => next() - 0.5), 1).slice();
    rows.dispose();
    const withWasm = new TierScorer(index, modelTiers, { sameTierBattles: 'anchor' }).fitSimilarities(similarities);
    vi.resetModules();
    vi.stubGlobal('WebAssembly', undefined);
    try {
      const fallback = await import('./scorer.js');
      const kernels = await import('../../core/int8-vector-index.js');
      expect(kernels.int8KernelAvailable()).toBe(false);
      const plain = new fallback.TierScorer(index, modelTiers, { sameTierBattles: 'anchor' }).fitSimilarities(similarities);
      for (let t = 0; t < plain.length; t++) expect(Math.abs(plain[t] - withWasm[t])).toBeLessThan(1e-6);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});
