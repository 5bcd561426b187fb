import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    server: 'src/server/index.ts',
    eval: 'src/eval/index.ts',
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', server: 'src/server/index.ts', eval: 'src/eval/index.ts' } },
  shims: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
});
