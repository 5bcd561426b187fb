import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The optional peers, by their node_modules folder (a scope): what `npm install routellm` leaves out. */
const LEFT_OUT = ['@huggingface', '@anthropic-ai', 'onnxruntime-node', 'onnxruntime-web', 'onnxruntime-common', 'sharp'];
let project: string;

// A copy of the sources beside a node_modules without the optional peers (and what only they pull in).
beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'routellm-without-peers-'));
  cpSync(path.join(root, 'src'), path.join(project, 'src'), { recursive: true });
  cpSync(path.join(root, 'package.json'), path.join(project, 'package.json'));
  cpSync(path.join(root, 'tsconfig.json'), path.join(project, 'tsconfig.json'));
  symlinkSync(path.join(root, 'weights'), path.join(project, 'weights'));
  mkdirSync(path.join(project, 'node_modules'));
  mkdirSync(path.join(project, 'model'));
  for (const entry of readdirSync(path.join(root, 'node_modules'))) {
    if (LEFT_OUT.includes(entry)) continue;
    symlinkSync(path.join(root, 'node_modules', entry), path.join(project, 'node_modules', entry));
  }
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

async function run(script: string): Promise<unknown> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: project,
    timeout: 60_000,
    env: { ...process.env, ANTHROPIC_API_KEY: 'test-key' },
  });
  return JSON.parse(stdout.trim());
}

const REPORT = `(error) => console.log(JSON.stringify({ name: error.name, code: error.code, packageName: error.packageName, message: error.message }))`;

describe('without the optional peers (@huggingface/transformers, @anthropic-ai/sdk)', () => {
  it('bert in onnx mode fails with a MissingPeerDependencyError naming @huggingface/transformers', async () => {
    const output = await run(`
      const { createRouter } = await import('./src/index.ts');
      await createRouter('bert', { mode: 'onnx', model: './model' }).then(() => console.log('{}'), ${REPORT});`);
    expect(output).toMatchObject({ name: 'MissingPeerDependencyError', code: 'missing_peer_dependency', packageName: '@huggingface/transformers' });
    expect((output as { message: string }).message).toContain('npm install @huggingface/transformers');
  });

  it('the transformers embedder names the package too', async () => {
    const output = await run(`
      const { createTransformersEmbedder } = await import('./src/index.ts');
      await createTransformersEmbedder({ model: './model' }).then(() => console.log('{}'), ${REPORT});`);
    expect(output).toMatchObject({ name: 'MissingPeerDependencyError', packageName: '@huggingface/transformers' });
  });

  it('a Claude model through the Controller fails with a MissingPeerDependencyError naming @anthropic-ai/sdk', async () => {
    const output = await run(`
      const { Controller } = await import('./src/index.ts');
      const controller = new Controller({ routers: ['random'], strongModel: 'claude-sonnet-4-5', weakModel: 'claude-haiku-4-5' });
      const request = { model: 'router-random-0.5', messages: [{ role: 'user', content: 'hi' }] };
      await controller.chat.completions.create(request).then(() => console.log('{}'), ${REPORT});`);
    expect(output).toMatchObject({ name: 'MissingPeerDependencyError', packageName: '@anthropic-ai/sdk' });
  });

  it('the random and mf routers still route (mf: its shipped weights and the wasm backend)', async () => {
    const output = await run(`
      const { createRouter } = await import('./src/index.ts');
      const random = await createRouter('random', { seed: 1 });
      const mf = await createRouter('mf');
      const score = await mf.strongWinRate('Prove that there are infinitely many primes.');
      console.log(JSON.stringify({ random: await random.route('hello', 0), mf: score > 0 && score < 1 }));
      await mf.dispose();`);
    expect(output).toEqual({ random: 'strong', mf: true });
  });
});
