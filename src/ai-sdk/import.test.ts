import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let project: string;

// A copy of the package's sources beside a node_modules that has every installed package but `ai`:
// what an application that never installed the AI SDK sees.
beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'routellm-without-ai-'));
  cpSync(path.join(root, 'src'), path.join(project, 'src'), { recursive: true });
  cpSync(path.join(root, 'package.json'), path.join(project, 'package.json'));
  cpSync(path.join(root, 'tsconfig.json'), path.join(project, 'tsconfig.json'));
  mkdirSync(path.join(project, 'node_modules'));
  for (const entry of readdirSync(path.join(root, 'node_modules'))) {
    if (entry === 'ai' || entry === 'ai-v6') continue;
    symlinkSync(path.join(root, 'node_modules', entry), path.join(project, 'node_modules', entry));
  }
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

async function run(script: string, cwd = project): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd, timeout: 60_000 });
  return stdout.trim();
}

describe('without the ai package installed', () => {
  it('importing routellm works and routes', async () => {
    const output = await run(`
      const routellm = await import('./src/index.ts');
      const router = await routellm.createRouter('random', { seed: 1 });
      console.log(typeof routellm.Controller, await router.route('hello', 0) );`);
    expect(output).toBe('function strong');
  });

  it('importing routellm/ai-sdk fails with a MissingPeerDependencyError naming "ai"', async () => {
    const output = await run(`
      try {
        await import('./src/ai-sdk/index.ts');
        console.log('imported');
      } catch (error) {
        console.log(JSON.stringify({ name: error.name, code: error.code, packageName: error.packageName, message: error.message }));
      }`);
    expect(JSON.parse(output)).toEqual({
      name: 'MissingPeerDependencyError',
      code: 'missing_peer_dependency',
      packageName: 'ai',
      message: 'routellm/ai-sdk needs the package "ai", which is not installed: npm install ai',
    });
  });
});

describe('with the ai package installed', () => {
  it('importing routellm and routing never resolves ai or @ai-sdk/* (seen by a hook that sees them once ai is imported)', async () => {
    // A module resolution hook (node:module register) appends every AI SDK specifier it sees to a file.
    const log = path.join(project, 'resolved.log');
    const hook = path.join(project, 'log-ai-sdk.mjs');
    writeFileSync(log, '');
    writeFileSync(
      hook,
      `import { appendFileSync } from 'node:fs';
      export async function resolve(specifier, context, next) {
        if (specifier === 'ai' || specifier.startsWith('@ai-sdk/')) appendFileSync(${JSON.stringify(log)}, specifier + '\\n');
        return next(specifier, context);
      }`,
    );
    const seen = () => readFileSync(log, 'utf8').trim();
    const script = (after: string) => `
      const { register } = await import('node:module');
      register(${JSON.stringify(pathToFileURL(hook).href)});
      const routellm = await import(${JSON.stringify(path.join(root, 'src', 'index.ts'))});
      ${after}`;
    await run(script(`const router = await routellm.createRouter('random'); await router.route('hi', 0.5);`), root);
    expect(seen()).toBe('');
    await run(script(`await import('ai');`), root);
    expect(seen().split('\n')).toEqual(expect.arrayContaining(['ai', '@ai-sdk/provider']));
  });
});
