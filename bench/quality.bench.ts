/**
 * Speed of choosing among N models with the `quality` router, from precomputed embeddings
 * (embedding itself is the use-lite floor, measured in bench/embedding.bench.ts): per-prompt cost
 * of `modelScoresFromEmbeddings` for each shipped head (ridge: models x 513 multiply-adds; kNN: a
 * pass over the training prompts), then `chooseModel`, against mf's `modelScores` on the same
 * models as the baseline. Prints medians and ratios.
 *
 *   npx tsx bench/quality.bench.ts [--prompts 256]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chooseModel } from '../src/policy/index.js';
import { createRouter } from '../src/routers/registry.js';
import type { QualityRouter } from '../src/routers/quality/index.js';
import { isEmbeddingModelScoringRouter, type Router } from '../src/routers/types.js';
import { createRng, gaussian } from '../src/train/random.js';
import { shippedWeightsDir } from '../src/weights-format/paths.js';

const { values } = parseArgs({ options: { prompts: { type: 'string', default: '256' } } });
const count = Number(values.prompts);
const rng = createRng(3);
const embeddings = Float32Array.from({ length: count * 512 }, () => gaussian(rng) / Math.sqrt(512));
const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
const fakeEmbedder = { id: 'use-lite', dimension: 512, embed: async () => new Float32Array(0), dispose: () => {} };

const heads = [
  ['quality (RouterBench, ridge)', shippedWeightsDir('quality')],
  ['quality (nvidia9)', path.join(shippedWeightsDir('quality'), 'nvidia9')],
  ['quality (arenabench)', path.join(shippedWeightsDir('quality'), 'arenabench')],
] as const;
/** Median ms per prompt of scores for `models` plus one `chooseModel` per prompt. */
async function timeChoice(router: Router, models: readonly string[]): Promise<number> {
  if (!isEmbeddingModelScoringRouter(router)) throw new Error(`${router.name} does not score models from embeddings`);
  const samples: number[] = [];
  for (let repeat = 0; repeat < 5; repeat++) {
    const start = performance.now();
    const scores = await router.modelScoresFromEmbeddings(embeddings, count, models);
    for (let row = 0; row < count; row++) {
      chooseModel(models.map((model, j) => ({ model, quality: scores[row * models.length + j], cost: j + 1 })), { knob: 0.5 });
    }
    samples.push((performance.now() - start) / count);
  }
  return median(samples);
}

const rows: [string, number][] = [];
for (const [label, dir] of heads) {
  if (!existsSync(path.join(dir, 'manifest.json'))) continue;
  const router = (await createRouter('quality', { weightsDir: dir, embedder: fakeEmbedder })) as QualityRouter;
  rows.push([`${label}, ${router.models.length} models, ${router.head.settings.kind}`, await timeChoice(router, router.models)]);
  if (label.includes('RouterBench')) {
    const mf = await createRouter('mf', { embedder: fakeEmbedder });
    rows.push([`mf, same ${router.models.length} models (baseline)`, await timeChoice(mf, router.models)]);
    await mf.dispose();
  }
  await router.dispose();
}
const baseline = rows.find(([label]) => label.startsWith('mf'))?.[1];
console.log(`${count} prompts from precomputed embeddings; ms per prompt (median of 5), scores + chooseModel`);
for (const [label, ms] of rows) console.log(`${label.padEnd(60)} ${ms.toFixed(4)} ms${baseline ? `  (${(ms / baseline).toFixed(2)}x mf)` : ''}`);
