/**
 * sw_ranking levers: gamma (similarity weighting) and the number of tiers, on the shipped battle
 * index. Chosen on the RouterBench *_test rows (exact benchmark pair, not in the index); the
 * benchmark columns are printed for the log only. Run: `npx tsx scripts/experiments/sw-ranking-grid.ts`.
 */
import { createRouter } from '../../src/routers/registry.js';
import type { EmbeddingRouter } from '../../src/routers/types.js';
import { embedAll, evaluateScores, loadBenchmarks, loadRouterBenchTest, pairBenchmark } from './features.js';

const validationRows = (await loadRouterBenchTest()).rows;
const validation = pairBenchmark(validationRows);
const benchmarks = await loadBenchmarks();
const sets = [['validation', validation] as const, ...Object.entries(benchmarks)];
const embeddings = new Map<string, Float32Array>();
for (const [name, set] of sets) embeddings.set(name, await embedAll(set.rows.map((row) => row.prompt)));
console.log(`validation: ${validationRows.length} RouterBench test rows with both benchmark models`);

for (const numTiers of [5, 10, 20]) {
  for (const gamma of [2, 10, 100]) {
    const router = (await createRouter('sw_ranking', { numTiers, gamma })) as EmbeddingRouter;
    const cells = [`tiers ${numTiers} gamma ${gamma}`];
    for (const [name, set] of sets) {
      const scores = await router.strongWinRatesFromEmbeddings(embeddings.get(name)!, set.rows.length);
      const metrics = evaluateScores(set, scores);
      cells.push(`${name} ${metrics.apgr?.toFixed(3)} / ${metrics.cpt50?.toFixed(1)}%`);
    }
    console.log(cells.join(' | '));
    await router.dispose();
  }
}
