/**
 * The `openai` embedder: OpenAI's embedding models (the original RouteLLM used
 * `text-embedding-3-small`, 1536-d) through the official `openai` client, in batched requests.
 * Works with any server speaking the `/v1/embeddings` wire format (set `baseURL`).
 */
import OpenAI from 'openai';
import { z } from 'zod';
import { InvalidOptionsError, ProviderError } from '../../errors.js';
import { parseOptions } from '../../options.js';
import { forEachLimited } from '../../concurrency.js';
import { assertTextArray, type Embedder } from '../types.js';

/** Native widths of OpenAI's embedding models. */
export const OPENAI_EMBEDDING_DIMENSIONS: Readonly<Record<string, number>> = Object.freeze({
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
});

/** The model of the original RouteLLM routers. */
export const DEFAULT_OPENAI_EMBEDDING_MODEL = 'text-embedding-3-small';

function isOpenAIClient(value: unknown): value is OpenAI {
  return value instanceof OpenAI || typeof (value as OpenAI | null)?.embeddings?.create === 'function';
}

/** Options of the `openai` embedder. */
export const openAIEmbedderOptionsSchema = z
  .object({
    /** Embedding model. Default `text-embedding-3-small`. */
    model: z.string().min(1).default(DEFAULT_OPENAI_EMBEDDING_MODEL),
    /** API key. Default: the `OPENAI_API_KEY` environment variable (read by the client). Ignored with `client`. */
    apiKey: z.string().min(1).optional(),
    /** Base URL of an OpenAI-compatible server, e.g. `http://127.0.0.1:8000/v1`. Default: the client's (`OPENAI_BASE_URL` or api.openai.com). Ignored with `client`. */
    baseURL: z.string().url().optional(),
    /** An `OpenAI` client to use instead of building one. */
    client: z.custom<OpenAI>(isOpenAIClient, { message: 'expected an OpenAI client instance' }).optional(),
    /** Texts per request (the API accepts up to 2,048). Default 256. */
    batchSize: z.number().int().min(1).max(2048).default(256),
    /** Requests in flight at once. Default 4. */
    concurrency: z.number().int().min(1).max(64).default(4),
    /**
     * Vector width. For `text-embedding-3-*` models it is sent to the API (shortened embeddings);
     * for other models it declares the width the server returns. Required for models not in
     * `OPENAI_EMBEDDING_DIMENSIONS`.
     */
    dimensions: z.number().int().min(1).optional(),
    /** Texts are cut to this many characters before sending (the API rejects inputs over 8,191 tokens). Default 16,000. */
    maxCharacters: z.number().int().min(1).default(16_000),
    /** Wire encoding of the vectors: `base64` (compact, the client's default) or `float` (for servers without base64). Default `base64`. */
    encodingFormat: z.enum(['base64', 'float']).default('base64'),
  })
  .strict();

/** Options of the `openai` embedder (see `openAIEmbedderOptionsSchema`). */
export type OpenAIEmbedderOptions = z.input<typeof openAIEmbedderOptionsSchema>;

/**
 * Embeds through the OpenAI embeddings API. `id` is `openai:<model>` (with `@<dimensions>`
 * appended when shortened vectors are asked for). Empty texts are sent as a single space (the API
 * rejects empty input); a non-string entry throws `InvalidInputError` naming its index; an API
 * failure throws `ProviderError` with the HTTP status.
 */
export class OpenAIEmbedder implements Embedder {
  readonly id: string;
  readonly dimension: number;
  private readonly settings: z.output<typeof openAIEmbedderOptionsSchema>;
  private readonly client: OpenAI;
  private readonly sendDimensions: boolean;

  constructor(options: OpenAIEmbedderOptions = {}) {
    this.settings = parseOptions(openAIEmbedderOptionsSchema, options, 'openai embedder options');
    const { model, dimensions } = this.settings;
    const native = OPENAI_EMBEDDING_DIMENSIONS[model];
    if (native === undefined && dimensions === undefined) {
      throw new InvalidOptionsError(
        'openai embedder options',
        `✖ the width of model "${model}" is unknown: pass \`dimensions\` (known models: ${Object.keys(OPENAI_EMBEDDING_DIMENSIONS).join(', ')})`,
      );
    }
    this.dimension = dimensions ?? native!;
    this.sendDimensions = dimensions !== undefined && dimensions !== native && model.startsWith('text-embedding-3');
    this.id = this.sendDimensions ? `openai:${model}@${dimensions}` : `openai:${model}`;
    if (this.settings.client) this.client = this.settings.client;
    else {
      try {
        this.client = new OpenAI({ apiKey: this.settings.apiKey, baseURL: this.settings.baseURL });
      } catch (error) {
        throw new InvalidOptionsError('openai embedder options', `✖ ${(error as Error).message}`);
      }
    }
  }

  async embed(texts: readonly string[]): Promise<Float32Array> {
    assertTextArray(texts);
    const inputs = texts.map((text) => {
      const cut = text.length > this.settings.maxCharacters ? text.slice(0, this.settings.maxCharacters) : text;
      return cut.length === 0 ? ' ' : cut;
    });
    const output = new Float32Array(texts.length * this.dimension);
    const starts: number[] = [];
    for (let start = 0; start < inputs.length; start += this.settings.batchSize) starts.push(start);
    await forEachLimited(starts, this.settings.concurrency, async (start) => {
      output.set(await this.request(inputs.slice(start, start + this.settings.batchSize)), start * this.dimension);
    });
    return output;
  }

  /** Nothing to free: the HTTP client holds no native resources. */
  dispose(): void {}

  private async request(batch: string[]): Promise<Float32Array> {
    const { model, encodingFormat } = this.settings;
    let response: OpenAI.Embeddings.CreateEmbeddingResponse;
    try {
      response = await this.client.embeddings.create({
        model,
        input: batch,
        ...(this.sendDimensions ? { dimensions: this.dimension } : {}),
        ...(encodingFormat === 'float' ? { encoding_format: 'float' as const } : {}),
      });
    } catch (error) {
      const status = (error as { status?: number }).status;
      throw new ProviderError('openai embeddings', (error as Error).message, typeof status === 'number' ? status : undefined, {
        cause: error,
      });
    }
    const data = response?.data;
    if (!Array.isArray(data) || data.length !== batch.length) {
      throw new ProviderError('openai embeddings', `expected ${batch.length} embeddings, got ${Array.isArray(data) ? data.length : 'none'}`);
    }
    const out = new Float32Array(batch.length * this.dimension);
    data.forEach((item, position) => {
      const index = typeof item.index === 'number' ? item.index : position;
      const vector = item.embedding as ArrayLike<number>;
      if (index < 0 || index >= batch.length || vector?.length !== this.dimension) {
        throw new ProviderError(
          'openai embeddings',
          `embedding ${position} has index ${index} and ${vector?.length ?? 0} values; expected an index below ${batch.length} and ${this.dimension} values` +
            (encodingFormat === 'base64' ? ' (if the server ignores encoding_format=base64, set encodingFormat: "float")' : ''),
        );
      }
      out.set(vector, index * this.dimension);
    });
    return out;
  }
}

/** Creates the `openai` embedder. */
export function createOpenAIEmbedder(options: OpenAIEmbedderOptions = {}): OpenAIEmbedder {
  return new OpenAIEmbedder(options);
}
