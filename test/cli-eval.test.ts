import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { benchmarkDataDir, hasBenchmarkData } from './helpers/benchmark-data.js';
import { progressOf, withoutProgress } from './helpers/run-cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = benchmarkDataDir;
const bin = path.join(root, 'bin', 'routellm.js');

/** Runs `node bin/routellm.js ...args` as a process. */
function runCli(args: string[], options: { env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, ...options.env }, maxBuffer: 32 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('routellm eval', () => {
  it.skipIf(!hasBenchmarkData)('evaluates random on MT-Bench: table, results.json and plot.svg', async () => {
    const output = mkdtempSync(path.join(os.tmpdir(), 'routellm-eval-'));
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'routellm-cache-'));
    const result = await runCli(['eval', '--routers', 'random', '--benchmark', 'mt-bench', '--data-dir', dataDir, '--output', output], {
      env: { ROUTELLM_CACHE_DIR: cacheDir },
    });
    expect(withoutProgress(result.stderr).trim()).toBe('');
    // stderr is a pipe here: a plain line each time the scoring (10 seeds of 72 questions: 7, 14,
    // 22, ... done) enters a new tenth, then one at the end.
    expect(progressOf(result.stderr, 'scoring mt-bench with random')).toEqual({ percents: [10, 19, 31, 40, 50, 69, 81, 90, 100], done: true });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/MT-Bench \(72 questions/);
    expect(result.stdout).toMatch(/random \(10 seeds\)\s+0\.\d{3}\s+± 0\.0\d{2}\s+0\.\d{3}\s+[\d.]+%\s+[\d.]+%\s+[\d.]+%/);
    // The noise floor on 72 questions: one random router's APGR spreads by several hundredths.
    expect(result.stdout).toMatch(/Noise floor: one random router scores APGR 0\.\d{3} ± 0\.0[4-9]\d/);
    expect(result.stdout).toMatch(/optimal\s+0\.9\d\d/);
    const json = JSON.parse(readFileSync(path.join(output, 'results.json'), 'utf8'));
    expect(json).toMatchObject({ benchmark: 'mt-bench', strong_model: 'gpt-4-1106-preview', weak_model: 'mistralai/Mixtral-8x7B-Instruct-v0.1', n: 72 });
    const random = json.routers.random;
    expect(Math.abs(random.apgr - 0.5)).toBeLessThan(0.1);
    expect(random.cpt50).toBeGreaterThan(20);
    expect(random.cpt50).toBeLessThan(80);
    expect(random.points).toHaveLength(11);
    expect(random.points[0].strong_pct).toBe(100);
    expect(random.points[10].strong_pct).toBe(0);
    const svg = readFileSync(path.join(output, 'plot.svg'), 'utf8');
    expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain('Calls to the strong model (%)');
    expect(svg).toContain('MT-Bench score');
  });

  it('--json prints results.json; bad input is a clear error with exit code 2', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-eval-bad-'));
    const partial = path.join(dir, 'mine.csv');
    writeFileSync(partial, 'prompt,gpt-4-1106-preview\nhello,1\n');
    const graded = path.join(dir, 'graded.jsonl');
    writeFileSync(graded, '{"prompt":"a","big":9,"small":7}\n{"prompt":"b","big":8,"small":8}\n{"prompt":"c","big":7,"small":3}\n');
    const [json, unknownBenchmark, missingData, missingColumn, unknownRouter] = await Promise.all([
      runCli(['eval', '--routers', 'random', '--benchmark', graded, '--strong-model', 'big', '--weak-model', 'small', '--json', '--seeds', '3']),
      runCli(['eval', '--routers', 'random', '--benchmark', 'hellaswag', '--data-dir', dataDir]),
      runCli(['eval', '--routers', 'random', '--benchmark', 'gsm8k', '--data-dir', dir, '--output', path.join(dir, 'out')]),
      runCli(['eval', '--routers', 'random', '--benchmark', partial]),
      runCli(['eval', '--routers', 'random', 'nope', '--benchmark', 'mt-bench']),
    ]);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed).toMatchObject({ benchmark: 'file:graded.jsonl', strong_model: 'big', weak_model: 'small', n: 3, strong_score: 8, weak_score: 6 });
    expect(unknownBenchmark.code).toBe(2);
    expect(unknownBenchmark.stderr).toMatch(/--benchmark: unknown benchmark "hellaswag"\. Valid benchmarks: mt-bench, mmlu, gsm8k/);
    expect(missingData.code).toBe(2);
    expect(missingData.stderr).toContain(path.join(dir, 'evals', 'gsm8k'));
    expect(missingData.stderr).toMatch(/github\.com\/lm-sys\/RouteLLM/);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
    expect(missingColumn.code).toBe(2);
    expect(missingColumn.stderr).toMatch(/mine\.csv:1.*weak model "mistralai\/Mixtral-8x7B-Instruct-v0\.1".*--weak-model/);
    expect(unknownRouter.code).toBe(2);
    expect(unknownRouter.stderr).toMatch(/Unknown router "nope"/);
  });

  it('--outcome pairwise scores each prompt as a win, a tie or a loss; rows without both scores are left out', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-eval-pairwise-'));
    const graded = path.join(dir, 'graded.jsonl');
    const rows = [
      { prompt: 'a', scores: { big: 9, small: 7 } },
      { prompt: 'b', scores: { big: 8, small: 8 } },
      { prompt: 'c', scores: { big: 7, small: 3 } },
      { prompt: 'd', scores: { big: null, small: 5 } },
      { prompt: 'e', scores: { big: 2, small: 6 } },
    ];
    writeFileSync(graded, rows.map((row) => JSON.stringify(row)).join('\n'));
    const garbled = path.join(dir, 'garbled.jsonl');
    writeFileSync(garbled, '{"prompt":"a","big":"nine","small":7}\n');
    const pair = ['--strong-model', 'big', '--weak-model', 'small', '--seeds', '2'];
    const [scores, pairwise, table, badOutcome, withModels, badScore] = await Promise.all([
      runCli(['eval', '--routers', 'random', '--benchmark', graded, ...pair, '--json']),
      runCli(['eval', '--routers', 'random', '--benchmark', graded, ...pair, '--json', '--outcome', 'pairwise']),
      runCli(['eval', '--routers', 'random', '--benchmark', graded, ...pair, '--outcome', 'pairwise']),
      runCli(['eval', '--routers', 'random', '--benchmark', graded, ...pair, '--outcome', 'votes']),
      runCli(['eval', '--routers', 'random', '--benchmark', graded, '--models', 'big', 'small', '--outcome', 'pairwise']),
      runCli(['eval', '--routers', 'random', '--benchmark', garbled, ...pair]),
    ]);
    expect(scores.code).toBe(0);
    expect(JSON.parse(scores.stdout)).toMatchObject({ benchmark: 'file:graded.jsonl', n: 4, strong_score: 6.5, weak_score: 6 });
    expect(pairwise.code).toBe(0);
    // Wins on a and c, a tie on b, a loss on e: the strong answer is preferred on 62.5% of the prompts.
    expect(JSON.parse(pairwise.stdout)).toMatchObject({ benchmark: 'file:graded.jsonl:pairwise', n: 4, strong_score: 62.5, weak_score: 37.5, unit: 'preference-percent' });
    expect(table.stdout).toMatch(/graded\.jsonl \(4 prompts; 1 rows without both scores left out\), pairwise/);
    expect(table.stdout).toMatch(/Strong big: 62\.50%\s+Weak small: 37\.50%/);
    expect(badOutcome.code).toBe(2);
    expect(badOutcome.stderr).toMatch(/--outcome must be scores or pairwise, got "votes"/);
    expect(withModels.code).toBe(2);
    expect(withModels.stderr).toMatch(/--outcome applies to the strong\/weak evaluation/);
    expect(badScore.code).toBe(2);
    expect(badScore.stderr).toMatch(/garbled\.jsonl:1.*column "big": expected a number or True\/False, got "nine"/);
  });
});
