import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // CLI tests spawn bin/routellm.js: make it run src/, not a dist/ left by an earlier build.
    env: { ROUTELLM_CLI_SOURCE: '1' },
  },
});
