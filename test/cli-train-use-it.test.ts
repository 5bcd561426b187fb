import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const TOPICS = ['Prove that the sum of two even numbers is even.', 'Write a haiku about autumn leaves.', 'Which is a prime?\nA. 4\nB. 7', 'Tell me a joke about cats.'];

let dir: string;
const files = { battles: '', table: '' };

// Tiny training files made here: no benchmark data needed. The battles name none of the benchmark
// pair, so the pair routers must choose their default pair from the data.
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-use-it-'));
  const models = ['gpt-4', 'vicuna-13b', 'koala-13b'];
  const battles = Array.from({ length: 36 }, (_, i) => {
    const [a, b] = [models[i % 3], models[(i + 1) % 3]];
    // gpt-4 wins every battle it is in; koala-13b loses every battle it is in.
    const winner = a === 'gpt-4' || b === 'koala-13b' ? 'model_a' : 'model_b';
    return { prompt: `${TOPICS[i % 4]} (variant ${i})`, model_a: a, model_b: b, winner };
  });
  files.battles = path.join(dir, 'battles.jsonl');
  writeFileSync(files.battles, battles.map((row) => JSON.stringify(row)).join('\n') + '\n');
  const rows = Array.from({ length: 24 }, (_, i) => ({
    prompt: `${TOPICS[i % 4]} (variant ${i})`,
    correct: { 'gpt-4-1106-preview': 1, 'mistralai/Mixtral-8x7B-Instruct-v0.1': i % 4 === 0 || i % 4 === 2 ? 0 : 1 },
  }));
  files.table = path.join(dir, 'table.jsonl');
  writeFileSync(files.table, rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const CASES: [router: string, data: keyof typeof files, extra: string[]][] = [
  ['mf', 'battles', ['--epochs', '2']],
  ['sw_ranking', 'battles', []],
  ['bert', 'battles', ['--epochs', '2']],
  ['ridge', 'table', []],
];

describe.concurrent('routellm train writes what route needs: the printed "Use it:" line works', () => {
  for (const [router, data, extra] of CASES) {
    it(`${router}: train, then route with only --router and --weights`, async () => {
      const weights = path.join(dir, `my-${router}`);
      const train = await runCli(['train', router, '--data', files[data], '--output', weights, '--decontaminate', 'false', ...extra]);
      expect(train.code, train.stderr).toBe(0);
      const useIt = /Use it: routellm (route "<prompt>" .*)$/m.exec(train.stdout);
      expect(useIt?.[1]).toBe(`route "<prompt>" --router ${router} --weights ${weights}`);
      expect(train.stderr).toMatch(new RegExp(`${router}: calibration sample done \\d+/\\d+`));
      const calibration = JSON.parse(readFileSync(path.join(weights, 'calibration.json'), 'utf8'));
      expect(calibration.count).toBe(data === 'battles' ? 36 : 24);
      if (router === 'mf' || router === 'sw_ranking') {
        expect(train.stdout).toContain('default_pair: gpt-4 / koala-13b (win rates in the data)');
        expect([calibration.strong_model, calibration.weak_model]).toEqual(['gpt-4', 'koala-13b']);
      }
      const routed = await runCli(['route', 'Integrate x cubed', '--router', router, '--weights', weights, '--json']);
      expect(routed.code, routed.stderr).toBe(0);
      const decision = JSON.parse(routed.stdout);
      expect(decision.router).toBe(router);
      expect(decision.threshold).toBeGreaterThanOrEqual(Math.min(...calibration.scores));
      expect(decision.threshold).toBeLessThanOrEqual(Math.max(...calibration.scores));
      expect(decision.decision).toBe(decision.strong_win_rate >= decision.threshold ? 'strong' : 'weak');
    });
  }
});
