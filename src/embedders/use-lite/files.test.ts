import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeightsError } from '../../errors.js';
import { readUseLiteGraphFiles } from './files.js';
import { defaultUseLiteModelDir } from './index.js';

describe('readUseLiteGraphFiles', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'use-lite-files-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('joins the shards of every group in manifest order', async () => {
    const shards: Record<string, number[]> = { 'b-1': [1, 2, 3], 'b-2': [4], 'a-1': [5, 6, 7, 8, 9], empty: [] };
    for (const [name, bytes] of Object.entries(shards)) await writeFile(path.join(dir, name), Uint8Array.from(bytes));
    const manifest = [{ paths: ['b-1', 'b-2'], weights: [] }, { paths: ['empty', 'a-1'], weights: [] }];
    await writeFile(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: manifest }));
    const { modelJson, weightData } = await readUseLiteGraphFiles(dir);
    expect([...new Uint8Array(weightData)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(modelJson.weightsManifest).toEqual(manifest);
  });

  it('names a missing shard in a WeightsError', async () => {
    const manifest = [{ paths: ['b-1', 'gone'], weights: [] }];
    await writeFile(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: manifest }));
    const reading = readUseLiteGraphFiles(dir);
    await expect(reading).rejects.toThrow(WeightsError);
    await expect(reading).rejects.toThrow(/gone: weight shard not found/);
  });

  it('gives the shipped model the bytes of its shards read one by one', async () => {
    const modelDir = defaultUseLiteModelDir();
    const { modelJson, weightData } = await readUseLiteGraphFiles(modelDir);
    const shards = await Promise.all(modelJson.weightsManifest.flatMap((group) => group.paths).map((shard) => readFile(path.join(modelDir, shard))));
    expect(Buffer.from(weightData).equals(Buffer.concat(shards))).toBe(true);
  });
});
