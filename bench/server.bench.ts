/**
 * `routellm serve` overhead: added latency (p50, p99) and requests/s at concurrency 1, 10, 100
 * against a local upstream that answers instantly. Four processes: the upstream, the routellm
 * server (startServer), a bare node:http pass-through proxy (no routing, no SDK: the floor any
 * Node proxy sets on this machine), and this load generator. Each target's p50 and p99 are its
 * own, over every request of every round pooled. The overhead of a proxy compares like with like:
 * its p50 against the direct p50 and its p99 against the direct p99, as a ratio and a difference
 * (which includes the extra loopback hop, queueing in the proxy's event loop and CPU shared with
 * the load generator). A difference of two p99s is not the p99 of the time added per request (no
 * request is measured both ways), so it can come out below the difference of the p50s.
 * In-server = the percentiles of the server's own time per request from its Server-Timing header
 * (`server` - `upstream`: body parsing, message checks, routing; the SDK's work and the upstream
 * call count as `upstream`; for streams, up to the first chunk): the one distribution of added
 * time measured per request.
 *
 * The load is a closed loop: `concurrency` workers each send their next request when the last one
 * answered, over kept-alive connections opened in the warm-up. At a level the CPUs cannot keep up
 * with, latency is queueing (about concurrency / requests per second), so compare the routellm
 * rows with the bare proxy rows measured the same way.
 *
 * Router: `mf` when weights/mf ships, scoring precomputed embeddings (the embedding step is
 * excluded, as the target asks: a lookup table stands in for the embedder); else `random`.
 *
 * `--rate R` adds an open-loop level: requests start every 1/R s over up to 100 connections
 * whether or not earlier ones answered, latency counted from the scheduled start. Below the
 * proxy's saturation it shows what the proxy adds without the closed loop's queueing.
 *
 *   npx tsx bench/server.bench.ts [--router mf|random] [--weights <mf weights dir>] [--requests 2000] [--rounds 3] [--stream] [--rate 500]
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
    rate: { type: 'string' },
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

// ---------------------------------------------------------------- bare proxy: the floor
// What any node:http proxy adds on this machine: no routing, no SDK. It reads the body, forwards it
// over a keep-alive agent (the same pool size as the server's), reads the reply and writes it back.
async function runBareProxy(): Promise<void> {
  const upstream = new URL(flags.upstream!);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let requests = 0;
  const server = http.createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const body = Buffer.concat(parts);
      const forward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: request.url,
          method: request.method,
          agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (reply) => {
          const replyParts: Buffer[] = [];
          reply.on('data', (part: Buffer) => replyParts.push(part));
          reply.on('end', () => {
            requests++;
            response.writeHead(reply.statusCode ?? 502, { 'content-type': reply.headers['content-type'] ?? 'application/json' });
            response.end(Buffer.concat(replyParts));
          });
        },
      );
      forward.on('error', () => {
        response.writeHead(502);
        response.end();
      });
      forward.end(body);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cpuAtStart = process.cpuUsage();
  process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  process.on('SIGTERM', () => {
    const cpu = process.cpuUsage(cpuAtStart);
    process.stdout.write(`CPU ${((cpu.user + cpu.system) / 1000 / Math.max(1, requests)).toFixed(3)} ms per request over ${requests} requests\n`);
    server.close();
    agent.destroy();
    process.exit(0);
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

/**
 * A closed loop of `concurrency` workers over `agent`, whose kept-alive connections are reused
 * from the warm-up on. A new agent per run would open `concurrency` connections at once, and a
 * busy Node server accepts one connection per event-loop turn (libuv, seen with strace), so the
 * last of them wait hundreds of ms: that measured the connection storm, not the proxy.
 */
async function load(agent: http.Agent, url: string, model: string, concurrency: number, total: number, stream: boolean, rate?: number): Promise<Run> {
  const target = new URL('/v1/chat/completions', url);
  const bodies = prompts.map((prompt) =>
    Buffer.from(JSON.stringify({ model, messages: [{ role: 'user', content: prompt }], ...(stream ? { stream: true } : {}) })),
  );
  const latencies: number[] = [];
  const overheads: number[] = [];
  let issued = 0;
  const one = (body: Buffer, start = performance.now()) =>
    new Promise<void>((resolve, reject) => {
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
  if (rate === undefined) {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } else {
    // Open loop: request i starts at started + i / rate whether or not the earlier ones answered
    // (beyond the agent's sockets they wait in its queue), and its latency counts from that
    // scheduled time, so a stalled proxy cannot hide its queue by slowing the sender.
    const pending: Promise<void>[] = [];
    for (let index = 0; index < total; index++) {
      const due = started + (index * 1000) / rate;
      const wait = due - performance.now();
      if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
      // Timers fire to the millisecond: a request sent before its time counts from when it was sent.
      pending.push(one(bodies[index % bodies.length], Math.min(due, performance.now())));
    }
    await Promise.all(pending);
  }
  const seconds = (performance.now() - started) / 1000;
  return { latencies: latencies.sort((a, b) => a - b), overheads: overheads.sort((a, b) => a - b), seconds };
}

async function runBench(): Promise<void> {
  const total = Number(flags.requests);
  const mfShipped = flags.weights !== undefined || existsSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'weights', 'mf', 'manifest.json'));
  const routerName = flags.router ?? (mfShipped ? 'mf' : 'random');
  const upstream = await startChild(['--role', 'upstream']);
  const bare = await startChild(['--role', 'bare', '--upstream', upstream.url]);
  const server = await startChild(['--role', 'server', '--upstream', upstream.url, '--router', routerName, ...(flags.weights ? ['--weights', flags.weights] : [])]);
  const model = `router-${routerName}-0.5`;
  const levels = [1, 10, 100];
  const targets = [
    { name: 'direct', url: upstream.url, model: 'gpt-4o' },
    { name: 'bare proxy', url: bare.url, model: 'gpt-4o' },
    { name: 'routellm', url: server.url, model },
  ].map((target) => ({ ...target, agent: new http.Agent({ keepAlive: true, maxSockets: Math.max(...levels) }) }));
  console.log(
    `routellm serve overhead, router ${routerName}${routerName === 'mf' ? ' (precomputed embeddings: embedding excluded)' : ''}, ${total} requests per level in ${flags.rounds} alternating rounds (latencies pooled over rounds)${flags.stream ? ', streaming' : ''}`,
  );
  console.log('p50 / p99: each target\'s own, over all its requests; vs direct: that percentile over the direct one\'s, as a ratio and a difference');
  console.log('bare proxy = node:http pass-through, no routing, no SDK (the floor); in-server: percentiles of Server-Timing server - upstream');
  console.log('concurrency | target     |   p50 / p99 ms    | p50 vs direct       | p99 vs direct       | in-server p50 / p99 ms |  req/s');
  const rounds = Number(flags.rounds);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  // A level: its label, the requests per round, and how one run loads a target.
  const levelRuns: { label: string; count: number; run: (target: (typeof targets)[number], count: number) => Promise<Run> }[] = levels.map((concurrency) => ({
    label: String(concurrency),
    count: Math.ceil((concurrency === 1 ? Math.min(total, 1000) : total) / rounds),
    run: (target, count) => load(target.agent, target.url, target.model, concurrency, count, flags.stream),
  }));
  if (flags.rate !== undefined) {
    const rate = Number(flags.rate);
    levelRuns.push({
      label: `${rate}/s open`,
      count: Math.ceil(total / rounds),
      run: (target, count) => load(target.agent, target.url, target.model, Math.max(...levels), count, flags.stream, rate),
    });
  }
  const sortedNumbers = (values: number[]) => values.sort((a, b) => a - b);
  const pair = (a: number | undefined, b: number | undefined, width: number) => (a === undefined || b === undefined ? '-' : `${a.toFixed(2)} / ${b.toFixed(2)}`).padStart(width);
  const versus = (value: number, direct: number) => `${(value / direct).toFixed(2)}x, +${(value - direct).toFixed(2)} ms`.padStart(19);
  for (const level of levelRuns) {
    for (const target of targets) await level.run(target, Math.min(200, level.count));
    // Rounds alternate the targets, so drift in the machine's load hits all of them alike; each
    // target's latencies are pooled over the rounds and its requests/s is the median round's.
    const pooled = targets.map(() => ({ latencies: [] as number[], overheads: [] as number[], rps: [] as number[] }));
    for (let round = 0; round < rounds; round++) {
      for (const [index, target] of targets.entries()) {
        const run = await level.run(target, level.count);
        pooled[index].latencies.push(...run.latencies);
        pooled[index].overheads.push(...run.overheads);
        pooled[index].rps.push(level.count / run.seconds);
      }
    }
    const quantiles = pooled.map(({ latencies, overheads }) => {
      const sortedLatencies = sortedNumbers(latencies);
      const sortedOverheads = sortedNumbers(overheads);
      return {
        p50: percentile(sortedLatencies, 0.5),
        p99: percentile(sortedLatencies, 0.99),
        s50: sortedOverheads.length ? percentile(sortedOverheads, 0.5) : undefined,
        s99: sortedOverheads.length ? percentile(sortedOverheads, 0.99) : undefined,
      };
    });
    const direct = quantiles[0];
    for (const [index, target] of targets.entries()) {
      const q = quantiles[index];
      const against = index === 0 ? ['-'.padStart(19), '-'.padStart(19)] : [versus(q.p50, direct.p50), versus(q.p99, direct.p99)];
      console.log(
        `${(index === 0 ? level.label : '').padStart(11)} | ${target.name.padEnd(10)} | ${pair(q.p50, q.p99, 17)} | ${against[0]} | ${against[1]} | ${pair(q.s50, q.s99, 22)} | ${median(pooled[index].rps).toFixed(0).padStart(6)}`,
      );
    }
  }
  for (const target of targets) target.agent.destroy();
  for (const [name, child] of [['routellm', server], ['bare proxy', bare]] as const) {
    const exited = new Promise((resolve) => child.child.once('exit', resolve));
    child.child.kill('SIGTERM');
    await exited;
    const cpu = /CPU (.*)/.exec(child.output());
    if (cpu) console.log(`${name} process CPU (user + system, whole run incl. warm-up): ${cpu[1]}`);
  }
  upstream.child.kill('SIGTERM');
}

const children: ChildProcess[] = [];
if (flags.role === 'upstream') await runUpstream();
else if (flags.role === 'server') await runServer();
else if (flags.role === 'bare') await runBareProxy();
else {
  try {
    await runBench();
  } catch (error) {
    for (const child of children) child.kill('SIGKILL');
    console.error(error);
    process.exitCode = 1;
  }
}
