import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { root, runCli } from './helpers/run-cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-cli-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Packages that some commands need and others must not pay for at start (each 20-300 ms to load). */
const HEAVY = ['openai', '@anthropic-ai/sdk', '@opentelemetry/api', 'zod', 'yaml', 'pino', 'prom-client', '@tensorflow/tfjs-core', '@tensorflow/tfjs-converter', '@tensorflow/tfjs-backend-wasm'];

let runs = 0;
/** Runs the CLI through its real entry point and returns its exit code and the HEAVY packages it loaded. */
async function heavyPackagesLoaded(args: string[]): Promise<{ code: number; stdout: string; heavy: string[] }> {
  const log = path.join(dir, `modules-${runs++}.txt`);
  const preload = `--import ${pathToFileURL(path.join(root, 'test', 'helpers', 'module-log.mjs')).href}`;
  const result = await runCli(args, { env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${preload}`.trim(), ROUTELLM_MODULE_LOG: log } });
  const packages = new Set(readFileSync(log, 'utf8').split('\n').flatMap((line) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line)?.[1] ?? []));
  return { code: result.code, stdout: result.stdout, heavy: HEAVY.filter((name) => packages.has(name)) };
}

describe('what a CLI command loads before it works', () => {
  it('--help loads none of the heavy packages, serve --help only zod (not the server)', async () => {
    const { code, heavy } = await heavyPackagesLoaded(['--help']);
    expect(code).toBe(0);
    expect(heavy).toEqual([]);
    const serveHelp = await heavyPackagesLoaded(['serve', '--help']);
    expect(serveHelp.code).toBe(0);
    expect(serveHelp.stdout).toContain('--models');
    expect(serveHelp.heavy).toEqual(['zod']);
  });

  it('route with the random router loads only zod: no provider SDK, tracing, YAML or TensorFlow.js', async () => {
    const { code, stdout, heavy } = await heavyPackagesLoaded(['route', 'What is 2 + 2?', '--router', 'random', '--threshold', '0.5', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).router).toBe('random');
    expect(heavy).toEqual(['zod']);
  });

  it('route with the default router loads the tfjs core and wasm backend, not the graph converter or the SDKs', async () => {
    const { code, stdout, heavy } = await heavyPackagesLoaded(['route', 'Prove that there are infinitely many primes.', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).decision).toMatch(/^(strong|weak)$/);
    expect(heavy).toEqual(['zod', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm']);
  });

  it('route --models loads the Controller and its provider SDK, and a YAML config loads yaml', async () => {
    const { code, heavy } = await heavyPackagesLoaded(['route', 'hi', '--router', 'random', '--models', 'a', 'b', '--prices', 'a=1,b=2', '--json']);
    expect(code).toBe(0);
    expect(heavy).toContain('openai');
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, 'random:\n  seed: 3\n');
    const withYaml = await heavyPackagesLoaded(['route', 'hi', '--router', 'random', '--threshold', '0.5', '--config', config, '--json']);
    expect(withYaml.code).toBe(0);
    expect(withYaml.heavy).toContain('yaml');
  });
});
