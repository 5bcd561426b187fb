/**
 * Throughput of the causal_llm router's endpoint backend against a local fake OpenAI server that
 * answers at once, at concurrency 1, 8 and 64: the router's own overhead (prompt rendering, the
 * openai client, label reading) on top of HTTP. The server runs in a child process so it does not
 * share the router's event loop. Baseline: the bare openai client sending the same requests.
 *
 *   npx tsx bench/causal-llm.bench.ts [--prompts 2000] [--rounds 3] [--api chat|completions] [--per-request 1]
 *
 * With --per-request N (completions only) the router sends N prompts per request; the bare client
 * baseline still sends one prompt per request.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { CausalLLMRouter } from '../src/routers/causal_llm/index.js';
import { ConcurrencyLimiter } from '../src/concurrency.js';
import { ratingDistributionFromLogprobs, strongWinRateFromRatings } from '../src/routers/causal_llm/labels.js';
import { DEFAULT_SYSTEM_PROMPT, DEFAULT_TEMPLATE, renderUserMessage } from '../src/routers/causal_llm/prompt.js';
import { logprobsReply, requestText, startFakeOpenAIServer, type PositionSpec } from '../test/helpers/fake-openai-server.js';
import { writeTinyCausalLM } from '../test/helpers/tiny-causal-lm.js';

const { values } = parseArgs({
  options: {
    prompts: { type: 'string', default: '2000' },
    api: { type: 'string', default: 'chat' },
    rounds: { type: 'string', default: '3' },
    'per-request': { type: 'string', default: '1' },
    serve: { type: 'boolean', default: false },
  },
});

/** Split-label answer ("[[", digit, "]]") with 20 alternatives, from a hash of the request text. */
function answerFor(text: string): PositionSpec[] {
  const digest = createHash('sha256').update(text).digest();
  const weights = [0, 1, 2, 3, 4].map((i) => Math.exp(digest[i] / 64));
  const total = weights.reduce((a, b) => a + b, 0) / 0.9;
  const digits: [string, number][] = weights.map((w, i) => [String(i + 1), Math.log(w / total)]);
  for (let i = 0; i < 15; i++) digits.push([`tok${i}`, Math.log(0.1 / 15)]);
  digits.sort((a, b) => b[1] - a[1]);
  return [
    { token: '[[', logprob: -0.02, top: [['[[', -0.02], ...Array.from({ length: 19 }, (_, i) => [`alt${i}`, -6 - i] as [string, number])] },
    { token: digits[0][0], logprob: digits[0][1], top: digits },
    { token: ']]', logprob: -0.001 },
  ];
}

async function serve(): Promise<void> {
  const server = await startFakeOpenAIServer({ recordRequests: false, handler: (request) => logprobsReply(request, answerFor(requestText(request))) });
  process.stdout.write(`${server.baseURL}\n`);
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}

async function main(): Promise<void> {
  const count = Number(values.prompts);
  const api = values.api as 'chat' | 'completions';
  const rounds = Number(values.rounds);
  const promptsPerRequest = Number(values['per-request']);
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const baseURL = line.toString().trim();
  const prompts = Array.from({ length: count }, (_, i) => `Question ${i}: explain topic number ${i % 97} in ${10 + (i % 40)} words.`);

  console.log(`causal_llm endpoint backend, ${api} API (${promptsPerRequest} prompt(s) per request), ${count} prompts per run, median of ${rounds} alternating rounds, fake server in a child process at ${baseURL}`);
  console.log('concurrency | router prompts/s | bare openai client req/s | router / client');
  for (const concurrency of [1, 8, 64]) {
    const router = await CausalLLMRouter.create({ baseURL, model: 'bench', api, concurrency, promptsPerRequest });
    await router.strongWinRates(prompts.slice(0, 100));

    const client = new OpenAI({ baseURL, apiKey: 'no-key', maxRetries: 0 });
    const limiter = new ConcurrencyLimiter(concurrency);
    const send = (prompt: string) =>
      limiter.run((): Promise<unknown> => {
        const user = renderUserMessage(DEFAULT_TEMPLATE, [{ role: 'user', content: prompt }]);
        return api === 'chat'
          ? client.chat.completions.create({
              model: 'bench',
              messages: [
                { role: 'system', content: DEFAULT_SYSTEM_PROMPT },
                { role: 'user', content: user },
              ],
              max_tokens: 4,
              temperature: 0,
              logprobs: true,
              top_logprobs: 20,
            })
          : client.completions.create({ model: 'bench', prompt: `${DEFAULT_SYSTEM_PROMPT}\n\n${user}`, max_tokens: 4, logprobs: 20 });
      });
    await Promise.all(prompts.slice(0, 100).map(send));
    // Alternate router and bare-client runs and take medians: the machine is shared and noisy.
    const routerRates: number[] = [];
    const clientRates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      routerRates.push(await timed(count, () => router.strongWinRates(prompts)));
      clientRates.push(await timed(count, () => Promise.all(prompts.map(send))));
    }
    const stats = router.stats;
    await router.dispose();
    const routerRate = median(routerRates);
    const clientRate = median(clientRates);
    console.log(
      `${String(concurrency).padStart(11)} | ${routerRate.toFixed(0).padStart(16)} | ${clientRate.toFixed(0).padStart(24)} | ${(routerRate / clientRate).toFixed(2)}` +
        `   (invalid ${stats.invalidAnswers}, errors ${stats.errors}, retries ${stats.retries})`,
    );
  }
  child.kill('SIGTERM');

  // The router's own CPU work per prompt, without HTTP: render the prompt, read the labels.
  const answers = prompts.map((prompt) =>
    answerFor(prompt).map((position) => ({
      token: position.token,
      logprob: position.logprob,
      alternatives: (position.top ?? []).map(([token, logprob]) => ({ token, logprob })),
    })),
  );
  const start = process.hrtime.bigint();
  const repeats = 20;
  let sink = 0;
  for (let repeat = 0; repeat < repeats; repeat++) {
    prompts.forEach((prompt, i) => {
      sink += renderUserMessage(DEFAULT_TEMPLATE, [{ role: 'user', content: prompt }]).length;
      sink += strongWinRateFromRatings(ratingDistributionFromLogprobs(answers[i]), 4);
    });
  }
  const microseconds = Number(process.hrtime.bigint() - start) / 1e3 / (repeats * prompts.length);
  console.log(`router-side work per prompt without HTTP (render + read 3 positions x 20 alternatives): ${microseconds.toFixed(1)} µs (${sink > 0 ? 'ok' : ''})`);

  // The local backend on the tiny generated causal LM (hidden 16): tokenising, padding and
  // onnxruntime overhead per prompt, since the model itself costs almost nothing.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-bench-causal-lm-'));
  try {
    writeTinyCausalLM(dir);
    const localPrompts = prompts.slice(0, 200);
    console.log('local backend, tiny ONNX causal LM | batchSize | prompts/s');
    for (const batchSize of [1, 8, 32]) {
      const local = await CausalLLMRouter.create({ modelPath: dir, batchSize });
      await local.strongWinRates(localPrompts.slice(0, 20));
      const rates: number[] = [];
      for (let round = 0; round < rounds; round++) rates.push(await timed(localPrompts.length, () => local.strongWinRates(localPrompts)));
      await local.dispose();
      console.log(`${''.padStart(35)} | ${String(batchSize).padStart(9)} | ${median(rates).toFixed(0)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(count: number, work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

if (values.serve) await serve();
else await main();
