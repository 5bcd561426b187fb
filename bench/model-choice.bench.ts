/**
 * What routing among N models adds to a request, against strong/weak routing with the same router
 * (`random`, whose scoring costs a SHA-256 per prompt and model, so the rows isolate the choice):
 *
 * 1. `chooseBatch` (score every model, expected costs, `chooseModel`) for 2, 4, 8 and 16 models
 *    against `routeBatch` (one score, one comparison): microseconds per prompt.
 * 2. `chat.completions.create` through the Controller to a local OpenAI-format upstream on
 *    127.0.0.1 (real HTTP, the `openai` client), two models vs four: median and p90 ms per request,
 *    one request at a time.
 * 3. What a request's model subset (`models`) does to routing time with the shipped `quality`
 *    router (USE-lite embedding, then the RouterBench ridge head): `chooseBatch` for one prompt at
 *    a time among all its 11 models, a subset of 3, and one model (pinned: the router is not
 *    asked), each with prompts of its own (no embedding reused).
 *
 *   npx tsx bench/model-choice.bench.ts [--prompts 2000] [--requests 400] [--subset-prompts 60]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { parseArgs } from 'node:util';
import { Controller } from '../src/controller/index.js';
import { shippedWeightsDir } from '../src/weights-format/paths.js';
import { startFakeOpenAIUpstream } from '../test/helpers/fake-openai-upstream.js';

const { values: flags } = parseArgs({
  options: { prompts: { type: 'string', default: '2000' }, requests: { type: 'string', default: '400' }, 'subset-prompts': { type: 'string', default: '60' } },
});
const promptCount = Number(flags.prompts);
const requestCount = Number(flags.requests);
const prompts = Array.from({ length: promptCount }, (_, i) => `Question ${i}: explain topic number ${(i * 7919) % 1009} in two sentences.`);

function modelsOf(count: number): { models: string[]; prices: Record<string, { input: number; output: number }> } {
  const models = Array.from({ length: count }, (_, i) => `model-${i}`);
  // Prices spread over three decades, as a frontier model against small open ones.
  const prices = Object.fromEntries(models.map((model, i) => [model, { input: 0.05 * 1000 ** (i / Math.max(1, count - 1)), output: 0.1 * 1000 ** (i / Math.max(1, count - 1)) }]));
  return { models, prices };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Best of `rounds` timed runs after one untimed run (JIT warm-up). */
async function timed(work: () => Promise<unknown>, rounds = 5): Promise<number> {
  await work();
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    await work();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

async function choiceRows(): Promise<void> {
  const pair = new Controller({ routers: ['random'], config: { random: { seed: 1 } }, strongModel: 'a', weakModel: 'b' });
  const pairMs = await timed(() => pair.routeBatch(prompts, 'random', 0.5));
  console.log(`choice only, ${promptCount} prompts, best of 5 rounds after a warm-up (µs per prompt):`);
  console.log(`  strong/weak routeBatch      ${((pairMs * 1000) / promptCount).toFixed(1)}  (1.00x)`);
  for (const count of [2, 4, 8, 16]) {
    const controller = new Controller({ routers: ['random'], config: { random: { seed: 1 } }, ...modelsOf(count) });
    const routing = controller.resolveModelRouting({ model: 'router-random-0.5' });
    const ms = await timed(() => controller.chooseBatch(prompts, routing));
    console.log(`  ${String(count).padStart(2)} models chooseBatch     ${((ms * 1000) / promptCount).toFixed(1)}  (${(ms / pairMs).toFixed(2)}x)`);
  }
}

async function requestRows(): Promise<void> {
  const upstream = await startFakeOpenAIUpstream({ record: false });
  const openai = new OpenAI({ baseURL: upstream.url, apiKey: 'bench', maxRetries: 0 });
  const { models, prices } = modelsOf(4);
  const setups: [string, Controller][] = [
    ['strong/weak', new Controller({ routers: ['random'], config: { random: { seed: 1 } }, strongModel: 'a', weakModel: 'b', providers: { openai } })],
    ['4 models', new Controller({ routers: ['random'], config: { random: { seed: 1 } }, models, prices, providers: { openai } })],
  ];
  console.log(`\nchat.completions.create to a loopback upstream, ${requestCount} requests one at a time (ms):`);
  const row = latencyRows();
  for (const [label, controller] of setups) {
    await row(label, requestCount, 50, (i) =>
      controller.chat.completions.create({ model: 'router-random-0.5', messages: [{ role: 'user', content: prompts[i % promptCount] }] }),
    );
    await controller.dispose();
  }
  await upstream.close();
}

/**
 * Prints one row per call of the returned function: `count` timed calls of `call(i)` one at a time
 * after `warmUp` untimed ones, median and p90 ms, and the median's ratio to the first row's.
 */
function latencyRows(): (label: string, count: number, warmUp: number, call: (i: number) => Promise<unknown>) => Promise<void> {
  let baseline = 0;
  return async (label, count, warmUp, call) => {
    const times: number[] = [];
    for (let i = 0; i < count + warmUp; i++) {
      const start = performance.now();
      await call(i);
      if (i >= warmUp) times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const median = quantile(times, 0.5);
    baseline ||= median;
    console.log(`  ${label.padEnd(14)} p50 ${median.toFixed(3)}  p90 ${quantile(times, 0.9).toFixed(3)}  (${(median / baseline).toFixed(3)}x p50)`);
  };
}

async function subsetRows(): Promise<void> {
  const count = Number(flags['subset-prompts']);
  const models: string[] = JSON.parse(readFileSync(path.join(shippedWeightsDir('quality'), 'manifest.json'), 'utf8')).models;
  // The same price spread as the rows above, on the router's model names.
  const spread = Object.values(modelsOf(models.length).prices);
  const controller = new Controller({ routers: ['quality'], models, prices: Object.fromEntries(models.map((model, i) => [model, spread[i]])) });
  await controller.ready();
  console.log(`\nchooseBatch with the quality router, one prompt at a time, ${count} prompts per setting after 5 warm-up prompts (ms):`);
  const row = latencyRows();
  const settings: [string, string[] | undefined][] = [[`all ${models.length}`, undefined], ['subset of 3', models.slice(0, 3)], ['one (pinned)', models.slice(4, 5)]];
  for (const [index, [label, subset]] of settings.entries()) {
    const routing = controller.resolveModelRouting({ model: 'router-quality-0.5', ...(subset ? { models: subset } : {}) });
    await row(label, count, 5, (i) => controller.chooseBatch([`Setting ${index}, question ${i}: explain topic number ${(i * 7919) % 1009} in two sentences.`], routing));
  }
  await controller.dispose();
}

await choiceRows();
await requestRows();
await subsetRows();
