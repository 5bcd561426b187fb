/**
 * Type-checks a tiny consumer project against the built package, as a user sees it: strict,
 * `skipLibCheck: false`, every public entry point imported (ESM and CJS), and none of the optional
 * peers resolvable (`@anthropic-ai/sdk`, `@huggingface/transformers`, `ai`, `@ai-sdk/*`: the
 * `routellm/ai-sdk` types are structural too). Fails (exit 1, tsc's errors printed) when a public
 * `.d.ts` names a type the user may not have installed.
 *
 *   npm run check:consumer-types                        # npm run build, then the check
 *   npx tsx scripts/check-consumer-types.ts --no-build  # check the dist/ already built
 *
 * Run by `.ci/run` after the tests, not by `npm test`: the build alone takes about a minute on the
 * 2-vCPU machine (the check itself about 8 s).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Optional peers (packages or scopes; `ai-v6` is this checkout's alias of `ai` 6) a consumer may not have. */
const ABSENT = ['@anthropic-ai', '@huggingface', 'ai', 'ai-v6', '@ai-sdk'];
const ENTRY_POINTS = ['routellm', 'routellm/server', 'routellm/eval', 'routellm/train', 'routellm/ai-sdk'];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!process.argv.includes('--no-build')) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });

const project = mkdtempSync(path.join(tmpdir(), 'routellm-consumer-'));
try {
  const modules = path.join(project, 'node_modules');
  const installed = path.join(modules, 'routellm');
  mkdirSync(installed, { recursive: true });
  // The package as installed: its manifest and type declarations (a real copy, so resolution from
  // it never walks back into this checkout's node_modules).
  cpSync(path.join(root, 'package.json'), path.join(installed, 'package.json'));
  cpSync(path.join(root, 'dist'), path.join(installed, 'dist'), { recursive: true, filter: (source) => !/\.(js|cjs|map)$/.test(source) });
  // Its dependencies (and @types/node) from this checkout, less the absent peers.
  for (const entry of readdirSync(path.join(root, 'node_modules'))) {
    if (entry.startsWith('.') || entry === 'routellm' || ABSENT.includes(entry)) continue;
    symlinkSync(path.join(root, 'node_modules', entry), path.join(modules, entry));
  }
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const imports = ENTRY_POINTS.map((entry, index) => `import * as entry${index} from '${entry}';`).join('\n');
  const uses = ENTRY_POINTS.map((_, index) => `entry${index}`).join(', ');
  writeFileSync(
    path.join(project, 'esm.ts'),
    `${imports}\nimport { Controller, type ControllerOptions } from 'routellm';\n` +
      `const options: ControllerOptions = { routers: ['random'], strongModel: 'gpt-4o', weakModel: 'claude-3-5-haiku-latest' };\n` +
      `export const controller = new Controller(options);\nexport const all = [${uses}];\n`,
  );
  writeFileSync(
    path.join(project, 'cjs.cts'),
    `${ENTRY_POINTS.map((entry, index) => `import entry${index} = require('${entry}');`).join('\n')}\nexport const all = [${uses}];\n`,
  );
  writeFileSync(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'] },
      files: ['esm.ts', 'cjs.cts'],
    }),
  );
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: project, encoding: 'utf8' });
  const output = `${tsc.stdout}${tsc.stderr}`;
  if (tsc.status !== 0) {
    process.stdout.write(output);
    console.error(`consumer type-check failed (skipLibCheck: false, without ${ABSENT.join(', ')})`);
    process.exitCode = 1;
  } else {
    console.log(`consumer type-check passed: ${ENTRY_POINTS.join(', ')} (ESM and CJS), skipLibCheck: false, without ${ABSENT.join(', ')}`);
  }
} finally {
  rmSync(project, { recursive: true, force: true });
}
