import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { progressOf, withoutProgress } from './helpers/run-cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'routellm.js');

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, ...env }, maxBuffer: 32 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const MODELS = ['gpt-4-1106-preview', 'claude-2', 'mistralai/mixtral-8x7b-chat'];
const PROMPTS = [
  'Prove that there are infinitely many primes.',
  'Write a haiku about autumn leaves.',
  'What is the derivative of x^3 * sin(x)?',
  'Tell me a joke about cats.',
  'Implement quicksort in Python and explain its complexity.',
  'Say hello in French.',
];

describe('routellm eval --models (N models)', () => {
  it('sweeps the knob with the shipped mf weights: singles, hull, oracle, router, results.json and plot.svg; clear errors', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-eval-n-'));
    const env = { ROUTELLM_CACHE_DIR: mkdtempSync(path.join(os.tmpdir(), 'routellm-cache-')) };
    const benchmark = path.join(dir, 'bench.jsonl');
    writeFileSync(
      benchmark,
      PROMPTS.map((prompt, i) =>
        JSON.stringify({
          prompt,
          correct: { 'gpt-4-1106-preview': 1, 'claude-2': i % 2, 'mistralai/mixtral-8x7b-chat': i % 3 === 0 ? 1 : 0 },
          cost_usd: { 'gpt-4-1106-preview': 0.01, 'claude-2': 0.004, 'mistralai/mixtral-8x7b-chat': 0.0002 },
        }),
      ).join('\n') + '\n',
    );
    const output = path.join(dir, 'out');
    const result = await runCli(['eval', '--routers', 'mf', '--benchmark', benchmark, '--models', ...MODELS, '--output', output], env);
    expect(withoutProgress(result.stderr).trim()).toBe('');
    expect(progressOf(result.stderr, 'scoring bench.jsonl with mf')).toEqual({ percents: [0, 100], done: true });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/6 prompts, 3 models \(costs from the file\)/);
    expect(result.stdout).toMatch(/gpt-4-1106-preview\s+\$0\.0100\s+1\.0000/);
    expect(result.stdout).toMatch(/single-model hull\s+AIQ 0\.6667/);
    const json = JSON.parse(readFileSync(path.join(output, 'results.json'), 'utf8'));
    expect(json.models).toEqual(['gpt-4-1106-preview', 'claude-2', 'mistralai/Mixtral-8x7B-Instruct-v0.1']);
    expect(json.singles.map((p: { quality: number }) => +p.quality.toFixed(4))).toEqual([1, 0.5, 0.3333]);
    // Mixtral then GPT-4: claude-2 (0.5 at $0.004) lies below the chord (0.333 at $0.0002 -> 1 at $0.01).
    expect(json.singleHull.hull.map((p: { cost: number }) => p.cost)).toEqual([0.0002, 0.01]);
    // The oracle reaches every prompt's cheapest right answer: quality 1 at (2 x 0.0002 + 2 x 0.004 + 2 x 0.01) / 6.
    const top = json.oracle.hull[json.oracle.hull.length - 1];
    expect(top.quality).toBe(1);
    expect(top.cost).toBeCloseTo(0.0284 / 6, 12);
    expect(json.oracle.aiq).toBeGreaterThan(json.singleHull.aiq);
    const mf = json.routers.mf;
    expect(mf.points).toHaveLength(101);
    expect(mf.points[0]).toMatchObject({ knob: 0, cost: 0.0002 });
    expect(mf.aiq).toBeGreaterThan(0.3);
    expect(mf.aiq).toBeLessThanOrEqual(json.oracle.aiq);
    const svg = readFileSync(path.join(output, 'plot.svg'), 'utf8');
    expect(svg).toContain('Mean cost per request (USD)');
    expect(svg).toContain('single-model hull');

    const [pairOnly, unknown, noPrices, badPrice, pricesWithoutModels, weightsForTwo] = await Promise.all([
      runCli(['eval', '--routers', 'ridge', '--benchmark', benchmark, '--models', ...MODELS], env),
      runCli(['eval', '--routers', 'mf', '--benchmark', benchmark, '--models', 'gpt-4-1106-preview', 'gpt-9'], env),
      runCli(['eval', '--routers', 'mf', '--benchmark', (writeFileSync(path.join(dir, 'plain.jsonl'), '{"prompt":"a","scores":{"claude-2":1,"gpt-4":0}}\n'), path.join(dir, 'plain.jsonl')), '--models', 'claude-2', 'gpt-4'], env),
      runCli(['eval', '--routers', 'mf', '--benchmark', benchmark, '--models', ...MODELS, '--prices', 'claude-2=cheap'], env),
      runCli(['eval', '--routers', 'mf', '--benchmark', benchmark, '--prices', 'claude-2=1'], env),
      runCli(['eval', '--routers', 'mf', 'sw_ranking', '--weights', dir, '--benchmark', benchmark, '--models', ...MODELS], env),
    ]);
    expect([pairOnly.code, unknown.code, noPrices.code, badPrice.code, pricesWithoutModels.code, weightsForTwo.code]).toEqual([2, 2, 2, 2, 2, 2]);
    expect(weightsForTwo.stderr).toMatch(/--weights applies to one router/);
    expect(pairOnly.stderr).toMatch(/ridge score a model pair only/);
    expect(unknown.stderr).toMatch(/model "gpt-9"/);
    expect(noPrices.stderr).toMatch(/prices.*no "cost_usd"/);
    expect(badPrice.stderr).toMatch(/input price of "claude-2"/);
    expect(pricesWithoutModels.stderr).toMatch(/--prices applies to the N-model evaluation/);
  }, 120_000);
});
