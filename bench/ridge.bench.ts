/**
 * Ridge router speed: scores per second from precomputed embeddings (batch 1, 64, 1,000; the text
 * features, the head choice, one tfjs matrix product and the quantile map), and decisions per
 * second including use-lite embedding (batch 1 and 64). Prompts: MT-Bench, GSM8K and MMLU
 * benchmark prompts (a mix of both heads); embeddings: random unit vectors for the scoring rows.
 *
 *   npx tsx bench/ridge.bench.ts [--weights DIR]
 */
import { parseArgs } from 'node:util';
import { initBackend } from '../src/core/backend.js';
import { loadGsm8k, loadMmluSplit, loadMtBench } from '../src/data/index.js';
import { createUseLiteEmbedder } from '../src/embedders/use-lite/index.js';
import { isMultipleChoice } from '../src/routers/ridge/features.js';
import { RidgeRouter } from '../src/routers/ridge/index.js';
import { createRng, gaussian } from '../src/train/random.js';

async function timed(run: () => Promise<unknown>, minMs = 1500): Promise<number> {
  await run();
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    await run();
    calls++;
  }
  return (performance.now() - start) / calls;
}

const { values } = parseArgs({ options: { weights: { type: 'string' } } });
const backend = await initBackend();
console.log(`backend: ${backend.name} (${backend.reason})`);
const router = await RidgeRouter.create({ ...(values.weights ? { weightsDir: values.weights } : {}), embedder: createUseLiteEmbedder({ cacheSize: 0 }) });
const { rest } = await loadMmluSplit();
const pool = [...(await loadMtBench()).rows, ...(await loadGsm8k()).rows.slice(0, 400), ...rest.rows.slice(0, 600)].map((row) => row.prompt);
const prompts = Array.from({ length: 1000 }, (_, i) => pool[(i * 7919) % pool.length]);
console.log(`prompts: ${prompts.length}, multiple-choice ${prompts.filter(isMultipleChoice).length}`);
const dimension = router.embedder.dimension;
const rng = createRng(3);
const embeddings = Float32Array.from({ length: prompts.length * dimension }, () => gaussian(rng) / Math.sqrt(dimension));

console.log('\n## Scoring from embeddings (excludes embedding)\n\n| batch | ms per call | scores/s |\n|---|---|---|');
for (const batch of [1, 64, 1000]) {
  let offset = 0;
  const ms = await timed(async () => {
    const start = offset % (prompts.length - batch + 1);
    offset += batch;
    await router.strongWinRatesFromEmbeddings(embeddings.subarray(start * dimension, (start + batch) * dimension), batch, prompts.slice(start, start + batch));
  });
  console.log(`| ${batch} | ${ms.toFixed(3)} | ${Math.round((batch * 1000) / ms).toLocaleString('en-US')} |`);
}

console.log('\n## Decisions including use-lite embedding\n\n| batch | ms per call | decisions/s |\n|---|---|---|');
for (const batch of [1, 64]) {
  let offset = 0;
  const ms = await timed(async () => {
    const start = offset % (prompts.length - batch + 1);
    offset += batch;
    await router.strongWinRates(prompts.slice(start, start + batch));
  }, 5000);
  console.log(`| ${batch} | ${ms.toFixed(1)} | ${((batch * 1000) / ms).toFixed(1)} |`);
}
await router.dispose();
