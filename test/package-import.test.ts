import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('importing routellm', () => {
  // Shared objects a process has loaded are listed in /proc/self/maps (Linux only).
  it.runIf(existsSync('/proc/self/maps'))('does not load onnxruntime or sharp until a transformers model is used', async () => {
    const script = `
      const { readFileSync } = await import('node:fs');
      const loaded = () => { const maps = readFileSync('/proc/self/maps', 'utf8'); return ['onnxruntime', 'sharp'].filter((name) => maps.includes(name)).join(',') || 'none'; };
      const routellm = await import(${JSON.stringify(path.join(root, 'src', 'index.ts'))});
      console.log('after import:', loaded());
      await import('@huggingface/transformers');
      console.log('after importing transformers:', loaded(), typeof routellm.createTransformersEmbedder);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, timeout: 60_000 });
    expect(stdout.trim().split('\n')).toEqual(['after import: none', 'after importing transformers: onnxruntime,sharp function']);
  });

  it('does not load TensorFlow.js until a router or embedder needs tensors', async () => {
    // tfjs's Node entry points are CommonJS, so once loaded they sit in the CommonJS module cache.
    const script = `
      const { createRequire } = await import('node:module');
      const cache = createRequire(import.meta.url).cache;
      const loaded = () => Object.keys(cache).some((file) => file.includes('@tensorflow')) ? 'tfjs' : 'none';
      const routellm = await import(${JSON.stringify(path.join(root, 'src', 'index.ts'))});
      const random = await routellm.createRouter('random');
      await random.strongWinRate('hi');
      console.log('after import and the random router:', loaded());
      await routellm.initBackend();
      console.log('after initBackend:', loaded(), routellm.backendInfo().name);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, timeout: 60_000 });
    expect(stdout.trim().split('\n')).toEqual(['after import and the random router: none', 'after initBackend: tfjs wasm']);
  });
});
