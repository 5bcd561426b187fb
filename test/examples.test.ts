import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './helpers/fake-openai-server.js';
import { root } from './helpers/run-cli.js';

let upstream: FakeOpenAIServer;
beforeAll(async () => {
  upstream = await startFakeOpenAIServer();
});
afterAll(async () => {
  await upstream?.close();
});

describe('examples import routellm by its package name and run from a checkout (npm run example)', () => {
  it('examples/openai.ts routes through the package exports to a loopback OpenAI server', async () => {
    const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'example', '--', 'examples/openai.ts', 'Say hi'], {
      cwd: root,
      timeout: 60_000,
      env: { ...process.env, OPENAI_BASE_URL: upstream.baseURL, OPENAI_API_KEY: 'test', ROUTELLM_EXAMPLE_ROUTER: 'random' },
    });
    expect(stdout).toContain('Say hi');
    expect(stdout).toMatch(/routing: \{[\s\S]*router: 'random'/);
    expect(upstream.requests.map((request) => request.body.model)).toEqual([expect.stringMatching(/^gpt-4o(-mini)?$/)]);
  });
});
