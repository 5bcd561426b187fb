/**
 * From a prompt log to a router for one's own pair, through the command line: `routellm label` on
 * 400 prompts against stand-in models and judge (the weak model fails one kind of prompt), then
 * `routellm train sw_ranking` and `mf` on its output, then `routellm score` on held-out prompts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './helpers/fake-openai-server.js';
import { rocAuc, standInHandler, twoKindPrompts } from './helpers/label-stand-ins.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'routellm.js');
const MODELS = { strong: 'big-model', weak: 'small-model', judge: 'judge-model' };

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

describe('routellm label -> train -> score', () => {
  it('labels 400 prompts, re-runs without a request, and trains sw_ranking and mf that separate held-out prompts (AUC >= 0.85)', async () => {
    const input = path.join(dir, 'prompts.jsonl');
    writeFileSync(input, twoKindPrompts(400).map(({ prompt }) => JSON.stringify({ prompt })).join('\n') + '\n');
    const labels = path.join(dir, 'labels.jsonl');
    const labelArgs = ['label', '--input', input, '--output', labels, '--strong-model', MODELS.strong, '--weak-model', MODELS.weak, '--judge-model', MODELS.judge];
    const urls = ['--base-url', answerServer.baseURL, '--judge-base-url', judgeServer.baseURL, '--concurrency', '16', '--json'];
    const first = await runCli([...labelArgs, ...urls]);
    expect(first.stderr).toContain('labelling');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ prompts: 400, labelled: 400, failed: 0, outcomes: { strong: 200, weak: 200 } });
    expect(answerServer.requests).toHaveLength(800);
    expect(judgeServer.requests).toHaveLength(400);

    answerServer.reset();
    judgeServer.reset();
    const again = await runCli([...labelArgs, ...urls]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyLabelled: 400, labelled: 0, requests: 0 });
    expect(answerServer.requests.length + judgeServer.requests.length).toBe(0);
    expect(jsonLines(labels)).toHaveLength(400);

    const heldOut = twoKindPrompts(80, 1000);
    const heldOutFile = path.join(dir, 'held-out.jsonl');
    writeFileSync(heldOutFile, heldOut.map(({ prompt, hard }) => JSON.stringify({ prompt, hard })).join('\n') + '\n');
    const pair = ['--strong-model', MODELS.strong, '--weak-model', MODELS.weak];
    const trainings = await Promise.all(
      (['sw_ranking', 'mf'] as const).map((router) =>
        runCli(['train', router, '--data', labels, '--output', path.join(dir, router), '--decontaminate', 'false', '--json', ...(router === 'mf' ? ['--epochs', '30'] : [])]),
      ),
    );
    for (const training of trainings) expect(training.stderr + training.stdout).not.toMatch(/Error/);
    for (const training of trainings) expect(training.code).toBe(0);
    for (const router of ['sw_ranking', 'mf']) {
      const scored = path.join(dir, `${router}-scored.jsonl`);
      const result = await runCli(['score', '--router', router, '--weights', path.join(dir, router), ...pair, '--input', heldOutFile, '--output', scored]);
      expect(result.code).toBe(0);
      const rows = jsonLines(scored);
      const auc = rocAuc(rows.map((row) => row.strong_win_rate), rows.map((row) => row.hard));
      expect(auc, `${router} AUC`).toBeGreaterThanOrEqual(0.85);
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
