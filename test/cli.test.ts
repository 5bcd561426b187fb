import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { progressOf, runCli } from './helpers/run-cli.js';
import { RandomRouter } from '../src/routers/random/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-cli-'));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ random: { seed: 3 } }));
  writeFileSync(
    path.join(dir, 'prompts.jsonl'),
    [
      { id: 1, prompt: 'What is 2 + 2?' },
      { prompt: 'Prove Fermat\'s little theorem.', tag: ['math'] },
      { prompt: 'hi', nested: { keep: true } },
    ]
      .map((row) => JSON.stringify(row))
      .join('\n') + '\n',
  );
});

describe('routellm (dispatcher)', () => {
  it('lists the commands, and rejects an unknown one with exit code 2', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['route', 'score', 'embed', 'calibrate', 'eval', 'train', 'serve']) expect(help.stdout).toContain(command);
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });
});

describe('routellm route', () => {
  it('prints exactly router, strong_win_rate, threshold, decision with --json', async () => {
    const result = await runCli(['route', 'What is the capital of Australia?', '--router', 'random', '--config', path.join(dir, 'config.json'), '--threshold', '0.3', '--json']);
    expect(result.code).toBe(0);
    const decision = JSON.parse(result.stdout);
    expect(Object.keys(decision).sort()).toEqual(['decision', 'router', 'strong_win_rate', 'threshold']);
    const expected = await new RandomRouter({ seed: 3 }).strongWinRate('What is the capital of Australia?');
    expect(decision.router).toBe('random');
    expect(decision.threshold).toBe(0.3);
    expect(decision.strong_win_rate).toBeCloseTo(expected, 6);
    expect(decision.decision).toBe(expected >= 0.3 ? 'strong' : 'weak');
  });

  it('accepts the deployed pair for a router that scores no pair (bert), saying it once', async () => {
    const result = await runCli(['route', 'Write a haiku about routers.', '--router', 'bert', '--strong-model', 'gpt-4o', '--weak-model', 'gpt-4o-mini', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).router).toBe('bert');
    expect(result.stderr.match(/does not score a model pair/g)).toHaveLength(1);
  });

  it('embeds on worker threads with --embed-workers, with the same decision as in the main thread', async () => {
    const prompt = 'Explain the halting problem to a child.';
    const [inThread, onWorker, bad] = await Promise.all([
      runCli(['route', prompt, '--router', 'mf', '--json'], { env: { ROUTELLM_EMBED_WORKERS: '0' } }),
      runCli(['route', prompt, '--router', 'mf', '--embed-workers', '1', '--json'], { env: { ROUTELLM_EMBED_WORKERS: '0' } }),
      runCli(['route', prompt, '--router', 'mf', '--embed-workers', '1.5']),
    ]);
    expect(onWorker.code).toBe(0);
    expect(JSON.parse(onWorker.stdout).strong_win_rate).toBeCloseTo(JSON.parse(inThread.stdout).strong_win_rate, 5);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--embed-workers must be an integer from 0 to 64, got 1\.5/);
  });

  it('names the bad flag, value or router with exit code 2', async () => {
    const [badFlag, badThreshold, badRouter, noPrompt, badConfig] = await Promise.all([
      runCli(['route', 'hello', '--treshold', '0.5']),
      runCli(['route', 'hello', '--router', 'random', '--threshold', '1.5']),
      runCli(['route', 'hello', '--router', 'nope']),
      runCli(['route', '--router', 'random']),
      runCli(['route', 'hello', '--router', 'random', '--config', path.join(dir, 'missing.yaml')]),
    ]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/Unknown flag --treshold/);
    expect(badThreshold.code).toBe(2);
    expect(badThreshold.stderr).toMatch(/--threshold must be a number in \[0, 1\]/);
    expect(badRouter.code).toBe(2);
    expect(badRouter.stderr).toMatch(/Unknown router "nope"\. Valid routers: .*random/);
    expect(noPrompt.code).toBe(2);
    expect(noPrompt.stderr).toMatch(/Missing the prompt/);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(/--config: cannot read .*missing\.yaml/);
  });

  it('has --help for every command', async () => {
    const commands = await Promise.all([
      import('../src/cli/commands/route.js').then((module) => module.runRoute),
      import('../src/cli/commands/score.js').then((module) => module.runScore),
      import('../src/cli/commands/embed.js').then((module) => module.runEmbed),
      import('../src/cli/commands/calibrate.js').then((module) => module.runCalibrate),
      import('../src/cli/commands/eval.js').then((module) => module.runEval),
      import('../src/cli/commands/train.js').then((module) => module.runTrain),
    ]);
    for (const run of commands) {
      let text = '';
      const stdout = { write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WritableStream;
      expect(await run(['--help'], { stdout, stderr: process.stderr })).toBe(0);
      expect(text).toMatch(/^routellm \w+: /);
      expect(text).toContain('Usage: routellm');
      expect(text).toContain('--help');
    }
  });
});

describe('routellm score', () => {
  it('adds strong_win_rate to each line, keeping order and fields', async () => {
    const output = path.join(dir, 'scored.jsonl');
    const result = await runCli(['score', '--router', 'random', '--config', path.join(dir, 'config.json'), '--input', path.join(dir, 'prompts.jsonl'), '--output', output]);
    expect(result.code).toBe(0);
    // stderr is a pipe here: progress comes as plain lines, the first at 0 and the last at 100%.
    expect(progressOf(result.stderr, 'scoring with random')).toEqual({ percents: [0, 100], done: true });
    const lines = readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const router = new RandomRouter({ seed: 3 });
    expect(lines.map((line) => line.prompt)).toEqual(['What is 2 + 2?', "Prove Fermat's little theorem.", 'hi']);
    expect(lines[0].id).toBe(1);
    expect(lines[1].tag).toEqual(['math']);
    expect(lines[2].nested).toEqual({ keep: true });
    for (const line of lines) expect(line.strong_win_rate).toBeCloseTo(await router.strongWinRate(line.prompt), 6);
  });

  it('routes "messages" rows (OpenAI chat format) on the conversation by the controller\'s rule', async () => {
    const conversation = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Write a sorting function in C.' },
      { role: 'assistant', content: [{ type: 'text', text: 'Here is quicksort.' }] },
      { role: 'user', content: 'Now make it stable.' },
    ];
    const input = path.join(dir, 'chats.jsonl');
    writeFileSync(input, [{ id: 'a', messages: conversation }, { prompt: 'hi' }].map((row) => JSON.stringify(row)).join('\n') + '\n');
    const router = new RandomRouter({ seed: 3 });
    const expected = {
      1: await router.strongWinRate('Now make it stable.'),
      3: await router.strongWinRate('Write a sorting function in C.\n\nHere is quicksort.\n\nNow make it stable.'),
    };
    for (const turns of [1, 3] as const) {
      const output = path.join(dir, `chats-${turns}.jsonl`);
      const result = await runCli(['score', '--router', 'random', '--config', path.join(dir, 'config.json'), '--input', input, '--output', output, '--route-turns', String(turns)]);
      expect(result.code).toBe(0);
      const [chat, plain] = readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
      expect(chat.messages).toEqual(conversation);
      expect(chat.strong_win_rate).toBeCloseTo(expected[turns], 6);
      expect(plain.strong_win_rate).toBeCloseTo(await router.strongWinRate('hi'), 6);
    }
    const badChat = path.join(dir, 'bad-chat.jsonl');
    writeFileSync(badChat, JSON.stringify({ messages: [{ role: 'user', content: 'ok' }] }) + '\n' + JSON.stringify({ messages: [{ role: 'assistant', content: 'no user turn' }] }) + '\n');
    const bad = await runCli(['score', '--router', 'random', '--input', badChat, '--output', path.join(dir, 'bad-chat-out.jsonl')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${badChat}:2`);
    expect(bad.stderr).toMatch(/"messages".*last user message/);
    expect(existsSync(path.join(dir, 'bad-chat-out.jsonl'))).toBe(false);
  });

  it('a bad line or missing file names the file and line, exits 2, and writes nothing', async () => {
    const badJson = path.join(dir, 'bad-json.jsonl');
    writeFileSync(badJson, '{"prompt": "ok"}\n{"prompt": oops}\n');
    const noPrompt = path.join(dir, 'no-prompt.jsonl');
    writeFileSync(noPrompt, '{"prompt": "ok"}\n\n{"text": "where is the prompt"}\n');
    const outputs = ['out-a.jsonl', 'out-b.jsonl', 'out-c.jsonl'].map((name) => path.join(dir, name));
    const [notJson, missingPrompt, missingFile, badOutput] = await Promise.all([
      runCli(['score', '--router', 'random', '--input', badJson, '--output', outputs[0]]),
      runCli(['score', '--router', 'random', '--input', noPrompt, '--output', outputs[1]]),
      runCli(['score', '--router', 'random', '--input', path.join(dir, 'nope.jsonl'), '--output', outputs[2]]),
      runCli(['score', '--router', 'random', '--input', noPrompt, '--output', path.join(dir, 'no-such-folder', 'x.jsonl')]),
    ]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain(`${badJson}:2`);
    expect(notJson.stderr).toMatch(/not JSON/);
    expect(missingPrompt.code).toBe(2);
    expect(missingPrompt.stderr).toContain(`${noPrompt}:3`);
    expect(missingPrompt.stderr).toMatch(/"prompt" string or a "messages" array/);
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toMatch(/nope\.jsonl.*no such file/);
    expect(badOutput.code).toBe(2);
    expect(badOutput.stderr).toMatch(/--output: the folder .*no-such-folder does not exist/);
    for (const output of outputs) expect(existsSync(output)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('routellm calibrate', () => {
  it('prints router, strong_model_pct and threshold as JSON, from --input or the default sample', async () => {
    const [uniform, fromInput, badPct] = await Promise.all([
      runCli(['calibrate', '--router', 'random', '--strong-model-pct', '0.25', '--json']),
      runCli(['calibrate', '--router', 'random', '--config', path.join(dir, 'config.json'), '--strong-model-pct', '0.5', '--input', path.join(dir, 'prompts.jsonl'), '--json']),
      runCli(['calibrate', '--router', 'random', '--strong-model-pct', '50']),
    ]);
    expect(uniform.code).toBe(0);
    expect(JSON.parse(uniform.stdout)).toMatchObject({ router: 'random', strong_model_pct: 0.25, threshold: 0.75 });
    expect(fromInput.code).toBe(0);
    const router = new RandomRouter({ seed: 3 });
    const scores = [...(await router.strongWinRates(['What is 2 + 2?', "Prove Fermat's little theorem.", 'hi']))].sort((a, b) => a - b);
    expect(JSON.parse(fromInput.stdout)).toMatchObject({ router: 'random', strong_model_pct: 0.5, prompts: 3, source: 'prompts' });
    expect(progressOf(fromInput.stderr, 'scoring with random')).toEqual({ percents: [0, 100], done: true });
    expect(JSON.parse(fromInput.stdout).threshold).toBeCloseTo(scores[1], 6);
    expect(badPct.code).toBe(2);
    expect(badPct.stderr).toMatch(/--strong-model-pct must be in \[0, 1\]/);
  });
});

describe('routellm embed and train', () => {
  it('embeds with use-lite, trains a tiny mf router, and routes with --weights', async () => {
    const topics = ['Prove that the sum of two even numbers is even.', 'Write a haiku about autumn leaves.', 'Integrate x squared from zero to one.', 'Tell me a joke about cats.'];
    const battles = Array.from({ length: 24 }, (_, i) => ({
      prompt: `${topics[i % 4]} (variant ${i})`,
      model_a: 'gpt-4',
      model_b: 'vicuna-13b',
      winner: i % 2 === 0 ? 'model_a' : i % 3 === 0 ? 'tie' : 'model_b',
    }));
    const data = path.join(dir, 'battles.jsonl');
    writeFileSync(data, battles.map((row) => JSON.stringify(row)).join('\n') + '\n');
    const weights = path.join(dir, 'tiny-mf');
    const embedded = path.join(dir, 'embedded.jsonl');
    const [embed, train, trainRandom] = await Promise.all([
      runCli(['embed', '--input', path.join(dir, 'prompts.jsonl'), '--output', embedded]),
      runCli(['train', 'mf', '--data', data, '--output', weights, '--epochs', '2', '--decontaminate', 'false', '--json']),
      runCli(['train', 'random', '--data', data, '--output', path.join(dir, 'nothing')]),
    ]);
    expect(embed.code).toBe(0);
    expect(progressOf(embed.stderr, 'embedding with use-lite').done).toBe(true);
    const rows = readFileSync(embedded, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(rows.map((row) => row.prompt)).toEqual(['What is 2 + 2?', "Prove Fermat's little theorem.", 'hi']);
    expect(rows[0].id).toBe(1);
    for (const row of rows) {
      expect(row.embedding).toHaveLength(512);
      expect(Math.hypot(...row.embedding)).toBeCloseTo(1, 3);
    }
    expect(train.code).toBe(0);
    expect(JSON.parse(train.stdout)).toMatchObject({ router: 'mf', output: weights, models: 2, epochs: 2 });
    expect(existsSync(path.join(weights, 'manifest.json'))).toBe(true);
    expect(readdirSync(dir).filter((name) => name.includes('.partial'))).toEqual([]);
    expect(trainRandom.code).toBe(2);
    expect(trainRandom.stderr).toMatch(/Cannot train random.*Trainable routers: mf, sw_ranking, bert, ridge/);
    const routed = await runCli(['route', 'Integrate x cubed', '--router', 'mf', '--weights', weights, '--strong-model', 'gpt-4', '--weak-model', 'vicuna-13b', '--threshold', '0.5', '--json']);
    expect(routed.code).toBe(0);
    expect(routed.stderr).toContain('scoring the pair strong=gpt-4 weak=vicuna-13b');
    const decision = JSON.parse(routed.stdout);
    expect(decision.strong_win_rate).toBeGreaterThan(0);
    expect(decision.strong_win_rate).toBeLessThan(1);
    expect(decision.decision).toBe(decision.strong_win_rate >= 0.5 ? 'strong' : 'weak');
  });

  it('trains a tiny ridge router from a score table for a named pair, and routes with it', async () => {
    const topics = ['Prove that the sum of two even numbers is even.', 'Write a haiku about autumn leaves.', 'Which is a prime?\nA. 4\nB. 7', 'Tell me a joke about cats.'];
    const rows = Array.from({ length: 24 }, (_, i) => ({ prompt: `${topics[i % 4]} (variant ${i})`, correct: { big: 1, small: i % 4 === 0 || i % 4 === 2 ? 0 : 1 } }));
    const data = path.join(dir, 'table.jsonl');
    writeFileSync(data, rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
    const weights = path.join(dir, 'tiny-ridge');
    const [train, badFlag] = await Promise.all([
      runCli(['train', 'ridge', '--data', data, '--output', weights, '--strong-model', 'big', '--weak-model', 'small', '--decontaminate', 'false', '--json']),
      runCli(['train', 'ridge', '--data', data, '--output', path.join(dir, 'never'), '--epochs', '3']),
    ]);
    expect(train.code).toBe(0);
    expect(JSON.parse(train.stdout)).toMatchObject({ router: 'ridge', output: weights, train_rows: { multiple_choice: 24, open: 24 } });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/--epochs: ridge has no epochs/);
    const routed = await runCli(['score', '--router', 'ridge', '--weights', weights, '--input', data, '--output', path.join(dir, 'scored.jsonl')]);
    expect(routed.code).toBe(0);
    const scored = readFileSync(path.join(dir, 'scored.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const mean = (topic: number) => scored.filter((_, i) => i % 4 === topic).reduce((sum, row) => sum + row.strong_win_rate, 0) / 6;
    expect(mean(0)).toBeGreaterThan(mean(1)); // the weak model fails proofs, not haiku
  });
});
