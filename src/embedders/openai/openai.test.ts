import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError, InvalidOptionsError, ProviderError } from '../../errors.js';
import { createOpenAIEmbedder } from './index.js';

interface RecordedRequest {
  authorization: string | undefined;
  body: { model: string; input: string[]; encoding_format?: string; dimensions?: number };
}

/** Deterministic stand-in vector of a text: unit norm, seeded by its SHA-256. */
function vectorOf(text: string, width: number): Float32Array {
  let state = createHash('sha256').update(text).digest().readUInt32LE(0) || 1;
  const out = new Float32Array(width);
  let norm = 0;
  for (let index = 0; index < width; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[index] = (state >>> 0) / 4294967296 - 0.5;
    norm += out[index] * out[index];
  }
  return out.map((value) => value / Math.sqrt(norm));
}

/** A local HTTP server speaking OpenAI's POST /v1/embeddings wire format (float and base64). */
function startEmbeddingsServer(requests: RecordedRequest[]): Promise<Server> {
  const readBody = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  };
  const server = createServer(async (request, response) => {
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(payload));
    };
    if (request.method !== 'POST' || request.url !== '/v1/embeddings') {
      return send(404, { error: { message: `no route ${request.url}`, type: 'invalid_request_error' } });
    }
    if (request.headers.authorization !== 'Bearer test-key') {
      return send(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    const body = await readBody(request);
    requests.push({ authorization: request.headers.authorization, body });
    const inputs: unknown[] = Array.isArray(body.input) ? body.input : [body.input];
    if (inputs.some((input) => typeof input !== 'string' || input.length === 0)) {
      return send(400, { error: { message: "'$.input' is invalid.", type: 'invalid_request_error' } });
    }
    const width = body.dimensions ?? (body.model === 'text-embedding-3-large' ? 3072 : 1536);
    const data = (inputs as string[]).map((text, index) => {
      const vector = vectorOf(text, width);
      const embedding =
        body.encoding_format === 'base64' ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector);
      return { object: 'embedding', index, embedding };
    });
    data.reverse(); // the API gives `index`; order in the list is not to be relied on
    send(200, { object: 'list', data, model: body.model, usage: { prompt_tokens: inputs.length, total_tokens: inputs.length } });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('openai embedder (real openai client, local /v1/embeddings server)', () => {
  const requests: RecordedRequest[] = [];
  let server: Server;
  let baseURL: string;

  beforeAll(async () => {
    server = await startEmbeddingsServer(requests);
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(() => {
    requests.length = 0;
  });

  it('embeds in batched requests, in input order, with the server vectors', async () => {
    const embedder = createOpenAIEmbedder({ apiKey: 'test-key', baseURL, batchSize: 3 });
    expect(embedder.id).toBe('openai:text-embedding-3-small');
    expect(embedder.dimension).toBe(1536);
    const texts = Array.from({ length: 8 }, (_, index) => `prompt number ${index}`);
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(8 * 1536);
    expect(requests.map((request) => request.body.input.length).sort()).toEqual([2, 3, 3]);
    expect(requests.every((request) => request.body.model === 'text-embedding-3-small')).toBe(true);
    expect(requests.every((request) => request.body.encoding_format === 'base64')).toBe(true);
    texts.forEach((text, index) => {
      expect(vectors.subarray(index * 1536, (index + 1) * 1536)).toEqual(vectorOf(text, 1536));
    });
  });

  it('works with float encoding, a given client, another model and shortened dimensions', async () => {
    const floats = createOpenAIEmbedder({ apiKey: 'test-key', baseURL, encodingFormat: 'float', model: 'text-embedding-3-large' });
    expect(floats.dimension).toBe(3072);
    const vectors = await floats.embed(['one text']);
    expect(requests[0].body.encoding_format).toBe('float');
    expect(vectors).toEqual(vectorOf('one text', 3072));

    const client = new OpenAI({ apiKey: 'test-key', baseURL });
    const short = createOpenAIEmbedder({ client, dimensions: 256 });
    expect(short.id).toBe('openai:text-embedding-3-small@256');
    expect(short.dimension).toBe(256);
    expect(await short.embed(['short vector'])).toEqual(vectorOf('short vector', 256));
    expect(requests[1].body.dimensions).toBe(256);
  });

  it('sends empty text as a space and cuts very long text', async () => {
    const embedder = createOpenAIEmbedder({ apiKey: 'test-key', baseURL, maxCharacters: 100 });
    const vectors = await embedder.embed(['', 'x'.repeat(1_000_000)]);
    expect(requests[0].body.input).toEqual([' ', 'x'.repeat(100)]);
    expect(vectors.subarray(0, 1536)).toEqual(vectorOf(' ', 1536));
    expect(await embedder.embed([])).toHaveLength(0);
    expect(requests).toHaveLength(1);
  });

  it('turns API failures into ProviderError with the status', async () => {
    const embedder = createOpenAIEmbedder({ apiKey: 'wrong-key', baseURL });
    const failure = await embedder.embed(['hello']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProviderError);
    expect((failure as ProviderError).status).toBe(401);
    expect((failure as Error).message).toMatch(/Incorrect API key/);
  });

  it('rejects bad input and bad options with typed errors', async () => {
    const embedder = createOpenAIEmbedder({ apiKey: 'test-key', baseURL });
    await expect(embedder.embed(['fine', undefined] as unknown as string[])).rejects.toThrow(InvalidInputError);
    await expect(embedder.embed(['fine', undefined] as unknown as string[])).rejects.toThrow('texts[1]');
    expect(requests).toHaveLength(0);
    expect(() => createOpenAIEmbedder({ model: 'my-local-model', apiKey: 'k' })).toThrow(/dimensions/);
    expect(() => createOpenAIEmbedder({ batchSize: 0, apiKey: 'k' })).toThrow(InvalidOptionsError);
    expect(() => createOpenAIEmbedder({ baseURL: 'not a url', apiKey: 'k' })).toThrow(/baseURL/);
    expect(() => createOpenAIEmbedder({ client: {} as OpenAI })).toThrow(/OpenAI client/);
    const previous = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      expect(() => createOpenAIEmbedder({ baseURL })).toThrow(InvalidOptionsError);
    } finally {
      if (previous !== undefined) process.env.OPENAI_API_KEY = previous;
    }
  });
});
