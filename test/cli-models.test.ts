/**
 * The CLI among N models, as processes (`node bin/routellm.js ...`): `route --models`,
 * `score --models`, and `serve --models` with four models on three providers (OpenAI and Anthropic
 * through their base-URL variables, two OpenAI-compatible endpoints from the config file), called
 * with the real `openai` client.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRoute } from '../src/cli/commands/route.js';
import { describeError, exitCodeOf, type CliIo } from '../src/cli/shared.js';
import { RandomRouter } from '../src/routers/random/index.js';
import { FOUR_MODELS, FOUR_PRICES, startFourUpstreams, type FourUpstreams } from './helpers/four-models.js';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin', 'routellm.js');
const PRICES_FLAG = 'gpt-4o=2.5/10,claude-3-5-haiku-latest=0.8/4,llama-70b=0.6,llama-8b=0.05/0.1';

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const argmax = (scores: Record<string, number>) => Object.keys(scores).reduce((a, b) => (scores[b] > scores[a] ? b : a));

let dir: string;
let upstreams: FourUpstreams;
let serve: { child: ChildProcess; url: string; exited: Promise<number | null> } | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-cli-models-'));
  upstreams = await startFourUpstreams();
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ random: { seed: 4 } }));
  writeFileSync(
    path.join(dir, 'serve.yaml'),
    [
      'random: { seed: 4 }',
      'server:',
      '  maxRetries: 0',
      '  thresholds: { random: 0.3 }',
      `  endpoints: { llama-70b: { baseURL: "${upstreams.big.url}" }, llama-8b: { baseURL: "${upstreams.small.url}" } }`,
      '',
    ].join('\n'),
  );
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--routers', 'random', '--models', ...FOUR_MODELS, '--prices', PRICES_FLAG, '--config', path.join(dir, 'serve.yaml'), '--port', '0', '--log-level', 'silent'],
    {
      cwd: root,
      env: {
        ...process.env,
        OPENAI_API_KEY: 'sk-openai',
        OPENAI_BASE_URL: upstreams.openai.url,
        ANTHROPIC_API_KEY: 'sk-anthropic',
        ANTHROPIC_BASE_URL: upstreams.anthropic.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    exited.then((code) => reject(new Error(`routellm serve exited with ${code}:\n${output}`)));
  });
  expect(output).toContain(`models: ${FOUR_MODELS.join(', ')}`);
  serve = { child, url, exited };
}, 60_000);

afterAll(async () => {
  if (serve && serve.child.exitCode === null) {
    serve.child.kill('SIGKILL');
    await serve.exited;
  }
  await upstreams.close();
});

/** Runs `routellm route` in this process, capturing stdout and stderr. */
async function routeInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } } as unknown as CliIo;
  try {
    return { code: await runRoute(args, io), stdout: out.join(''), stderr: err.join('') };
  } catch (error) {
    return { code: exitCodeOf(error), stdout: out.join(''), stderr: describeError(error) };
  }
}

describe('routellm route --models', () => {
  it('prints the choice with every model score as JSON; knob 0 takes the cheapest, 1 the best scored', async () => {
    const common = ['a hard proof', '--router', 'random', '--config', path.join(dir, 'config.json'), '--models', ...FOUR_MODELS, '--prices', PRICES_FLAG, '--json'];
    const best = await runCli(['route', ...common, '--knob', '1']);
    expect(best.code).toBe(0);
    const choice = JSON.parse(best.stdout);
    const expected = await new RandomRouter({ seed: 4 }).modelScores(['a hard proof'], FOUR_MODELS);
    expect(Object.keys(choice.scores)).toEqual([...FOUR_MODELS]);
    FOUR_MODELS.forEach((model, index) => expect(choice.scores[model]).toBeCloseTo(expected[index], 6));
    expect(choice).toMatchObject({ router: 'random', knob: 1, model: argmax(choice.scores) });
    expect(JSON.parse((await routeInProcess([...common, '--knob', '0'])).stdout)).toMatchObject({ knob: 0, model: 'llama-8b' });
    expect(JSON.parse((await routeInProcess([...common, '--within-best', '1'])).stdout)).toMatchObject({ within_best: 1, model: 'llama-8b' });
    const text = await routeInProcess(common.filter((arg) => arg !== '--json'));
    expect(text.stdout).toMatch(/^\S+ \(router random, knob 0.5; scores: gpt-4o 0\.\d{4}, claude-3-5-haiku-latest/);
  });

  it('names the bad flag with exit code 2: no price, a knob out of range, one model, a pair-only router, --threshold', async () => {
    const base = ['hi', '--router', 'random', '--models', 'a', 'b'];
    const cases: [string[], RegExp][] = [
      [[...base, '--prices', 'a=1'], /no price for b/],
      [[...base, '--prices', 'a=1,b=2', '--knob', '1.5'], /--knob must be a number in \[0, 1\], got 1.5/],
      [['hi', '--router', 'random', '--models', 'a', '--prices', 'a=1'], /at least two models/],
      [['hi', '--router', 'ridge', '--models', 'a', 'b', '--prices', 'a=1,b=2'], /ridge router scores a strong\/weak pair only.*random/],
      [[...base, '--prices', 'a=1,b=2', '--threshold', '0.5'], /--threshold applies to strong\/weak/],
      [[...base, '--prices', 'a=1,b=x'], /"b=x"/],
      [[...base, '--prices', 'a=1,b=2,c=3'], /"c" is not one of --models/],
      [[...base, '--prices', 'a=1,b=2', '--knob', '0.5', '--within-best', '0.1'], /not both/],
    ];
    for (const [args, message] of cases) {
      const result = await routeInProcess(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
    const spawned = await runCli(['route', ...cases[0][0]]);
    expect(spawned.code).toBe(2);
    expect(spawned.stderr).toMatch(cases[0][1]);
  });
});

describe('routellm route with a deployment file: --models chooses a subset, as the server\'s models field', () => {
  /** The deployment `routellm serve` runs above (random seed 4, the four models and prices), as one file. */
  const deploy = () => path.join(dir, 'deploy.yaml');
  beforeAll(() => {
    const prices = Object.entries(FOUR_PRICES).map(([model, price]) => `    ${model}: { input: ${price.input}, output: ${price.output} }`);
    writeFileSync(deploy(), ['random: { seed: 4 }', 'server:', `  models: [${FOUR_MODELS.join(', ')}]`, '  prices:', ...prices, '  thresholds: { random: 0.3 }', '  port: 6060', ''].join('\n'));
  });
  const routeArgs = (args: string[]) => ['a hard proof', '--router', 'random', '--config', deploy(), ...args];
  /** Through the real entry point (a process), or in this process for the variations. */
  const route = (...args: string[]) => runCli(['route', ...routeArgs(args)]);
  const routeHere = (...args: string[]) => routeInProcess(routeArgs(args));
  const routeOnServer = async (body: Record<string, unknown>) => {
    const response = await fetch(`${serve!.url}/v1/route`, { method: 'POST', body: JSON.stringify({ router: 'random', prompt: 'a hard proof', ...body }) });
    expect(response.status).toBe(200);
    return ((await response.json()) as any).results[0];
  };

  it('routes among the deployed models, or the subset --models names, choosing what the server chooses for that subset', async () => {
    const all = await routeHere('--knob', '0', '--json');
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toMatchObject({ router: 'random', knob: 0, model: 'llama-8b', models: [...FOUR_MODELS] });
    // At knob 0 the subset's cheapest wins: claude, where the full set takes llama-8b.
    const cheapPair = JSON.parse((await route('--knob', '0', '--models', 'gpt-4o', 'claude-3-5-haiku-latest', '--json')).stdout);
    expect(cheapPair).toMatchObject({ model: 'claude-3-5-haiku-latest', models: ['gpt-4o', 'claude-3-5-haiku-latest'] });
    for (const [knob, subset] of [
      ['1', ['llama-8b', 'gpt-4o']],
      ['0.6', ['llama-70b', 'claude-3-5-haiku-latest', 'llama-8b']],
    ] as const) {
      const result = await routeHere('--knob', knob, '--models', ...subset, '--json');
      expect(result.code).toBe(0);
      const choice = JSON.parse(result.stdout);
      // Listed in the deployment's order, whatever the order given; scores for the subset only.
      expect(choice.models).toEqual(FOUR_MODELS.filter((model) => (subset as readonly string[]).includes(model)));
      expect(Object.keys(choice.scores)).toEqual(choice.models);
      const served = await routeOnServer({ knob: Number(knob), models: subset });
      expect(choice.model).toBe(served.model);
      for (const model of choice.models) expect(choice.scores[model]).toBeCloseTo(served.scores[model], 6);
    }
    expect(Object.values(upstreams.counts()).reduce((a, b) => a + b)).toBe(0);
  });

  it('pins the choice to a subset of one, and --prices replaces a deployed price', async () => {
    const pinned = await route('--models', 'llama-70b', '--json');
    expect(pinned.code).toBe(0);
    expect(JSON.parse(pinned.stdout)).toMatchObject({ model: 'llama-70b', models: ['llama-70b'], scores: {} });
    expect((await routeHere('--models', 'llama-70b')).stdout).toBe('llama-70b (the one model of --models: the router was not asked)\n');
    // llama-8b made the dearest: knob 0 now takes llama-70b.
    expect(JSON.parse((await routeHere('--knob', '0', '--prices', 'llama-8b=50', '--json')).stdout)).toMatchObject({ model: 'llama-70b' });
  });

  it('refuses with exit code 2 and the flag or file at fault: an undeployed or repeated model, --threshold, a bad deployment', async () => {
    const spawned = await route('--models', 'gpt-4o', 'nope');
    expect(spawned.code).toBe(2);
    expect(spawned.stderr).toMatch(/"nope" is not one of them \(gpt-4o, claude-3-5-haiku-latest, llama-70b, llama-8b\).*server\.models of .*deploy\.yaml/);
    expect(spawned.stdout).toBe('');
    writeFileSync(path.join(dir, 'one-model.yaml'), 'server: { models: [gpt-4o] }\n');
    writeFileSync(path.join(dir, 'no-price.yaml'), `server: { models: [gpt-4o, llama-8b], prices: { gpt-4o: { input: 1, output: 1 } } }\n`);
    const common = ['a hard proof', '--router', 'random'];
    const cases: [string[], RegExp][] = [
      [[...common, '--config', deploy(), '--models', 'llama-8b', 'llama-8b'], /"llama-8b" is listed twice/],
      [[...common, '--config', deploy(), '--threshold', '0.5'], /--threshold applies to strong\/weak routing/],
      [[...common, '--config', deploy(), '--prices', 'nope=1'], /"nope" is not one of server\.models of .*deploy\.yaml/],
      [[...common, '--config', path.join(dir, 'one-model.yaml')], /one-model\.yaml: server\.models: .*at least two models/s],
      [[...common, '--config', path.join(dir, 'no-price.yaml')], /no-price\.yaml: server: .*no price for "llama-8b"/s],
    ];
    for (const [args, message] of cases) {
      const result = await routeInProcess(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
  });

  it('scores the pair of server.strongModel and server.weakModel when the flags do not name one', async () => {
    writeFileSync(path.join(dir, 'pair.yaml'), 'server: { strongModel: my-own-model, weakModel: gpt-3.5-turbo }\n');
    const result = await runCli(['route', 'a hard proof', '--router', 'mf', '--config', path.join(dir, 'pair.yaml'), '--threshold', '0.5', '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/mf: its weights do not know "my-own-model"; scoring the pair/);
    expect(JSON.parse(result.stdout)).toMatchObject({ router: 'mf', threshold: 0.5 });
  });
});

describe('routellm score --models', () => {
  it('adds "scores" per model to each row, keeping order and fields', async () => {
    const input = path.join(dir, 'prompts.jsonl');
    const output = path.join(dir, 'scored.jsonl');
    writeFileSync(input, `${JSON.stringify({ id: 1, prompt: 'What is 2 + 2?' })}\n${JSON.stringify({ messages: [{ role: 'user', content: 'prove it' }], tag: 'x' })}\n`);
    const result = await runCli(['score', '--router', 'random', '--config', path.join(dir, 'config.json'), '--models', 'a', 'b', 'c', '--input', input, '--output', output]);
    expect(result.code).toBe(0);
    const rows = readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const expected = await new RandomRouter({ seed: 4 }).modelScores(['What is 2 + 2?', 'prove it'], ['a', 'b', 'c']);
    expect(rows[0]).toMatchObject({ id: 1, prompt: 'What is 2 + 2?' });
    expect(rows[1]).toMatchObject({ tag: 'x' });
    rows.forEach((row, i) => {
      expect(Object.keys(row.scores)).toEqual(['a', 'b', 'c']);
      ['a', 'b', 'c'].forEach((model, j) => expect(row.scores[model]).toBeCloseTo(expected[i * 3 + j], 6));
      expect(row).not.toHaveProperty('strong_win_rate');
    });
  });
});

describe('routellm serve --models', () => {
  it('answers through the chosen model on its provider, with the choice and the scores attached', async () => {
    const client = new OpenAI({ baseURL: `${serve!.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    for (const knob of [0, 1]) {
      upstreams.reset();
      const completion = await client.chat.completions.create({ model: `router-random-${knob}`, messages: [{ role: 'user', content: 'a hard proof' }] });
      const routed = (completion as unknown as { routellm: { model: string; chosen: string; scores: Record<string, number> } }).routellm;
      const expected = knob === 0 ? 'llama-8b' : argmax(routed.scores);
      expect(routed).toMatchObject({ model: expected, chosen: expected, knob });
      expect(completion.choices[0].message.content).toBe(`${expected} says: ok ok ok`);
      expect(upstreams.counts()[expected]).toBe(1);
      expect(Object.values(upstreams.counts()).reduce((a, b) => a + b)).toBe(1);
    }
    upstreams.reset();
    const stream = await client.chat.completions.create({ model: 'router-random-0', messages: [{ role: 'user', content: 'stream it' }], stream: true });
    const chunks: any[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe('llama-8b says: ok ok ok');
    expect(chunks[0].routellm).toMatchObject({ model: 'llama-8b', knob: 0, scores: expect.objectContaining({ 'gpt-4o': expect.any(Number) }) });
    expect(upstreams.counts()['llama-8b']).toBe(1);
  });

  it('reports the models on /v1/models and /v1/route, and answers bad input with a 400', async () => {
    const list = (await (await fetch(`${serve!.url}/v1/models`)).json()) as any;
    expect(list.data).toEqual([expect.objectContaining({ id: 'router-random-0.3', routellm: { router: 'random', knob: 0.3, models: [...FOUR_MODELS] } })]);
    const route = await fetch(`${serve!.url}/v1/route`, { method: 'POST', body: JSON.stringify({ router: 'random', knob: 0, prompts: ['one', 'two'] }) });
    const body = (await route.json()) as any;
    expect(body).toMatchObject({ router: 'random', knob: 0, models: [...FOUR_MODELS], results: [{ model: 'llama-8b' }, { model: 'llama-8b' }] });
    const bad = await fetch(`${serve!.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'router-random-1.5', messages: [{ role: 'user', content: 'x' }] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error).toMatchObject({ param: 'knob', type: 'invalid_request_error' });
  });
});

it('prices from the flag cover every model, as the table in the helper', () => {
  // The flag and FOUR_PRICES describe the same table (the serve test's expectations rely on it).
  for (const entry of PRICES_FLAG.split(',')) {
    const [model, value] = entry.split('=');
    const [input, output = input] = value.split('/').map(Number);
    expect(FOUR_PRICES[model as keyof typeof FOUR_PRICES]).toEqual({ input, output });
  }
});
