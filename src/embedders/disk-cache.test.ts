import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { defaultEmbeddingCacheDir, embedderFolderName, embeddingCachePath, withDiskCache } from './disk-cache.js';
import type { Embedder } from './types.js';

/** Test fixture: a deterministic hashed bag-of-words embedder that counts what it is asked. */
class CountingEmbedder implements Embedder {
  readonly dimension = 16;
  calls: string[][] = [];
  disposed = false;

  constructor(readonly id: string) {}

  async embed(texts: readonly string[]): Promise<Float32Array> {
    this.calls.push([...texts]);
    const out = new Float32Array(texts.length * this.dimension);
    texts.forEach((text, row) => {
      for (const word of text.split(/\s+/)) {
        const digest = createHash('md5').update(word).digest();
        out[row * this.dimension + (digest[0] % this.dimension)] += 1 + digest[1] / 255;
      }
    });
    return out;
  }

  dispose(): void {
    this.disposed = true;
  }
}

describe('withDiskCache', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'routellm-disk-cache-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores each vector content-addressed and serves it back bit-exact without calling the embedder', async () => {
    const inner = new CountingEmbedder('fake');
    const cached = withDiskCache(inner, dir);
    expect(cached.id).toBe('fake');
    expect(cached.dimension).toBe(16);
    const texts = ['alpha beta', 'gamma', 'alpha beta', 'delta epsilon zeta'];
    const first = await cached.embed(texts);
    expect(inner.calls).toEqual([['alpha beta', 'gamma', 'delta epsilon zeta']]);
    expect(first).toEqual(await new CountingEmbedder('fake').embed(texts));

    const digest = createHash('sha256').update('gamma', 'utf8').digest('hex');
    const file = path.join(dir, 'fake', digest.slice(0, 2), `${digest}.f32`);
    expect(embeddingCachePath(dir, 'fake', 'gamma')).toBe(file);
    expect((await stat(file)).size).toBe(16 * 4);
    expect(new Float32Array((await readFile(file)).buffer.slice(0))).toEqual(first.slice(16, 32));

    const again = withDiskCache(new CountingEmbedder('fake'), dir);
    const second = await again.embed(texts);
    expect((again.inner as CountingEmbedder).calls).toEqual([]);
    expect(second).toEqual(first);

    await cached.embed(['gamma', 'new text']);
    expect(inner.calls[1]).toEqual(['new text']);
  });

  it('keeps embedders apart and sanitises ids into folder names', async () => {
    expect(embedderFolderName('use-lite')).toBe('use-lite');
    const openai = embedderFolderName('openai:text-embedding-3-small');
    expect(openai).toMatch(/^openai_text-embedding-3-small-[0-9a-f]{8}$/);
    expect(embedderFolderName('openai_text-embedding-3-small')).not.toBe(openai);
    expect(embedderFolderName('transformers:../../etc')).not.toContain('/');
    expect(embedderFolderName('..')).not.toBe('..');

    const one = new CountingEmbedder('one:a');
    const two = new CountingEmbedder('two');
    await withDiskCache(one, dir).embed(['shared text']);
    await withDiskCache(two, dir).embed(['shared text']);
    expect(two.calls).toHaveLength(1);
    expect((await readdir(dir)).sort()).toEqual([embedderFolderName('one:a'), 'two'].sort());
  });

  it('recomputes and rewrites a corrupt (wrong-size) file', async () => {
    const inner = new CountingEmbedder('fake');
    const cached = withDiskCache(inner, dir);
    const [expected] = [await cached.embed(['some words'])];
    await writeFile(embeddingCachePath(dir, 'fake', 'some words'), Buffer.from([1, 2, 3]));
    const again = await cached.embed(['some words']);
    expect(inner.calls).toHaveLength(2);
    expect(again).toEqual(expected);
    expect((await stat(embeddingCachePath(dir, 'fake', 'some words'))).size).toBe(64);
  });

  it('is safe when several writers race on the same texts, and leaves no temporary files', async () => {
    const texts = Array.from({ length: 200 }, (_, index) => `text number ${index % 50} of the race`);
    const writers = Array.from({ length: 4 }, () => withDiskCache(new CountingEmbedder('race'), dir));
    const results = await Promise.all(writers.map((writer) => writer.embed(texts)));
    for (const result of results) expect(result).toEqual(results[0]);
    const files = (await readdir(path.join(dir, 'race'), { recursive: true })).filter((name) => name.endsWith('.f32'));
    const temporary = (await readdir(path.join(dir, 'race'), { recursive: true })).filter((name) => name.endsWith('.tmp'));
    expect(files).toHaveLength(50);
    expect(temporary).toHaveLength(0);
    const reader = withDiskCache(new CountingEmbedder('race'), dir);
    expect(await reader.embed(texts)).toEqual(results[0]);
    expect((reader.inner as CountingEmbedder).calls).toHaveLength(0);
  });

  it('still returns vectors when the cache folder cannot be written', async () => {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'not a folder');
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const cached = withDiskCache(new CountingEmbedder('fake'), path.join(blocker, 'cache'));
    const vectors = await cached.embed(['read only']);
    expect(vectors).toEqual(await new CountingEmbedder('fake').embed(['read only']));
    await cached.embed(['another']);
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings.filter((message) => message.includes('cannot write the embedding cache'))).toHaveLength(1);
  });

  it('rejects non-string input with a typed error, and dispose reaches the wrapped embedder', async () => {
    const inner = new CountingEmbedder('fake');
    const cached = withDiskCache(inner, dir);
    await expect(cached.embed(['ok', 7] as unknown as string[])).rejects.toThrow(InvalidInputError);
    await expect(cached.embed(['ok', 7] as unknown as string[])).rejects.toThrow('texts[1]');
    expect(inner.calls).toHaveLength(0);
    await cached.dispose();
    expect(inner.disposed).toBe(true);
  });

  it('defaults to <cacheDir>/embeddings', () => {
    const previous = process.env.ROUTELLM_CACHE_DIR;
    process.env.ROUTELLM_CACHE_DIR = dir;
    try {
      expect(defaultEmbeddingCacheDir()).toBe(path.join(dir, 'embeddings'));
      expect(withDiskCache(new CountingEmbedder('fake')).cacheDir).toBe(path.join(dir, 'embeddings'));
    } finally {
      if (previous === undefined) delete process.env.ROUTELLM_CACHE_DIR;
      else process.env.ROUTELLM_CACHE_DIR = previous;
    }
  });
});
