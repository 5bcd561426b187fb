import { describe, expect, it } from 'vitest';
import { extremeThresholdWarning, strongShareOnSample } from '../src/calibration/threshold-warning.js';
import { calibrateThreshold } from '../src/calibration/index.js';
import { parseArgs, type CommandSpec } from '../src/cli/args.js';
import { Controller, createRouter, InvalidOptionsError } from '../src/index.js';
import { startFakeOpenAIServer } from './helpers/fake-openai-server.js';
import { runCli } from './helpers/run-cli.js';

describe('migrating from the Python RouteLLM (docs/from-python.md)', () => {
  it('calibrate accepts --routers, the Python spelling of --router', async () => {
    const result = await runCli(['calibrate', '--routers', 'random', '--strong-model-pct', '0.3', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ router: 'random', threshold: 0.7 });
  });

  it('an alias that ignores values reads the router names after it (eval --overwrite-cache mf bert)', () => {
    const spec: CommandSpec = {
      name: 'eval',
      summary: '',
      usage: '',
      flags: [
        { name: 'routers', type: 'list', description: '' },
        { name: 'no-cache', type: 'boolean', description: '', aliases: ['overwrite-cache'], aliasIgnoresValues: true },
      ],
    };
    expect(parseArgs(['--overwrite-cache', 'mf', 'bert', '--routers', 'random'], spec).flags).toEqual({ 'no-cache': true, routers: ['random'] });
    expect(parseArgs(['--no-cache', 'extra'], spec).positionals).toEqual(['extra']);
  });

  it('a Python-only option (checkpoint_path) fails with what to use instead and the migration page', async () => {
    // @ts-expect-error checkpoint_path is not an option of mf (the point of the test)
    const error = await createRouter('mf', { checkpoint_path: 'routellm/mf_gpt4_augmented' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as Error).message).toMatch(/checkpoint_path: an option of the Python RouteLLM; here: weights are a folder: `weightsDir`/);
    expect((error as Error).message).toContain('docs/from-python.md');
  });

  it('warns when a threshold sends over 95% or under 5% of the calibration sample to the strong model', async () => {
    const half = (await calibrateThreshold({ router: 'mf', strongModelPct: 0.5 })).threshold;
    expect(strongShareOnSample('mf', half)).toBeCloseTo(0.5, 1);
    expect(extremeThresholdWarning('mf', half)).toBeUndefined();
    // The threshold the Python README gives for its own mf checkpoint.
    expect(extremeThresholdWarning('mf', 0.11593)).toMatch(/threshold 0.11593 sends 100.0% of the mf router's calibration sample/);
    expect(extremeThresholdWarning('random', 0.99)).toMatch(/sends 1.0% of the random router's/);
    expect(extremeThresholdWarning('random', 0.5)).toBeUndefined();
  });

  it('the Controller emits the warning once per model string', async () => {
    const warnings: string[] = [];
    const listener = (warning: Error & { code?: string }) => {
      if (warning.code === 'ROUTELLM_EXTREME_THRESHOLD') warnings.push(warning.message);
    };
    process.on('warning', listener);
    const upstream = await startFakeOpenAIServer();
    const endpoint = { baseURL: upstream.baseURL, apiKey: 'test' };
    const controller = new Controller({ routers: ['random'], strongModel: 'strong', weakModel: 'weak', endpoints: { strong: endpoint, weak: endpoint } });
    try {
      for (const model of ['router-random-0.99', 'router-random-0.99', 'router-random-0.5']) {
        await controller.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('routellm calibrate --router random');
    } finally {
      process.off('warning', listener);
      await controller.dispose();
      await upstream.close();
    }
  });
});
