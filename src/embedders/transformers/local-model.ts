/**
 * Loading `@huggingface/transformers` models (tokenizer + ONNX session) from a local folder, or
 * from the Hugging Face hub when the name is not a folder and remote loading is allowed. Shared by
 * the `transformers` embedder and the bert router's ONNX mode.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import { WeightsError } from '../../errors.js';
import { importOptionalPeer } from '../../optional-peer.js';

/** ONNX weight variants transformers.js knows, by the file-name suffix they select. */
export const ONNX_DTYPE_SUFFIXES = Object.freeze({
  fp32: '',
  fp16: '_fp16',
  int8: '_int8',
  uint8: '_uint8',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
} as const);

/** Which ONNX file to load: `fp32` is `onnx/model.onnx`, `q8` is `onnx/model_quantized.onnx`, and so on. */
export type OnnxDtype = keyof typeof ONNX_DTYPE_SUFFIXES;

/** Where a model comes from, after resolution. */
export interface ModelSource {
  /** An absolute folder path, or a hub id. */
  location: string;
  /** True for a local folder. */
  local: boolean;
}

/** Parsed `config.json` fields this library reads. */
export interface ModelConfig {
  model_type?: string;
  hidden_size?: number;
  id2label?: Record<string, string>;
  num_labels?: number;
  max_position_embeddings?: number;
  [key: string]: unknown;
}

/**
 * Resolves `model`: an existing folder (absolute or relative to the working directory) is used
 * as is; anything else is a hub id, allowed only when `allowRemote` is true (and
 * `ROUTELLM_OFFLINE` / `HF_HUB_OFFLINE` are not set).
 */
export function resolveModelSource(model: string, allowRemote: boolean): ModelSource {
  const folder = path.resolve(model);
  if (existsSync(folder)) {
    if (!statSync(folder).isDirectory()) {
      throw new WeightsError('corrupt', folder, 'expected a model folder (config.json, tokenizer.json, onnx/model.onnx), found a file');
    }
    return { location: folder, local: true };
  }
  const offline = ['ROUTELLM_OFFLINE', 'HF_HUB_OFFLINE'].some((name) => ['1', 'true', 'yes'].includes((process.env[name] ?? '').toLowerCase()));
  const looksLikeHubId = /^[\w.-]+(\/[\w.-]+)?$/.test(model) && !model.startsWith('.') && !model.includes('..');
  if (!looksLikeHubId || path.isAbsolute(model)) {
    throw new WeightsError('missing', folder, 'no such model folder');
  }
  if (!allowRemote || offline) {
    throw new WeightsError(
      'missing',
      folder,
      `no such folder, and "${model}" would be a Hugging Face hub id but remote loading is off (allowRemote: false or ROUTELLM_OFFLINE/HF_HUB_OFFLINE set)`,
    );
  }
  return { location: model, local: false };
}

/**
 * Checks a local model folder before handing it to transformers.js, so that a missing file gets
 * a `WeightsError` naming it instead of a deep loader error. Returns the parsed config.
 */
export function checkLocalModelFolder(folder: string, dtype: OnnxDtype): ModelConfig {
  const configPath = path.join(folder, 'config.json');
  if (!existsSync(configPath)) throw new WeightsError('missing', configPath, 'the model folder has no config.json');
  let config: ModelConfig;
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8')) as ModelConfig;
  } catch (error) {
    throw new WeightsError('corrupt', configPath, `config.json is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const tokenizerPath = path.join(folder, 'tokenizer.json');
  if (!existsSync(tokenizerPath)) {
    throw new WeightsError('missing', tokenizerPath, 'the model folder has no tokenizer.json (export the tokenizer next to the model)');
  }
  const modelPath = onnxFilePath(folder, dtype);
  if (!existsSync(modelPath)) {
    throw new WeightsError('missing', modelPath, `the model folder has no ONNX model for dtype "${dtype}" (expected onnx/${path.basename(modelPath)})`);
  }
  return config;
}

/** The ONNX file transformers.js loads for `dtype` from a local folder. */
export function onnxFilePath(folder: string, dtype: OnnxDtype): string {
  return path.join(folder, 'onnx', `model${ONNX_DTYPE_SUFFIXES[dtype]}.onnx`);
}

/** Number of labels a sequence-classification config declares (`id2label`, else `num_labels`). */
export function labelCount(config: ModelConfig): number | undefined {
  if (config.id2label && typeof config.id2label === 'object') return Object.keys(config.id2label).length;
  return typeof config.num_labels === 'number' ? config.num_labels : undefined;
}

type TransformersModule = typeof import('@huggingface/transformers');
let transformersModule: TransformersModule | undefined;

/**
 * `@huggingface/transformers`, imported on first use: it (with onnxruntime and sharp) costs ~0.4 s
 * to load, which importing routellm should not pay unless a transformers model is used.
 */
export async function importTransformers(): Promise<TransformersModule> {
  // An optional peer: only ONNX models (bert's classifier, this embedder, a local causal LM) need it.
  return (transformersModule ??= await importOptionalPeer(
    '@huggingface/transformers',
    'A local ONNX model (bert in mode "onnx", the transformers embedder, causal_llm with modelPath)',
    () => import('@huggingface/transformers'),
  ));
}

/** The module once `importTransformers()` has run (every tokenizer and model comes through it). */
export function loadedTransformers(): TransformersModule {
  if (!transformersModule) throw new Error('@huggingface/transformers is used before importTransformers() loaded it');
  return transformersModule;
}

/** Options passed to every transformers.js `from_pretrained` call. */
export function pretrainedOptions(source: ModelSource, dtype: OnnxDtype, cacheFolder?: string): Record<string, unknown> {
  return {
    dtype,
    local_files_only: source.local,
    ...(cacheFolder ? { cache_dir: cacheFolder } : {}),
  };
}

/** A transformers.js model class (`AutoModel`, `AutoModelForSequenceClassification`, ...). */
export interface PretrainedModelClass<Model extends PreTrainedModel> {
  from_pretrained(location: string, options: Record<string, unknown>): Promise<Model>;
}

/**
 * Loads the tokenizer and the model of `source` (see `pretrainedOptions`); a transformers.js
 * failure becomes `WeightsError('corrupt')`: "transformers.js could not load the <what>".
 */
export async function loadPretrained<Model extends PreTrainedModel>(
  source: ModelSource,
  modelClass: (transformers: TransformersModule) => PretrainedModelClass<Model>,
  options: Record<string, unknown>,
  what: string,
): Promise<{ tokenizer: PreTrainedTokenizer; model: Model }> {
  const transformers = await importTransformers();
  try {
    const tokenizer = await transformers.AutoTokenizer.from_pretrained(source.location, options);
    const model = await modelClass(transformers).from_pretrained(source.location, options);
    return { tokenizer, model };
  } catch (error) {
    throw new WeightsError('corrupt', source.location, `transformers.js could not load the ${what}: ${(error as Error).message}`, { cause: error });
  }
}

/** Token arrays of one text before padding. */
export interface EncodedText {
  ids: number[];
  typeIds: number[] | undefined;
}

/** Model inputs of a padded batch. */
export interface EncodedBatch {
  input_ids: Tensor;
  attention_mask: Tensor;
  token_type_ids?: Tensor;
}

const specialLayouts = new WeakMap<PreTrainedTokenizer, { prefix: number; suffix: number }>();

/** How many special tokens the tokenizer puts before and after a single text (e.g. 1 and 1 for [CLS] ... [SEP]). */
function specialLayout(tokenizer: PreTrainedTokenizer): { prefix: number; suffix: number } {
  let layout = specialLayouts.get(tokenizer);
  if (!layout) {
    const probe = 'a';
    const plain = tokenizer.encode(probe, { add_special_tokens: false });
    const full = tokenizer.encode(probe, { add_special_tokens: true });
    const start = full.findIndex((_, i) => plain.every((id, j) => full[i + j] === id));
    layout = start < 0 ? { prefix: 0, suffix: 0 } : { prefix: start, suffix: full.length - start - plain.length };
    specialLayouts.set(tokenizer, layout);
  }
  return layout;
}

function toArray(tensor: Tensor | undefined): number[] | undefined {
  return tensor ? Array.from(tensor.data as BigInt64Array, Number) : undefined;
}

/**
 * Tokenizes each text the way the Python tokenizers truncate: a text longer than `maxLength`
 * tokens keeps its leading special tokens, its first tokens and its trailing special tokens
 * ([CLS] first 510 tokens [SEP] for BERT at 512). (transformers.js's own truncation cuts the end
 * of the whole sequence, dropping the final [SEP].)
 */
export function tokenizeTexts(tokenizer: PreTrainedTokenizer, texts: readonly string[], maxLength: number): EncodedText[] {
  const { suffix } = specialLayout(tokenizer);
  return texts.map((text) => {
    const single = tokenizer(text, { padding: false, truncation: false });
    let ids = toArray(single.input_ids as Tensor)!;
    let typeIds = toArray(single.token_type_ids as Tensor | undefined);
    if (ids.length > maxLength) {
      const keep = (values: number[]) => [...values.slice(0, maxLength - suffix), ...values.slice(values.length - suffix)];
      ids = keep(ids);
      typeIds = typeIds && keep(typeIds);
    }
    return { ids, typeIds };
  });
}

/** Pads tokenized texts into one batch of model inputs (padding on the right, mask 0 there). */
export function padEncoded(tokenizer: PreTrainedTokenizer, encoded: readonly EncodedText[]): EncodedBatch {
  const width = Math.max(1, ...encoded.map((item) => item.ids.length));
  const rows = encoded.length;
  const padId = BigInt(tokenizer.pad_token_id ?? 0);
  const ids = new BigInt64Array(rows * width).fill(padId);
  const mask = new BigInt64Array(rows * width);
  const types = encoded.every((item) => item.typeIds) ? new BigInt64Array(rows * width) : undefined;
  encoded.forEach((item, row) => {
    item.ids.forEach((id, t) => {
      ids[row * width + t] = BigInt(id);
      mask[row * width + t] = 1n;
      if (types) types[row * width + t] = BigInt(item.typeIds![t]);
    });
  });
  const dims = [rows, width];
  const { Tensor } = loadedTransformers();
  return {
    input_ids: new Tensor('int64', ids, dims),
    attention_mask: new Tensor('int64', mask, dims),
    ...(types ? { token_type_ids: new Tensor('int64', types, dims) } : {}),
  };
}

/** Tokenizes (see `tokenizeTexts`) and pads a batch. */
export function encodeBatch(tokenizer: PreTrainedTokenizer, texts: readonly string[], maxLength: number): EncodedBatch {
  return padEncoded(tokenizer, tokenizeTexts(tokenizer, texts, maxLength));
}

/** Rows x length^2 allowed in one model call: bounds the attention matrices (64 rows of 128 tokens). */
const ATTENTION_AREA_BUDGET = 64 * 128 * 128;

/**
 * Groups tokenized texts into model calls: sorted by length so that padding is small, at most
 * `batchSize` rows and about `ATTENTION_AREA_BUDGET` rows x length^2 per call. Returns lists of
 * indices into `encoded`.
 */
export function lengthGroups(encoded: readonly EncodedText[], batchSize: number): number[][] {
  const order = encoded.map((_, i) => i).sort((a, b) => encoded[a].ids.length - encoded[b].ids.length);
  const groups: number[][] = [];
  let current: number[] = [];
  for (const index of order) {
    const length = encoded[index].ids.length;
    if (current.length > 0 && (current.length >= batchSize || (current.length + 1) * length * length > ATTENTION_AREA_BUDGET)) {
      groups.push(current);
      current = [];
    }
    current.push(index);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
