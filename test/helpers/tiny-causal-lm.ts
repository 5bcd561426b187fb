/**
 * A tiny random-weight causal LM in ONNX, written to a folder that @huggingface/transformers
 * loads as a local Llama-type model (`config.json`, `tokenizer.json`, `tokenizer_config.json`,
 * `onnx/model.onnx`). Nothing is downloaded.
 *
 * The tokenizer is byte-level BPE with no merges (every byte is a token, as in GPT-2's alphabet),
 * plus `<|endoftext|>` and, by default, the five rating labels `[[1]]`..`[[5]]` as added tokens.
 * The graph is causal by construction: inputs `input_ids`, `attention_mask`, `position_ids`
 * (int64, `[batch, sequence]`), output `logits` (`[batch, sequence, vocab]`), no key/value cache:
 *   x_t = E[id_t] + sin(position_t * f)
 *   h_t = tanh(W1 (x_t + mean_{s<=t, mask_s=1} x_s) + b1)
 *   logits_t = W_out h_t
 * so position t depends only on tokens up to t, and right padding never changes earlier logits.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mulberry32 } from '../../src/train/random.js';
import { buildOnnxModel, initializer, node, randomValues } from './onnx-bert.js';

/** Options of `writeTinyCausalLM`. */
export interface TinyCausalLMOptions {
  /** Seed of the random weights. Default 1. */
  seed?: number;
  /** Hidden width. Default 16. */
  hidden?: number;
  /** Add `[[1]]`..`[[5]]` as single tokens (the original checkpoint's way). Default true; false leaves them as bytes. */
  labelTokens?: boolean;
  /** A Jinja chat template for `tokenizer_config.json`; `null` for none. Default: a small `<|role|>` template. */
  chatTemplate?: string | null;
}

/** The default chat template of the tiny model. */
export const TINY_CHAT_TEMPLATE =
  "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}\n{% endfor %}" +
  '{% if add_generation_prompt %}<|assistant|>\n{% endif %}';

/** GPT-2's byte-to-character table: printable bytes map to themselves, the others to U+0100 onwards. */
export function byteAlphabet(): string[] {
  const printable = (byte: number) => (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || (byte >= 174 && byte <= 255);
  const table: string[] = [];
  let shifted = 0;
  for (let byte = 0; byte < 256; byte++) table[byte] = String.fromCodePoint(printable(byte) ? byte : 256 + shifted++);
  return table;
}

/** A written tiny model: its folder, sizes, weights, and a plain-JS forward pass to check against. */
export interface TinyCausalLM {
  dir: string;
  hidden: number;
  vocabularySize: number;
  /** Token id of each added token by its text (`<|endoftext|>`, `[[1]]`..`[[5]]`). */
  addedTokenIds: Record<string, number>;
  /** The logits of the last position of one unpadded sequence, computed in JS (float64) from the same weights. */
  referenceLastLogits(ids: readonly number[]): Float64Array;
}

/** Writes the tiny causal LM into `dir`. */
export function writeTinyCausalLM(dir: string, options: TinyCausalLMOptions = {}): TinyCausalLM {
  const hidden = options.hidden ?? 16;
  const random = mulberry32(options.seed ?? 1);
  const alphabet = byteAlphabet();
  const special = ['<|endoftext|>', ...(options.labelTokens === false ? [] : ['[[1]]', '[[2]]', '[[3]]', '[[4]]', '[[5]]'])];
  const vocabularySize = alphabet.length + special.length;
  const endOfText = alphabet.length;

  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map((content, index) => ({
      id: alphabet.length + index,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(alphabet.map((character, id) => [character, id])),
      merges: [],
    },
  };
  const chatTemplate = options.chatTemplate === undefined ? TINY_CHAT_TEMPLATE : options.chatTemplate;
  const tokenizerConfig = {
    tokenizer_class: 'GPT2Tokenizer',
    bos_token: '<|endoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    add_bos_token: false,
    model_max_length: 1_000_000,
    ...(chatTemplate === null ? {} : { chat_template: chatTemplate }),
  };
  const config = {
    model_type: 'llama',
    architectures: ['LlamaForCausalLM'],
    vocab_size: vocabularySize,
    hidden_size: hidden,
    intermediate_size: hidden,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    num_key_value_heads: 2,
    max_position_embeddings: 1_000_000,
    bos_token_id: endOfText,
    eos_token_id: endOfText,
    use_cache: false,
  };

  const nodes = [
    node('Gather', ['embed', 'input_ids'], ['token_vectors']),
    node('Cast', ['position_ids'], ['positions'], { to: 1 }),
    node('Unsqueeze', ['positions', 'last_axis'], ['positions_column']),
    node('Mul', ['positions_column', 'frequencies'], ['angles']),
    node('Sin', ['angles'], ['position_vectors']),
    node('Add', ['token_vectors', 'position_vectors'], ['x']),
    node('Cast', ['attention_mask'], ['mask'], { to: 1 }),
    node('Unsqueeze', ['mask', 'last_axis'], ['mask_column']),
    node('Mul', ['x', 'mask_column'], ['masked_x']),
    node('CumSum', ['masked_x', 'sequence_axis'], ['running_sum']),
    node('CumSum', ['mask_column', 'sequence_axis'], ['running_count']),
    node('Max', ['running_count', 'one'], ['safe_count']),
    node('Div', ['running_sum', 'safe_count'], ['running_mean']),
    node('Add', ['running_mean', 'x'], ['mixed']),
    node('MatMul', ['mixed', 'w1'], ['projected']),
    node('Add', ['projected', 'b1'], ['biased']),
    node('Tanh', ['biased'], ['h']),
    node('MatMul', ['h', 'w_out'], ['logits']),
  ];
  const embed = randomValues(random, vocabularySize * hidden, 1);
  const frequencies = randomValues(random, hidden, 0.5);
  const w1 = randomValues(random, hidden * hidden, 0.6);
  const b1 = randomValues(random, hidden, 0.1);
  const wOut = randomValues(random, hidden * vocabularySize, 1.5);
  const initializers = [
    initializer({ name: 'embed', dims: [vocabularySize, hidden], values: embed }),
    initializer({ name: 'frequencies', dims: [hidden], values: frequencies }),
    initializer({ name: 'w1', dims: [hidden, hidden], values: w1 }),
    initializer({ name: 'b1', dims: [hidden], values: b1 }),
    initializer({ name: 'w_out', dims: [hidden, vocabularySize], values: wOut }),
    initializer({ name: 'last_axis', dims: [1], values: [2], type: 'int64' }),
    initializer({ name: 'sequence_axis', dims: [], values: [1], type: 'int64' }),
    initializer({ name: 'one', dims: [], values: new Float32Array([1]) }),
  ];
  const model = buildOnnxModel({
    nodes,
    initializers,
    inputs: [
      { name: 'input_ids', type: 'int64', shape: ['batch_size', 'sequence_length'] },
      { name: 'attention_mask', type: 'int64', shape: ['batch_size', 'sequence_length'] },
      { name: 'position_ids', type: 'int64', shape: ['batch_size', 'sequence_length'] },
    ],
    outputs: [{ name: 'logits', type: 'float', shape: ['batch_size', 'sequence_length', vocabularySize] }],
    graphName: 'tiny_causal_lm',
  });

  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify({ bos_token_id: endOfText, eos_token_id: endOfText }));
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2));
  writeFileSync(path.join(dir, 'onnx', 'model.onnx'), model);

  const referenceLastLogits = (ids: readonly number[]): Float64Array => {
    const x = ids.map((id, position) => Array.from({ length: hidden }, (_, j) => embed[id * hidden + j] + Math.sin(position * frequencies[j])));
    const last = x[x.length - 1];
    const mixed = last.map((value, j) => value + x.reduce((sum, row) => sum + row[j], 0) / x.length);
    const h = Array.from({ length: hidden }, (_, k) => Math.tanh(mixed.reduce((sum, value, j) => sum + value * w1[j * hidden + k], b1[k])));
    return Float64Array.from({ length: vocabularySize }, (_, v) => h.reduce((sum, value, k) => sum + value * wOut[k * vocabularySize + v], 0));
  };
  return {
    dir,
    hidden,
    vocabularySize,
    addedTokenIds: Object.fromEntries(special.map((content, index) => [content, alphabet.length + index])),
    referenceLastLogits,
  };
}
