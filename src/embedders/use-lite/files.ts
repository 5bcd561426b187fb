import { open, readFile, type FileHandle } from 'node:fs/promises';
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
  const opened = await Promise.allSettled(shardPaths.map((shard) => open(shard)));
  const handles = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  try {
    const failed = opened.findIndex((result) => result.status === 'rejected');
    if (failed >= 0) throw new WeightsError('missing', shardPaths[failed], 'weight shard not found', { cause: (opened[failed] as PromiseRejectedResult).reason });
    // Read straight into one buffer: joining 28 MB of shards afterwards cost a copy and a GC pause.
    const sizes = await Promise.all(handles.map(async (handle) => (await handle.stat()).size));
    const weightData = new ArrayBuffer(sizes.reduce((sum, size) => sum + size, 0));
    let offset = 0;
    await Promise.all(
      handles.map((handle, index) => {
        const target = new Uint8Array(weightData, offset, sizes[index]);
        offset += sizes[index];
        return readFully(handle, target, shardPaths[index]);
      }),
    );
    return { modelJson, weightData };
  } finally {
    await Promise.all(handles.map((handle) => handle.close()));
  }
}

/** Fills `target` from the start of the file (a read may return fewer bytes than asked). */
async function readFully(handle: FileHandle, target: Uint8Array, file: string): Promise<void> {
  for (let done = 0; done < target.byteLength; ) {
    const { bytesRead } = await handle.read(target, done, target.byteLength - done, done);
    if (bytesRead === 0) throw new WeightsError('corrupt', file, `ended after ${done} of ${target.byteLength} bytes`);
    done += bytesRead;
  }
}
