/**
 * What a request's model subset (`models`) costs or saves in routing time, with the shipped
 * `quality` router (USE-lite embedding, then the RouterBench ridge head) among its 11 models:
 * `chooseBatch` for one prompt at a time choosing among all 11, a subset of 3, and one model
 * (pinned: the router is not asked). Each setting gets prompts of its own (no embedding is reused).
 * Prints the median and p90 ms per prompt and the ratio to "all 11".
 *
 *   npx tsx bench/model-subset.bench.ts [--prompts 60]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Controller } from '../src/controller/index.js';
import { shippedWeightsDir } from '../src/weights-format/paths.js';

const { values: flags } = parseArgs({ options: { prompts: { type: 'string', default: '60' } } });
const promptCount = Number(flags.prompts);

const models: string[] = JSON.parse(readFileSync(path.join(shippedWeightsDir('quality'), 'manifest.json'), 'utf8')).models;
// Prices spread over three decades (the choice's cost does not depend on their values).
const prices = Object.fromEntries(models.map((model, i) => [model, { input: 0.05 * 1000 ** (i / (models.length - 1)), output: 0.1 * 1000 ** (i / (models.length - 1)) }]));
const controller = new Controller({ routers: ['quality'], models, prices });
await controller.ready();

const settings: [string, string[] | undefined][] = [
  [`all ${models.length}`, undefined],
  ['subset of 3', models.slice(0, 3)],
  ['one (pinned)', models.slice(4, 5)],
];

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

console.log(`chooseBatch with the quality router, one prompt at a time, ${promptCount} prompts per setting after 5 warm-up prompts (ms):`);
let baseline = 0;
for (const [index, [label, subset]] of settings.entries()) {
  const routing = controller.resolveModelRouting({ model: 'router-quality-0.5', ...(subset ? { models: subset } : {}) });
  const times: number[] = [];
  for (let i = 0; i < promptCount + 5; i++) {
    const prompt = `Setting ${index}, question ${i}: explain topic number ${(i * 7919) % 1009} in two sentences.`;
    const start = performance.now();
    await controller.chooseBatch([prompt], routing);
    if (i >= 5) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = quantile(times, 0.5);
  baseline ||= median;
  console.log(`  ${label.padEnd(14)} p50 ${median.toFixed(3)}  p90 ${quantile(times, 0.9).toFixed(3)}  (${(median / baseline).toFixed(3)}x p50)`);
}
await controller.dispose();
