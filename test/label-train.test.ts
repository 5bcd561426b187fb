/**
 * From a prompt log to a router for one's own pair: `routellm label` on 160 prompts against
 * stand-in models and judge (the weak model fails one kind of prompt), a re-run that sends
 * nothing, then sw_ranking and mf trained on its output, whose routers separate held-out
 * prompts. `routellm label` runs as a process (its exit codes too); the re-run, the training and
 * the scoring of held-out prompts go through the library in this process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder } from '../src/embedders/registry.js';
import { labelPrompts } from '../src/label/label.js';
import { trainMf } from '../src/routers/mf/train.js';
import { trainSwRanking } from '../src/routers/sw_ranking/train.js';
import { createRouter } from '../src/routers/registry.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './helpers/fake-openai-server.js';
import { progressOf } from './helpers/run-cli.js';
import { rocAuc, standInHandler, twoKindPrompts } from './helpers/label-stand-ins.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'routellm.js');
const MODELS = { strong: 'big-model', weak: 'small-model', judge: 'judge-model' };
const PROMPTS = 160;

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 32 * 1024 * 1024, timeout: 240_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function jsonLines(file: string): any[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

let answerServer: FakeOpenAIServer;
let judgeServer: FakeOpenAIServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-label-train-'));
  answerServer = await startFakeOpenAIServer({ handler: standInHandler(MODELS) });
  judgeServer = await startFakeOpenAIServer({ handler: standInHandler(MODELS) });
});
afterAll(async () => {
  await answerServer.close();
  await judgeServer.close();
});

describe('routellm label, then train and score', () => {
  it('labels 160 prompts, re-runs without a request, and trains sw_ranking and mf that separate held-out prompts (AUC >= 0.85)', async () => {
    const input = path.join(dir, 'prompts.jsonl');
    writeFileSync(input, twoKindPrompts(PROMPTS).map(({ prompt }) => JSON.stringify({ prompt })).join('\n') + '\n');
    const labels = path.join(dir, 'labels.jsonl');
    const first = await runCli([
      'label', '--input', input, '--output', labels, '--strong-model', MODELS.strong, '--weak-model', MODELS.weak, '--judge-model', MODELS.judge,
      '--base-url', answerServer.baseURL, '--judge-base-url', judgeServer.baseURL, '--concurrency', '16', '--json',
    ]);
    // stderr is a pipe here: a plain line at each 10% of the prompts, then one at the end.
    expect(progressOf(first.stderr, 'labelling')).toEqual({ percents: [1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100], done: true });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ prompts: PROMPTS, labelled: PROMPTS, failed: 0, outcomes: { strong: PROMPTS / 2, weak: PROMPTS / 2 } });
    expect(answerServer.requests).toHaveLength(2 * PROMPTS);
    expect(judgeServer.requests).toHaveLength(PROMPTS);

    // The same labelling again, as the CLI called it: everything is in the files, so no request.
    answerServer.reset();
    judgeServer.reset();
    const answers = { baseURL: answerServer.baseURL };
    const again = await labelPrompts({
      input,
      output: labels,
      strongModel: MODELS.strong,
      weakModel: MODELS.weak,
      judgeModel: MODELS.judge,
      endpoints: { [MODELS.strong]: answers, [MODELS.weak]: answers, [MODELS.judge]: { baseURL: judgeServer.baseURL } },
    });
    expect(again).toMatchObject({ alreadyLabelled: PROMPTS, labelled: 0, requests: 0 });
    expect(answerServer.requests.length + judgeServer.requests.length).toBe(0);
    expect(jsonLines(labels)).toHaveLength(PROMPTS);

    // Both routers train here through the library (the CLI's train command has its own tests), on
    // the embedder that then scores held-out prompts with both.
    const heldOut = twoKindPrompts(80, 1000);
    const embedder = await createEmbedder('use-lite');
    try {
      await trainSwRanking({ data: [labels], output: path.join(dir, 'sw_ranking'), embedder, decontaminate: false });
      await trainMf({ data: [labels], output: path.join(dir, 'mf'), embedder, decontaminate: false, epochs: 10 });
      for (const name of ['sw_ranking', 'mf']) {
        const router = await createRouter(name, { weightsDir: path.join(dir, name), embedder, strongModel: MODELS.strong, weakModel: MODELS.weak });
        const scores = await router.strongWinRates(heldOut.map(({ prompt }) => prompt));
        await router.dispose();
        expect(rocAuc([...scores], heldOut.map(({ hard }) => hard)), `${name} AUC`).toBeGreaterThanOrEqual(0.85);
      }
    } finally {
      await embedder.dispose();
    }
  }, 300_000);

  it('refuses bad flags with exit code 2, and exits 1 with every prompt kept as failed when the upstream is down', async () => {
    const input = path.join(dir, 'few.jsonl');
    writeFileSync(input, twoKindPrompts(3, 5000).map(({ prompt }) => JSON.stringify({ prompt })).join('\n') + '\n');
    const output = path.join(dir, 'down.jsonl');
    const models = ['--strong-model', MODELS.strong, '--weak-model', MODELS.weak];
    const [noJudge, noInput, down] = await Promise.all([
      runCli(['label', '--input', input, '--output', output, ...models]),
      runCli(['label', '--input', path.join(dir, 'missing.jsonl'), '--output', output, ...models, '--judge-model', MODELS.judge]),
      runCli(['label', '--input', input, '--output', output, ...models, '--judge-model', MODELS.judge, '--base-url', 'http://127.0.0.1:9/v1', '--max-retries', '0', '--json']),
    ]);
    expect(noJudge.code).toBe(2);
    expect(noJudge.stderr).toContain('--judge-model');
    expect(noInput.code).toBe(2);
    expect(noInput.stderr).toMatch(/--input: .*missing\.jsonl is not a file/);
    expect(down.code).toBe(1);
    expect(JSON.parse(down.stdout)).toMatchObject({ prompts: 3, labelled: 0, failed: 3 });
    expect(jsonLines(path.join(dir, 'down.failed.jsonl')).map((row) => row.stage)).toEqual(['strong', 'strong', 'strong']);
  }, 120_000);
});
