import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, liveTensorCount } from '../../core/backend.js';
import { BackendError, InvalidOptionsError, WeightsError } from '../../errors.js';
import { readUseLiteGraphFiles } from './files.js';
import { createUseLiteEmbedder, defaultUseLiteModelDir, type UseLiteEmbedder } from './index.js';
import { UseLiteWorkerPool } from './worker-pool.js';
import { maxAbsDifference } from '../../../test/helpers/arrays.js';

const TEXTS = [
  'Short.',
  'A considerably longer prompt with many more tokens than the others in this batch, written on purpose to vary lengths.',
  'Medium length prompt about routing.',
  'Short.',
  '',
  'Explain the difference between a list and a tuple in Python, with an example of each.',
  'What is 17 times 23?',
];

describe('use-lite on worker threads', () => {
  let inThread: UseLiteEmbedder;
  let expected: Float32Array;

  beforeAll(async () => {
    await initBackend('wasm');
    inThread = createUseLiteEmbedder({ cacheSize: 0 });
    expected = await inThread.embed(TEXTS);
  });

  afterAll(async () => {
    await inThread.dispose();
  });

  it('gives the vectors of the in-thread model, for one call, small batches and concurrent calls', async () => {
    const pooled = createUseLiteEmbedder({ workers: 2, batchSize: 2, cacheSize: 0 });
    try {
      const tensorsBefore = liveTensorCount();
      const vectors = await pooled.embed(TEXTS);
      expect(vectors).toHaveLength(TEXTS.length * 512);
      expect(maxAbsDifference(vectors, expected)).toBeLessThan(1e-5);
      // The model lives in the workers: the calling thread holds no tensors for it.
      expect(liveTensorCount()).toBe(tensorsBefore);

      const halves = await Promise.all([pooled.embed(TEXTS.slice(0, 3)), pooled.embed(TEXTS.slice(3))]);
      expect(maxAbsDifference(halves[0], expected.subarray(0, 3 * 512))).toBeLessThan(1e-5);
      expect(maxAbsDifference(halves[1], expected.subarray(3 * 512))).toBeLessThan(1e-5);
    } finally {
      await pooled.dispose();
    }
  });

  it('fails a batch after dispose with a typed error, and works again when used anew', async () => {
    const pooled = createUseLiteEmbedder({ workers: 1, cacheSize: 0 });
    await pooled.load();
    const running = expect(pooled.embed(TEXTS)).rejects.toBeInstanceOf(BackendError);
    await pooled.dispose();
    await running;
    const again = await pooled.embed(TEXTS.slice(0, 2));
    expect(maxAbsDifference(again, expected.subarray(0, 2 * 512))).toBeLessThan(1e-5);
    await pooled.dispose();
  });

  it('fails only the batch a worker cannot embed, with a BackendError, and keeps serving', async () => {
    const pool = await UseLiteWorkerPool.start(1, await readUseLiteGraphFiles(defaultUseLiteModelDir()));
    try {
      // An empty row is refused by the graph inside the worker (the embedder never sends one).
      const failed = pool.embedTokens([[5, 6, 7], []]);
      await expect(failed).rejects.toBeInstanceOf(BackendError);
      await expect(failed).rejects.toThrow(/failed on a batch.*at least one token/);
      const vectors = await pool.embedTokens([[5, 6, 7]]);
      expect(vectors).toHaveLength(512);
      expect(pool.workerCount).toBe(1);
    } finally {
      await pool.dispose();
    }
    expect(pool.workerCount).toBe(0);
    await expect(pool.embedTokens([[1]])).rejects.toThrow(/disposed/);
  });

  it('takes its default worker count from ROUTELLM_EMBED_WORKERS, and rejects a bad one by name', () => {
    const saved = process.env.ROUTELLM_EMBED_WORKERS;
    try {
      process.env.ROUTELLM_EMBED_WORKERS = '3';
      expect(createUseLiteEmbedder().workers).toBe(3);
      expect(createUseLiteEmbedder({ workers: 0 }).workers).toBe(0);
      for (const bad of ['two', '-1', '1.5', '65']) {
        process.env.ROUTELLM_EMBED_WORKERS = bad;
        expect(() => createUseLiteEmbedder()).toThrow(InvalidOptionsError);
        expect(() => createUseLiteEmbedder()).toThrow(/ROUTELLM_EMBED_WORKERS[\s\S]*integer from 0 to 64/);
      }
      delete process.env.ROUTELLM_EMBED_WORKERS;
      expect(createUseLiteEmbedder().workers).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.ROUTELLM_EMBED_WORKERS;
      else process.env.ROUTELLM_EMBED_WORKERS = saved;
    }
  });

  it('reports broken model files from the calling thread as WeightsError, starting no worker', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'use-lite-broken-'));
    try {
      await cp(defaultUseLiteModelDir(), dir, { recursive: true });
      const modelJson = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
      const shard = modelJson.weightsManifest[0].paths[0];
      await rm(path.join(dir, shard));
      const pooled = createUseLiteEmbedder({ workers: 2, modelDir: dir });
      await expect(pooled.embed(['x'])).rejects.toThrow(WeightsError);
      await expect(pooled.embed(['x'])).rejects.toThrow(shard);

      await writeFile(path.join(dir, 'model.json'), '{ not json');
      await expect(createUseLiteEmbedder({ workers: 1, modelDir: dir }).embed(['x'])).rejects.toThrow(/model\.json: not valid JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with a BackendError when a worker cannot load the graph', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'use-lite-bad-graph-'));
    try {
      await cp(defaultUseLiteModelDir(), dir, { recursive: true });
      const modelJson = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
      // Valid JSON and every shard present, but a topology tfjs cannot build.
      modelJson.modelTopology = { node: [{ name: 'broken', op: 'NoSuchOp' }] };
      await writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      // Two workers fail to load: the call fails once, and a second call tries again (and fails).
      const pooled = createUseLiteEmbedder({ workers: 2, modelDir: dir, exact: true });
      const failure = pooled.embed(['x']);
      await expect(failure).rejects.toBeInstanceOf(BackendError);
      await expect(failure).rejects.toThrow(/could not load the model/);
      await expect(pooled.embed(['y'])).rejects.toThrow(/could not load the model/);
      await pooled.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps a script alive while a worker embeds, and lets it exit once idle', async () => {
    // Idle workers are unref'd so they never hold a process open; a busy one must be ref'd, or
    // Node would exit with the embedding still pending and print nothing.
    const index = path.join(path.dirname(fileURLToPath(import.meta.url)), 'index.ts');
    const script = `import { createUseLiteEmbedder } from ${JSON.stringify(index)};
      const embedder = createUseLiteEmbedder({ workers: 1 });
      const vectors = await embedder.embed(['hello from a script']);
      console.log('length', vectors.length);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 60_000 });
    expect(stdout.trim()).toBe('length 512');
  });
});
