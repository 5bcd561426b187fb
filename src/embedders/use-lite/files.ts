import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { GraphModelFiles } from '../../core/use-lite.js';
import { WeightsError } from '../../errors.js';

/** Reads and parses one JSON file of the model folder; a missing or broken file is a `WeightsError` naming it. */
export async function readModelJson(modelDir: string, file: string): Promise<unknown> {
  const where = path.join(modelDir, file);
  try {
    return JSON.parse(await readFile(where, 'utf8'));
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ENOENT';
    throw new WeightsError(missing ? 'missing' : 'corrupt', where, missing ? 'file not found' : 'not valid JSON', { cause: error });
  }
}

/** Reads the USE-lite graph files (`model.json` and its weight shards) of a model folder into memory. */
export async function readUseLiteGraphFiles(modelDir: string): Promise<GraphModelFiles> {
  const modelJson = (await readModelJson(modelDir, 'model.json')) as GraphModelFiles['modelJson'];
  const manifest = modelJson?.weightsManifest;
  if (!Array.isArray(manifest)) throw new WeightsError('corrupt', path.join(modelDir, 'model.json'), 'no weightsManifest');
  const shardPaths = manifest.flatMap((group) => group.paths.map((shard) => path.join(modelDir, shard)));
  const shards = await Promise.all(
    shardPaths.map((shard) =>
      readFile(shard).catch((error: unknown) => {
        throw new WeightsError('missing', shard, 'weight shard not found', { cause: error });
      }),
    ),
  );
  const joined = Buffer.concat(shards);
  const weightData = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) as ArrayBuffer;
  return { modelJson, weightData };
}
