import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.js';

describe('the wasm backend and process-wide handlers', () => {
  it('leaves no uncaughtException or unhandledRejection listener behind', async () => {
    const before = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    await initBackend('wasm');
    expect([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')]).toEqual(before);
  });

  it("keeps an application's own uncaughtException handler in charge", async () => {
    const backend = path.join(path.dirname(fileURLToPath(import.meta.url)), 'backend.ts');
    const script = `import { initBackend } from ${JSON.stringify(backend)};
      process.on('uncaughtException', (error) => { console.log('handled', error.message); });
      await initBackend('wasm');
      setTimeout(() => { throw new Error('boom'); }, 0);
      setTimeout(() => console.log('still running'), 50);`;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 60_000 });
    expect(stdout.trim().split('\n')).toEqual(['handled boom', 'still running']);
    expect(stderr).toBe('');
  });
});
