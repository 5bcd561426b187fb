import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    server: 'src/server/index.ts',
    eval: 'src/eval/index.ts',
    train: 'src/train/index.ts',
    'ai-sdk': 'src/ai-sdk/index.ts',
    cli: 'src/cli/main.ts',
    // Started by the use-lite embedder's `workers` option (new Worker on this file).
    'use-lite-worker': 'src/embedders/use-lite/worker.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', server: 'src/server/index.ts', eval: 'src/eval/index.ts', train: 'src/train/index.ts', 'ai-sdk': 'src/ai-sdk/index.ts' } },
  shims: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'ai', '@ai-sdk/provider'],
});
