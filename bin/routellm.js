#!/usr/bin/env node
// Runs the built CLI (dist/cli.js) when present; in a source checkout, runs src/cli/main.ts through tsx.
// ROUTELLM_CLI_SOURCE=1 runs the source even when dist/ exists (the test suite sets it, so that a
// dist/ left by an earlier build never tests old code).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli.js');
if (existsSync(built) && process.env.ROUTELLM_CLI_SOURCE !== '1') {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
