/**
 * Does a big `/v1/route` batch starve other requests? Starts `routellm serve` (a real process:
 * `node bin/routellm.js serve --routers <router> --embed-workers <n>`), sends one batch of
 * `--prompts` distinct prompts to `POST /v1/route`, and while it runs probes `GET /health` and a
 * chat request (each a new prompt, so no cache helps) one after another, every `--gap` ms. Prints
 * p50 / p99 / max of each probe during the batch, the same with no batch, and the batch's rate.
 * The server's own event-loop lag over the batch (prom-client's monitor, read from `/metrics`) is
 * printed too: it separates a blocked event loop from CPU shared with other processes.
 * The upstream is an instant stand-in in this process on 127.0.0.1; all traffic stays on loopback.
 *
 *   npx tsx bench/server-batch.bench.ts [--router ridge] [--workers 2] [--prompts 5000] [--gap 25]
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: flags } = parseArgs({
  options: {
    router: { type: 'string', default: 'ridge' },
    workers: { type: 'string', default: '2' },
    prompts: { type: 'string', default: '5000' },
    gap: { type: 'string', default: '25' },
  },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TOPICS = ['tides', 'compilers', 'baking bread', 'the Roman senate', 'prime gaps', 'photosynthesis', 'jazz harmony', 'TCP congestion', 'glaciers', 'tax law'];
const prompt = (i: number) => `Request ${i}: explain ${TOPICS[i % TOPICS.length]} to a student in about ${(i % 7) + 2} sentences, with one example.`;

async function startUpstream(): Promise<{ url: string; close(): void }> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id: 'chatcmpl-bench',
          object: 'chat.completion',
          created: 0,
          model: 'bench',
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok', refusal: null }, finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, close: () => server.close() };
}

function startServe(upstream: string): Promise<{ url: string; stop(): void }> {
  const child = spawn(
    process.execPath,
    [path.join(root, 'bin/routellm.js'), 'serve', '--routers', flags.router!, '--embed-workers', flags.workers!, '--base-url', upstream, '--api-key', 'bench-key',
      '--port', '0', '--strong-model', 'bench-strong', '--weak-model', 'bench-weak', '--max-route-prompts', flags.prompts!, '--log-level', 'silent', '--max-body-bytes', String(16 * 1024 * 1024)],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ url: match[1], stop: () => child.kill('SIGTERM') });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`routellm serve exited with ${code}:\n${output}`)));
  });
}

let probeCount = 0;
async function probeChat(url: string): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model: `router-${flags.router}-0.5`, messages: [{ role: 'user', content: `${prompt(1_000_000 + probeCount++)} (probe)` }] }),
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`chat probe answered ${response.status}`);
  return performance.now() - start;
}

async function probeHealth(url: string): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${url}/health`);
  await response.arrayBuffer();
  return performance.now() - start;
}

/** Runs `probe` one after another, `gap` ms apart, until `until` settles (or `count` probes when given). */
async function probeLoop(probe: () => Promise<number>, until: Promise<unknown> | undefined, count = Infinity): Promise<number[]> {
  let finished = false;
  void until?.finally(() => (finished = true));
  const times: number[] = [];
  while (!finished && times.length < count) {
    times.push(await probe());
    await new Promise((resolve) => setTimeout(resolve, Number(flags.gap)));
  }
  return times;
}

/** The server's event-loop lag since the last read, from its process metrics (ms). */
async function eventLoopLag(url: string): Promise<{ mean: string; p99: string; max: string }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => (Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN) * 1000).toFixed(1);
  return { mean: read('nodejs_eventloop_lag_mean_seconds'), p99: read('nodejs_eventloop_lag_p99_seconds'), max: read('nodejs_eventloop_lag_max_seconds') };
}

function summary(label: string, times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return `${label.padEnd(28)} n=${String(sorted.length).padStart(4)}  p50 ${at(0.5).toFixed(1).padStart(7)} ms  p99 ${at(0.99).toFixed(1).padStart(7)} ms  max ${sorted.at(-1)!.toFixed(1).padStart(7)} ms`;
}

const upstream = await startUpstream();
const serve = await startServe(upstream.url);
try {
  await probeChat(serve.url);
  const idleHealth = await probeLoop(() => probeHealth(serve.url), undefined, 40);
  const idleChat = await probeLoop(() => probeChat(serve.url), undefined, 40);
  const count = Number(flags.prompts);
  // Reading /metrics resets the server's event-loop lag histogram: what the second read shows is the batch's.
  await eventLoopLag(serve.url);
  const batchStart = performance.now();
  const batch = fetch(`${serve.url}/v1/route`, {
    method: 'POST',
    body: JSON.stringify({ prompts: Array.from({ length: count }, (_, i) => prompt(i)), model: `router-${flags.router}-0.5` }),
  }).then(async (response) => {
    const body = (await response.json()) as { results?: unknown[] };
    if (response.status !== 200 || body.results?.length !== count) throw new Error(`batch answered ${response.status}`);
    return performance.now() - batchStart;
  });
  const [batchMs, busyHealth, busyChat] = await Promise.all([batch, probeLoop(() => probeHealth(serve.url), batch), probeLoop(() => probeChat(serve.url), batch)]);
  console.log(`routellm serve --routers ${flags.router} --embed-workers ${flags.workers}; ${count}-prompt /v1/route batch; probes every ${flags.gap} ms`);
  console.log(summary('/health, no batch', idleHealth));
  console.log(summary('chat, no batch', idleChat));
  console.log(summary('/health, during the batch', busyHealth));
  console.log(summary('chat, during the batch', busyChat));
  console.log(`batch: ${(batchMs / 1000).toFixed(1)} s, ${(count / (batchMs / 1000)).toFixed(0)} prompts/s`);
  const lag = await eventLoopLag(serve.url);
  console.log(`server event-loop lag during the batch (its own monitor): mean ${lag.mean} ms, p99 ${lag.p99} ms, max ${lag.max} ms`);
} finally {
  serve.stop();
  upstream.close();
}
