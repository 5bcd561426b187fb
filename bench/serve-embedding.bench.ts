/**
 * `routellm serve` with an embedding router, embedding included: routed chat requests/s at a
 * given concurrency with unique prompts (so no cache helps) against a local upstream that answers
 * at once, and the latency of `GET /health` polled during the run (how long the server's event
 * loop is kept from other work), from a separate poller process.
 *
 *   npx tsx bench/serve-embedding.bench.ts [--router ridge] [--requests 400] [--concurrency 50] [--baseline <checkout>] [--rounds 1]
 *
 * Each server is a `routellm serve` child process of the checkout named (this one by default; with
 * `--baseline <dir>`, a checkout of an earlier commit, e.g. `git archive main | tar -x -C <dir>`
 * plus a node_modules link, is measured first with its own defaults). The load generator and the
 * upstream share this process; the machine is shared, so compare the rows of one run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readJsonLines } from '../src/data/jsonl.js';
import { defaultDataDir } from '../src/weights-format/paths.js';
import { startFakeOpenAIUpstream } from '../test/helpers/fake-openai-upstream.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** GETs argv[1] every 20 ms over one kept-alive connection until stdin closes; prints the latencies (ms) as JSON. */
const HEALTH_POLLER = `
import http from 'node:http';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const latencies = [];
let running = true;
process.stdin.on('end', () => (running = false)).resume();
while (running) {
  const started = performance.now();
  await new Promise((resolve, reject) => http.get(process.argv[1], { agent }, (response) => response.resume().on('end', resolve)).on('error', reject));
  latencies.push(performance.now() - started);
  await new Promise((resolve) => setTimeout(resolve, 20));
}
agent.destroy();
process.stdout.write(JSON.stringify(latencies));
`;

function healthLine(latencies: number[]): string {
  return `${percentile(latencies, 0.5).toFixed(1)} / ${percentile(latencies, 0.99).toFixed(1)} / ${Math.max(...latencies).toFixed(1)}`;
}

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? NaN;
}

/** Starts `routellm serve` from `checkout` and resolves with its URL once it listens. */
function startServe(checkout: string, router: string, upstream: string, environment: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(checkout, 'bin', 'routellm.js'), 'serve', '--routers', router, '--port', '0', '--base-url', upstream, '--api-key', 'bench'], {
    cwd: checkout,
    env: { ...process.env, ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 120_000);
    const read = (data: Buffer) => {
      output += data;
      const match = /listening on (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], child });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
}

function request(agent: http.Agent, url: string, method: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const call = http.request(url, { method, agent, headers: body ? { 'content-type': 'application/json' } : {} }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    call.on('error', reject);
    call.end(body);
  });
}

interface Result {
  requestsPerSecond: number;
  failed: number;
  health: number[];
}

/** `total` routed chat requests from `concurrency` workers, with /health polled every 20 ms meanwhile. */
async function load(url: string, router: string, prompts: string[], concurrency: number): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency + 1 });
  const chat = (prompt: string) =>
    request(agent, `${url}/v1/chat/completions`, 'POST', JSON.stringify({ model: `router-${router}-0.5`, messages: [{ role: 'user', content: prompt }] }));
  // Warm-up: loads the router and its embedder (not counted).
  await chat('warm up the model');
  // The poller runs in its own process, so the load generator's event loop does not count.
  const poller = spawn(process.execPath, ['--input-type=module', '-e', HEALTH_POLLER, `${url}/health`], { stdio: ['pipe', 'pipe', 'inherit'] });
  let polled = '';
  poller.stdout!.on('data', (data: Buffer) => (polled += data));
  const pollerDone = new Promise((resolve) => poller.on('exit', resolve));
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < prompts.length) {
        const status = await chat(prompts[next++]);
        if (status !== 200) failed++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  poller.stdin!.end();
  await pollerDone;
  agent.destroy();
  return { requestsPerSecond: prompts.length / seconds, failed, health: JSON.parse(polled) as number[] };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      router: { type: 'string', default: 'ridge' },
      requests: { type: 'string', default: '400' },
      concurrency: { type: 'string', default: '50' },
      baseline: { type: 'string' },
      rounds: { type: 'string', default: '1' },
    },
  });
  const rounds = Number(values.rounds);
  const router = values.router!;
  const count = Number(values.requests);
  const concurrency = Number(values.concurrency);
  const arena = path.join(defaultDataDir(), 'train', 'nvidia9-train.jsonl');
  if (!existsSync(arena)) throw new Error(`needs the data folder (${arena})`);
  const unique = [...new Set((await readJsonLines(arena)).map((record) => record.value.prompt).filter((prompt): prompt is string => typeof prompt === 'string'))];
  const upstream = await startFakeOpenAIUpstream({ record: false });
  const checkouts: [string, string][] = [];
  if (values.baseline) checkouts.push(['baseline', path.resolve(values.baseline)]);
  checkouts.push(['this checkout', path.join(here, '..')]);
  console.log(`routellm serve --routers ${router}: ${count} routed chat requests per row, unique prompts, concurrency ${concurrency}, local upstream; /health every 20 ms`);
  console.log('round | server | requests/s | failed | /health p50 / p99 / max ms');
  const totals = checkouts.map(() => ({ seconds: 0, requests: 0, failed: 0, health: [] as number[] }));
  let used = 0;
  // Rounds alternate the servers, so a change in the machine's load falls on both.
  for (let round = 0; round < rounds; round++) {
    for (const [index, [label, checkout]] of checkouts.entries()) {
      // A server never sees a prompt twice, nor one another row saw.
      const prompts = unique.slice(used, used + count);
      used += count;
      const { url, child } = await startServe(checkout, router, upstream.url, {});
      try {
        const result = await load(url, router, prompts, concurrency);
        Object.assign(totals[index], {
          seconds: totals[index].seconds + prompts.length / result.requestsPerSecond,
          requests: totals[index].requests + prompts.length,
          failed: totals[index].failed + result.failed,
          health: [...totals[index].health, ...result.health],
        });
        console.log(`${round + 1} | ${label} | ${result.requestsPerSecond.toFixed(1)} | ${result.failed} | ${healthLine(result.health)}`);
      } finally {
        child.kill('SIGTERM');
      }
    }
  }
  const rates = totals.map((total) => total.requests / total.seconds);
  checkouts.forEach(([label], index) => {
    console.log(`all | ${label} | ${rates[index].toFixed(1)} (${(rates[index] / rates[0]).toFixed(2)}x) | ${totals[index].failed} | ${healthLine(totals[index].health)}`);
  });
  await upstream.close();
}

await main();
