import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyBertModel } from '../../test/helpers/onnx-bert.js';
import { InvalidOptionsError } from '../errors.js';
import { createEmbedder, DEFAULT_EMBEDDER, EMBEDDER_NAMES } from './registry.js';
import type { UseLiteEmbedder } from './use-lite/index.js';

describe('createEmbedder', () => {
  let server: Server;
  let baseURL: string;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'routellm-embedder-registry-'));
    server = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk) => (raw += chunk));
      request.on('end', () => {
        const body = JSON.parse(raw) as { model: string; input: string[]; dimensions?: number; encoding_format?: string };
        const width = body.dimensions ?? 8;
        const encode = (vector: Float32Array) =>
          body.encoding_format === 'base64' ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector);
        const data = body.input.map((text, index) => ({
          object: 'embedding',
          index,
          embedding: encode(Float32Array.from({ length: width }, (_, k) => (k === text.length % width ? 1 : 0))),
        }));
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ object: 'list', data, model: body.model, usage: { prompt_tokens: 1, total_tokens: 1 } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(root, { recursive: true, force: true });
  });

  it('lists the families with use-lite first and as the default', async () => {
    expect(EMBEDDER_NAMES).toEqual(['use-lite', 'use-lite-exact', 'openai', 'transformers']);
    expect(Object.isFrozen(EMBEDDER_NAMES)).toBe(true);
    expect(DEFAULT_EMBEDDER).toBe('use-lite');
    const embedder = await createEmbedder();
    expect(embedder.id).toBe('use-lite');
    expect(embedder.dimension).toBe(512);
    const configured = await createEmbedder({ id: 'use-lite', batchSize: 4 });
    expect(configured.id).toBe('use-lite');
    // The float32 graph: the same model, so the same id (weights made with either serve both).
    const reference = (await createEmbedder({ id: 'use-lite-exact', batchSize: 4 })) as UseLiteEmbedder;
    expect(reference.id).toBe('use-lite');
    expect(reference.exact).toBe(true);
    expect((embedder as UseLiteEmbedder).exact).toBe(false);
    await expect(createEmbedder('use-lite-exact:x')).rejects.toThrow(/takes nothing after/);
    await embedder.dispose();
    await configured.dispose();
    await reference.dispose();
  });

  it('builds openai embedders from an id and options, and they call the server', async () => {
    const byName = await createEmbedder({ id: 'openai', apiKey: 'k', baseURL });
    expect(byName.id).toBe('openai:text-embedding-3-small');
    expect(byName.dimension).toBe(1536);
    const byModel = await createEmbedder({ id: 'openai:my-local-model', apiKey: 'k', baseURL, dimensions: 8, batchSize: 2 });
    expect(byModel.id).toBe('openai:my-local-model');
    const vectors = await byModel.embed(['a', 'abc', 'abcde']);
    expect(Array.from(vectors.subarray(16, 24))).toEqual([0, 0, 0, 0, 0, 1, 0, 0]);
  });

  it('builds transformers embedders from a local folder, and reads its own id back', async () => {
    const folder = writeTinyBertModel(path.join(root, 'tiny'), { variant: 'feature-extraction', hidden: 16 });
    const embedder = await createEmbedder(`transformers:${folder}`);
    expect(embedder.id).toBe(`transformers:${folder}`);
    expect(embedder.dimension).toBe(16);
    const cls = await createEmbedder({ id: 'transformers', model: folder, pooling: 'cls' });
    const again = await createEmbedder(cls.id);
    expect(again.id).toBe(cls.id);
    const [first, second] = [await cls.embed(['hello world']), await again.embed(['hello world'])];
    expect(Array.from(second)).toEqual(Array.from(first));
    await Promise.all([embedder.dispose(), cls.dispose(), again.dispose()]);
  });

  it('rejects unknown ids listing the valid ones, and malformed specs', async () => {
    const unknown = await createEmbedder('nope').catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(InvalidOptionsError);
    expect((unknown as Error).message).toMatch(/unknown embedder "nope"/);
    expect((unknown as Error).message).toMatch(/use-lite, use-lite-exact, openai\[:<model>\], transformers:<folder or hub id>/);
    await expect(createEmbedder('use-lite:big')).rejects.toThrow(/takes nothing after/);
    await expect(createEmbedder('transformers')).rejects.toThrow(/needs a model/);
    await expect(createEmbedder({ id: 42 } as never)).rejects.toThrow(InvalidOptionsError);
    await expect(createEmbedder(null as never)).rejects.toThrow(InvalidOptionsError);
    await expect(createEmbedder({ id: 'use-lite', batchSize: -1 })).rejects.toThrow(/batchSize/);
    await expect(createEmbedder('toString')).rejects.toThrow(/unknown embedder/);
  });
});
