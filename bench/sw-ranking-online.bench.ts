/**
 * Cost of learning online with sw_ranking (`addBattles`, used by `serve --learn`): each call joins
 * the added battles to the loaded index and builds a new scoring state (int8 index and tier
 * entries), so its time grows with the index, not with the battles added. Measured on the shipped
 * index, with the prompt embeddings precomputed (an embedder that returns stored vectors), next to
 * one query's scoring time and the resident memory before and after.
 *
 *   npx tsx bench/sw-ranking-online.bench.ts [--adds 20] [--batch 1]
 */
import { parseArgs } from 'node:util';
import { createUseLiteEmbedder } from '../src/embedders/use-lite/index.js';
import type { Embedder } from '../src/embedders/types.js';
import { SwRankingRouter } from '../src/routers/sw_ranking/index.js';

const { values } = parseArgs({ options: { adds: { type: 'string', default: '20' }, batch: { type: 'string', default: '1' } } });
const adds = Number(values.adds);
const batch = Number(values.batch);
const prompts = Array.from({ length: adds * batch + 1 }, (_, n) => `How long should I boil ${n} eggs for a soft yolk?`);
const useLite = await createUseLiteEmbedder();
const vectors = await useLite.embed(prompts);
const stored = new Map(prompts.map((prompt, n) => [prompt, vectors.subarray(n * useLite.dimension, (n + 1) * useLite.dimension)]));
// Stored vectors, so the numbers are the index's work, not the embedding's.
const embedder: Embedder = {
  id: useLite.id,
  dimension: useLite.dimension,
  async embed(texts) {
    const out = new Float32Array(texts.length * this.dimension);
    texts.forEach((text, row) => out.set(stored.get(text)!, row * this.dimension));
    return out;
  },
  dispose() {},
};
const router = await SwRankingRouter.create({ embedder });
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const timeQueries = async () => {
  const times: number[] = [];
  for (let n = 0; n < 20; n++) {
    const start = performance.now();
    await router.strongWinRate(prompts[0]);
    times.push(performance.now() - start);
  }
  return median(times);
};
const rss = () => process.memoryUsage().rss / 2 ** 20;
await timeQueries(); // warm-up (JIT, first kernel calls)
const queryBefore = await timeQueries();
const rssBefore = rss();
const addTimes: number[] = [];
for (let n = 0; n < adds; n++) {
  const rows = prompts.slice(1 + n * batch, 1 + (n + 1) * batch).map((prompt) => ({ prompt, modelA: router.strongModel, modelB: router.weakModel, winner: 'model_a' }));
  const start = performance.now();
  await router.addBattles(rows);
  addTimes.push(performance.now() - start);
}
const queryAfter = await timeQueries();
console.log(`shipped sw_ranking index: ${router.models.length} models; ${adds} addBattles calls of ${batch} battle(s) each`);
console.log(`addBattles: median ${median(addTimes).toFixed(1)} ms per call (first ${addTimes[0].toFixed(1)} ms, max ${Math.max(...addTimes).toFixed(1)} ms)`);
console.log(`one query (stored embedding): ${queryBefore.toFixed(2)} ms before, ${queryAfter.toFixed(2)} ms after (ratio ${(queryAfter / queryBefore).toFixed(2)})`);
console.log(`one addBattles call = ${(median(addTimes) / queryBefore).toFixed(1)} queries; resident memory ${rssBefore.toFixed(0)} MiB -> ${rss().toFixed(0)} MiB`);
await router.dispose();
await useLite.dispose();
