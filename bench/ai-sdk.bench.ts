/**
 * What a routed model adds to an AI SDK call: median and p90 milliseconds per `generateText` and
 * per `streamText` (to the last text piece) through `createRoutedModel` against the same calls
 * straight to the chosen model, in one process, against a local OpenAI stand-in server that
 * answers at once (both the strong and the weak model are served by it). Rounds alternate direct
 * and routed so that noise on a shared machine falls on both.
 *
 * Router: `random` by default (scoring is one SHA-256 hash, so the difference is the wrapper:
 * routing text, decision, the metadata and the stream transform); `--router ridge` (or any name)
 * adds that router's scoring, embedding included.
 *
 * `--form models`: the N-model form, choosing among four RouterBench-named models (all served by
 * the stand-in) at knob 0.5, so the difference adds every model's score and the priced choice;
 * the router must score N models (`random`, `quality`, `mf`, `sw_ranking`).
 *
 * `--fallback off`: the routed model without fallback. With it on (the default), a stream is
 * handed on once its first part of content arrived (held and replayed through one more stream),
 * which is what on/off measures; no call fails here, so nothing falls back.
 *
 *   npx tsx bench/ai-sdk.bench.ts [--router random] [--form pair|models] [--fallback on|off] [--calls 300] [--rounds 5]
 */
import { parseArgs } from 'node:util';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText, type LanguageModel } from 'ai';
import { startFakeOpenAIServer } from '../test/helpers/fake-openai-server.js';
import { createRoutedModel } from '../src/ai-sdk/index.js';

const { values: flags } = parseArgs({
  options: {
    router: { type: 'string', default: 'random' },
    form: { type: 'string', default: 'pair' },
    fallback: { type: 'string', default: 'on' },
    calls: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '5' },
  },
});
const calls = Number(flags.calls);
const rounds = Number(flags.rounds);

const server = await startFakeOpenAIServer({ recordRequests: false });
const provider = createOpenAI({ baseURL: server.baseURL, apiKey: 'bench' });
const direct = provider.chat('gpt-strong');
const routerOptions = flags.router === 'random' ? { seed: 1 } : undefined;
const fallback = flags.fallback !== 'off';
const NAMES = ['gpt-4-1106-preview', 'claude-2', 'gpt-3.5-turbo-1106', 'mistralai/mistral-7b-chat'];
const PRICES = [
  { input: 10, output: 30 },
  { input: 8, output: 24 },
  { input: 1, output: 2 },
  { input: 0.15, output: 0.15 },
];
const routed =
  flags.form === 'models'
    ? createRoutedModel({
        router: flags.router!,
        routerOptions,
        models: Object.fromEntries(NAMES.map((name) => [name, provider.chat(name)])),
        prices: Object.fromEntries(NAMES.map((name, index) => [name, PRICES[index]])),
        knob: 0.5,
        fallback,
      })
    : createRoutedModel({ router: flags.router!, routerOptions, threshold: 0.5, strong: direct, weak: provider.chat('gpt-weak'), fallback });
await routed.ready();
// A new prompt for every call, so that routers that cache embeddings (ridge, mf, ...) embed each one.
let asked = 0;
const nextPrompt = () => `Question ${asked}: explain topic number ${(asked++ * 7919) % 1009} in two sentences.`;

async function timeCalls(model: LanguageModel, stream: boolean): Promise<number[]> {
  const times: number[] = [];
  for (let call = 0; call < calls; call++) {
    const prompt = nextPrompt();
    const start = performance.now();
    if (stream) {
      for await (const _ of streamText({ model, prompt }).textStream);
    } else {
      await generateText({ model, prompt });
    }
    times.push(performance.now() - start);
  }
  return times;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

console.log(`router ${flags.router}, form ${flags.form}, fallback ${fallback ? 'on' : 'off'}, ${calls} calls x ${rounds} rounds per row, node ${process.version}`);
for (const stream of [false, true]) {
  await timeCalls(direct, stream); // warm-up: connections, JIT
  await timeCalls(routed, stream);
  const all = { direct: [] as number[], routed: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    all.direct.push(...(await timeCalls(direct, stream)));
    all.routed.push(...(await timeCalls(routed, stream)));
  }
  const [d50, r50, d90, r90] = [percentile(all.direct, 0.5), percentile(all.routed, 0.5), percentile(all.direct, 0.9), percentile(all.routed, 0.9)];
  console.log(
    `${stream ? 'streamText  ' : 'generateText'}  direct p50 ${d50.toFixed(3)} ms p90 ${d90.toFixed(3)} ms | routed p50 ${r50.toFixed(3)} ms p90 ${r90.toFixed(3)} ms | ` +
      `added p50 ${(r50 - d50).toFixed(3)} ms (x${(r50 / d50).toFixed(3)})`,
  );
}
await routed.dispose();
await server.close();
