/**
 * The `transformers` embedder: any feature-extraction (encoder) model through
 * `@huggingface/transformers`, from a local folder (config.json, tokenizer.json, onnx/model.onnx)
 * or from the Hugging Face hub when online. Token states are pooled (mean over the attention
 * mask, or the [CLS] row) and L2-normalised.
 */
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import { z } from 'zod';
import { InvalidInputError, RouteLLMError, WeightsError } from '../../errors.js';
import { parseOptions } from '../../options.js';
import type { Embedder } from '../types.js';
import { checkLocalModelFolder, encodeBatch, importTransformers, lengthGroups, loadPretrained, padEncoded, tokenizeTexts, type EncodedBatch, ONNX_DTYPE_SUFFIXES, pretrainedOptions, resolveModelSource, type OnnxDtype } from './local-model.js';

/** Options of `createTransformersEmbedder`. */
export const transformersEmbedderOptionsSchema = z
  .object({
    /** A local model folder, or a Hugging Face hub id (loaded only when `allowRemote` is true). */
    model: z.string().min(1),
    /** How token states become one vector: mean over non-padding tokens, or the first ([CLS]) token. Default `mean`. */
    pooling: z.enum(['mean', 'cls']).default('mean'),
    /** Scale vectors to unit L2 norm. Default true. */
    normalize: z.boolean().default(true),
    /** Tokens per text; longer texts are truncated. Default 512. */
    maxLength: z.number().int().min(2).default(512),
    /** Texts per model call. Default 16. */
    batchSize: z.number().int().positive().default(16),
    /** Which ONNX file (`fp32`: onnx/model.onnx, `q8`: onnx/model_quantized.onnx, ...). Default `fp32`. */
    dtype: z.enum(Object.keys(ONNX_DTYPE_SUFFIXES) as [OnnxDtype, ...OnnxDtype[]]).default('fp32'),
    /** Allow downloading from the hub when `model` is not a local folder. Default true (ROUTELLM_OFFLINE=1 turns it off). */
    allowRemote: z.boolean().default(true),
    /** Where hub downloads are cached. Default: transformers.js's own cache. */
    cacheDir: z.string().optional(),
  })
  .strict();

export type TransformersEmbedderOptions = z.input<typeof transformersEmbedderOptionsSchema>;

/** The pooling step, exported for tests: `hidden` is [batch, sequence, width] row-major. */
export function poolTokenStates(
  hidden: Float32Array,
  mask: ArrayLike<bigint | number>,
  batch: number,
  sequence: number,
  width: number,
  pooling: 'mean' | 'cls',
  normalize: boolean,
): Float32Array {
  const out = new Float32Array(batch * width);
  const sums = new Float64Array(width);
  for (let row = 0; row < batch; row++) {
    sums.fill(0);
    if (pooling === 'cls') {
      for (let j = 0; j < width; j++) sums[j] = hidden[row * sequence * width + j];
    } else {
      let count = 0;
      for (let t = 0; t < sequence; t++) {
        if (Number(mask[row * sequence + t]) === 0) continue;
        count++;
        const start = (row * sequence + t) * width;
        for (let j = 0; j < width; j++) sums[j] += hidden[start + j];
      }
      if (count > 0) for (let j = 0; j < width; j++) sums[j] /= count;
    }
    let norm = 0;
    for (let j = 0; j < width; j++) norm += sums[j] * sums[j];
    const scale = normalize && norm > 0 ? 1 / Math.sqrt(norm) : 1;
    for (let j = 0; j < width; j++) out[row * width + j] = sums[j] * scale;
  }
  return out;
}

/** An `Embedder` over a transformers.js encoder. Build it with `createTransformersEmbedder()`. */
export class TransformersEmbedder implements Embedder {
  private disposed = false;

  private constructor(
    readonly id: string,
    readonly dimension: number,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
    private readonly settings: z.output<typeof transformersEmbedderOptionsSchema>,
  ) {}

  /** Loads the tokenizer and the model and measures the output width. */
  static async create(options: TransformersEmbedderOptions): Promise<TransformersEmbedder> {
    const settings = parseOptions(transformersEmbedderOptionsSchema, options, 'transformers embedder options');
    // A missing optional peer is the first thing to report: no model folder can help without it.
    await importTransformers();
    const source = resolveModelSource(settings.model, settings.allowRemote);
    if (source.local) checkLocalModelFolder(source.location, settings.dtype);
    const { tokenizer, model } = await loadPretrained(source, (transformers) => transformers.AutoModel, pretrainedOptions(source, settings.dtype, settings.cacheDir), 'model');
    const id = `transformers:${settings.model}${settings.pooling === 'cls' ? '#cls' : ''}`;
    let probe: Float32Array;
    try {
      probe = await runEncoder(model, encodeBatch(tokenizer, ['dimension probe'], settings.maxLength), settings);
    } catch (error) {
      await model.dispose();
      throw error;
    }
    return new TransformersEmbedder(id, probe.length, tokenizer, model, settings);
  }

  async embed(texts: readonly string[]): Promise<Float32Array> {
    if (this.disposed) throw new RouteLLMError(`Embedder "${this.id}" was disposed.`, { code: 'embedder_disposed' });
    if (!Array.isArray(texts) || texts.some((text) => typeof text !== 'string')) throw new InvalidInputError('texts', 'an array of strings');
    const out = new Float32Array(texts.length * this.dimension);
    const encoded = tokenizeTexts(this.tokenizer, texts, this.settings.maxLength);
    for (const indices of lengthGroups(encoded, this.settings.batchSize)) {
      const vectors = await runEncoder(this.model, padEncoded(this.tokenizer, indices.map((i) => encoded[i])), this.settings);
      indices.forEach((index, row) => out.set(vectors.subarray(row * this.dimension, (row + 1) * this.dimension), index * this.dimension));
    }
    return out;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.model.dispose();
  }
}

async function runEncoder(
  model: PreTrainedModel,
  inputs: EncodedBatch,
  settings: z.output<typeof transformersEmbedderOptionsSchema>,
): Promise<Float32Array> {
  const outputs = (await model(inputs)) as Record<string, Tensor>;
  const hidden = outputs.last_hidden_state ?? outputs.token_embeddings ?? Object.values(outputs)[0];
  if (!hidden || hidden.dims.length !== 3) {
    throw new WeightsError('mismatch', settings.model, `expected a [batch, sequence, width] token-state output (last_hidden_state), got ${hidden ? `dims [${hidden.dims}]` : 'none'}`);
  }
  const [batch, sequence, width] = hidden.dims;
  const mask = (inputs.attention_mask as Tensor).data as BigInt64Array;
  return poolTokenStates(hidden.data as Float32Array, mask, batch, sequence, width, settings.pooling, settings.normalize);
}

/**
 * Builds a `transformers` embedder. Registered as `transformers:<folder or hub id>` in the
 * embedder registry. Errors: `InvalidOptionsError` for bad options, `WeightsError` for a missing
 * folder, missing files, or a model transformers.js cannot load.
 */
export function createTransformersEmbedder(options: TransformersEmbedderOptions): Promise<TransformersEmbedder> {
  return TransformersEmbedder.create(options);
}
