/**
 * `routellm serve` overhead: added latency (p50, p99) and requests/s at concurrency 1, 10, 100
 * against a local upstream that answers instantly. Three processes: the upstream, the routellm
 * server (startServer), and this load generator. Added latency = the percentile through the
 * server minus the same percentile straight to the upstream, at the same concurrency (so it
 * includes the extra loopback hop, queueing in the server's event loop and CPU shared with the
 * load generator). In-server = the server's own time per request from its Server-Timing header
 * (`server` - `upstream`: body parsing, message checks, routing; the SDK's work and the upstream
 * call count as `upstream`; for streams, up to the first chunk).
 *
 * Router: `mf` when weights/mf ships, scoring precomputed embeddings (the embedding step is
 * excluded, as the target asks: a lookup table stands in for the embedder); else `random`.
 *
 *   npx tsx bench/server.bench.ts [--router mf|random] [--weights <mf weights dir>] [--requests 2000] [--rounds 3] [--stream]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: flags } = parseArgs({
  options: {
    role: { type: 'string', default: 'bench' },
    router: { type: 'string' },
    upstream: { type: 'string' },
    requests: { type: 'string', default: '2000' },
    stream: { type: 'boolean', default: false },
    weights: { type: 'string' },
    rounds: { type: 'string', default: '3' },
  },
});

const PROMPT_COUNT = 1000;
const prompts = Array.from({ length: PROMPT_COUNT }, (_, i) => `Question ${i}: explain topic number ${(i * 7919) % 1009} in two sentences.`);

// ---------------------------------------------------------------- upstream: answers instantly
async function runUpstream(): Promise<void> {
  const completion = (model: string) =>
    JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion',
      created: 0,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok', refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 13 },
    });
  const chunk = (model: string, delta: object, finish: string | null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const server = http.createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8'));
      if (body.stream) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.end(chunk(body.model, { role: 'assistant', content: '' }, null) + chunk(body.model, { content: 'ok' }, null) + chunk(body.model, {}, 'stop') + 'data: [DONE]\n\n');
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(completion(body.model));
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
}

// ---------------------------------------------------------------- server: startServer with the router
async function runServer(): Promise<void> {
  const { startServer } = await import('../src/server/index.js');
  const routerName = flags.router ?? 'random';
  let router: unknown = routerName;
  let config: Record<string, unknown> = {};
  if (routerName === 'mf') {
    const { MfRouter } = await import('../src/routers/mf/index.js');
    const { readManifest } = await import('../src/weights-format/weights.js');
    const { shippedWeightsDir } = await import('../src/weights-format/paths.js');
    const weightsDir = flags.weights ?? shippedWeightsDir('mf');
    const manifest = await readManifest(weightsDir);
    const dimension = manifest.embedder!.dimension;
    // Precomputed embeddings: one fixed vector per bench prompt, looked up instead of computed.
    const table = new Map<string, Float32Array>();
    const { createRng } = await import('../src/train/random.js');
    const rng = createRng(12345);
    const next = () => rng() * 2 - 1;
    for (const prompt of prompts) table.set(prompt, Float32Array.from({ length: dimension }, next));
    const embedder = {
      id: manifest.embedder!.id,
      dimension,
      async embed(texts: readonly string[]) {
        const out = new Float32Array(texts.length * dimension);
        texts.forEach((text, i) => out.set(table.get(text) ?? new Float32Array(dimension), i * dimension));
        return out;
      },
      dispose() {},
    };
    const models = manifest.models ?? [];
    try {
      router = await MfRouter.create({ embedder, weightsDir });
    } catch {
      // Weights made for other models: any pair they know measures the same work.
      router = await MfRouter.create({ embedder, weightsDir, strongModel: models[0], weakModel: models[1] });
    }
  } else {
    config = { random: { seed: 1 } };
  }
  const server = await startServer({
    routers: [router as string],
    config,
    strongModel: 'gpt-4o',
    weakModel: 'gpt-4o-mini',
    baseURL: flags.upstream!,
    apiKey: 'bench-key',
    port: 0,
    maxRetries: 0,
  });
  const cpuAtStart = process.cpuUsage();
  process.stdout.write(`READY ${server.url} ${routerName}\n`);
  process.on('SIGTERM', () => {
    const cpu = process.cpuUsage(cpuAtStart);
    const requests = server.controller.stats().requests;
    process.stdout.write(`CPU ${((cpu.user + cpu.system) / 1000 / Math.max(1, requests)).toFixed(3)} ms per request over ${requests} requests\n`);
    void server.close().then(() => process.exit(0));
  });
}

// ---------------------------------------------------------------- load generator
function startChild(args: string[]): Promise<{ child: ChildProcess; url: string; extra: string[]; output: () => string }> {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (data: Buffer) => {
      output += data.toString();
      const match = /READY (\S+)(.*)/.exec(output);
      if (match) resolve({ child, url: match[1], extra: match[2].trim().split(/\s+/), output: () => output });
    });
    child.on('exit', (code) => reject(new Error(`child ${args.join(' ')} exited with ${code}`)));
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

interface Run {
  latencies: number[];
  /** Server-side overhead per request from Server-Timing (server - upstream), when the server sent it. */
  overheads: number[];
  seconds: number;
}

function timing(header: string | string[] | undefined, name: string): number | undefined {
  const match = new RegExp(`${name};dur=([0-9.]+)`).exec(String(header ?? ''));
  return match ? Number(match[1]) : undefined;
}

async function load(url: string, model: string, concurrency: number, total: number, stream: boolean): Promise<Run> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL('/v1/chat/completions', url);
  const bodies = prompts.map((prompt) =>
    Buffer.from(JSON.stringify({ model, messages: [{ role: 'user', content: prompt }], ...(stream ? { stream: true } : {}) })),
  );
  const latencies: number[] = [];
  const overheads: number[] = [];
  let issued = 0;
  const one = (body: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const start = performance.now();
      const request = http.request(
        target,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: 'Bearer x' } },
        (response) => {
          response.on('data', () => {});
          response.on('end', () => {
            if (response.statusCode !== 200) return reject(new Error(`status ${response.statusCode}`));
            latencies.push(performance.now() - start);
            const server = timing(response.headers['server-timing'], 'server');
            const upstream = timing(response.headers['server-timing'], 'upstream');
            if (server !== undefined && upstream !== undefined) overheads.push(server - upstream);
            resolve();
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  const worker = async () => {
    while (issued < total) {
      const index = issued++;
      await one(bodies[index % bodies.length]);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { latencies: latencies.sort((a, b) => a - b), overheads: overheads.sort((a, b) => a - b), seconds };
}

async function runBench(): Promise<void> {
  const total = Number(flags.requests);
  const mfShipped = flags.weights !== undefined || existsSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'weights', 'mf', 'manifest.json'));
  const routerName = flags.router ?? (mfShipped ? 'mf' : 'random');
  const upstream = await startChild(['--role', 'upstream']);
  const server = await startChild(['--role', 'server', '--upstream', upstream.url, '--router', routerName, ...(flags.weights ? ['--weights', flags.weights] : [])]);
  const model = `router-${routerName}-0.5`;
  console.log(
    `routellm serve overhead, router ${routerName}${routerName === 'mf' ? ' (precomputed embeddings: embedding excluded)' : ''}, ${total} requests per level in ${flags.rounds} alternating rounds (medians)${flags.stream ? ', streaming' : ''}`,
  );
  console.log('concurrency | direct p50 / p99 ms | via server p50 / p99 ms | added p50 / p99 ms | in-server p50 / p99 ms | server req/s | direct req/s');
  const rounds = Number(flags.rounds);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  for (const concurrency of [1, 10, 100]) {
    const count = Math.ceil((concurrency === 1 ? Math.min(total, 1000) : total) / rounds);
    await load(upstream.url, 'gpt-4o', concurrency, Math.min(200, count), flags.stream);
    await load(server.url, model, concurrency, Math.min(200, count), flags.stream);
    // Rounds alternate direct and via-server runs, so drift in the machine's load hits both;
    // each figure is the median over rounds.
    const figures: Record<string, number[]> = { d50: [], d99: [], v50: [], v99: [], a50: [], a99: [], s50: [], s99: [], viaRps: [], directRps: [] };
    for (let round = 0; round < rounds; round++) {
      const direct = await load(upstream.url, 'gpt-4o', concurrency, count, flags.stream);
      const via = await load(server.url, model, concurrency, count, flags.stream);
      const d50 = percentile(direct.latencies, 0.5);
      const d99 = percentile(direct.latencies, 0.99);
      const v50 = percentile(via.latencies, 0.5);
      const v99 = percentile(via.latencies, 0.99);
      figures.d50.push(d50);
      figures.d99.push(d99);
      figures.v50.push(v50);
      figures.v99.push(v99);
      figures.a50.push(v50 - d50);
      figures.a99.push(v99 - d99);
      if (via.overheads.length) {
        figures.s50.push(percentile(via.overheads, 0.5));
        figures.s99.push(percentile(via.overheads, 0.99));
      }
      figures.viaRps.push(count / via.seconds);
      figures.directRps.push(count / direct.seconds);
    }
    const m = Object.fromEntries(Object.entries(figures).map(([key, values]) => [key, values.length ? median(values) : NaN]));
    console.log(
      `${String(concurrency).padStart(11)} | ${m.d50.toFixed(2).padStart(8)} / ${m.d99.toFixed(2).padEnd(8)} | ${m.v50.toFixed(2).padStart(10)} / ${m.v99.toFixed(2).padEnd(10)} | ${m.a50.toFixed(2).padStart(8)} / ${m.a99.toFixed(2).padEnd(7)} | ${m.s50.toFixed(2).padStart(9)} / ${m.s99.toFixed(2).padEnd(10)} | ${m.viaRps.toFixed(0).padStart(12)} | ${m.directRps.toFixed(0).padStart(12)}`,
    );
  }
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
  const cpu = /CPU (.*)/.exec(server.output());
  if (cpu) console.log(`server process CPU (user + system, whole run incl. warm-up): ${cpu[1]}`);
  upstream.child.kill('SIGTERM');
}

const children: ChildProcess[] = [];
if (flags.role === 'upstream') await runUpstream();
else if (flags.role === 'server') await runServer();
else {
  try {
    await runBench();
  } catch (error) {
    for (const child of children) child.kill('SIGKILL');
    console.error(error);
    process.exitCode = 1;
  }
}
