/**
 * Generators of tiny random-weight ONNX models for tests: a BERT-shaped encoder (one attention
 * layer, a pooler, optionally a classifier) plus the tokenizer files `@huggingface/transformers`
 * reads from a local folder. Nothing is downloaded: the graph is written with `onnx-proto`.
 *
 * The graph-building functions (`buildOnnxModel`, `initializer`, `node`, `valueInfo`) are
 * reusable for other tiny models (the causal LM test model uses them).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import onnxPackage from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { mulberry32 } from '../../src/train/random.js';

// onnx-proto is CommonJS: its namespace is a property of the default export under ESM.
const proto = (onnxPackage as unknown as { onnx: typeof onnx }).onnx;

/** ONNX element types used here. */
export const ElementType = {
  float: 1,
  int64: 7,
  int32: 6,
  bool: 9,
} as const;

/** A constant tensor stored in the graph. */
export interface InitializerSpec {
  name: string;
  dims: number[];
  /** float32 values, or int64 values given as numbers. */
  values: Float32Array | number[];
  type?: 'float' | 'int64';
}

/** A graph input or output: a name, an element type and a shape of fixed sizes or symbolic names. */
export interface ValueSpec {
  name: string;
  type: keyof typeof ElementType;
  shape: (number | string)[];
}

/** An ONNX attribute value: numbers become INT (integers) or FLOAT, arrays of integers INTS. */
export type AttributeValue = number | number[] | string | { float: number } | onnx.ITensorProto;

/** What `buildOnnxModel` needs. */
export interface OnnxModelSpec {
  nodes: onnx.INodeProto[];
  initializers: onnx.ITensorProto[];
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  /** Default opset 17 (LayerNormalization is available from 17). */
  opset?: number;
  graphName?: string;
}

/** A constant tensor for a graph. */
export function initializer(spec: InitializerSpec): onnx.ITensorProto {
  const type = spec.type ?? (spec.values instanceof Float32Array ? 'float' : 'int64');
  if (type === 'float') {
    return { name: spec.name, dims: spec.dims, dataType: ElementType.float, floatData: Array.from(spec.values) };
  }
  return { name: spec.name, dims: spec.dims, dataType: ElementType.int64, int64Data: Array.from(spec.values) };
}

/** A graph node. `attributes` maps names to values (see `AttributeValue`). */
export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes: Record<string, AttributeValue> = {},
  name?: string,
): onnx.INodeProto {
  return {
    opType,
    input: inputs,
    output: outputs,
    name: name ?? `${opType}_${outputs[0]}`,
    attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
  };
}

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const kind = proto.AttributeProto.AttributeType;
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: kind.INT, i: value } : { name, type: kind.FLOAT, f: value };
  }
  if (typeof value === 'string') return { name, type: kind.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: kind.INTS, ints: value };
  if ('float' in value && typeof value.float === 'number') return { name, type: kind.FLOAT, f: value.float };
  return { name, type: kind.TENSOR, t: value as onnx.ITensorProto };
}

/** A typed graph input or output. */
export function valueInfo(spec: ValueSpec): onnx.IValueInfoProto {
  return {
    name: spec.name,
    type: {
      tensorType: {
        elemType: ElementType[spec.type],
        shape: { dim: spec.shape.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  };
}

/** Serialises a graph into ONNX model bytes (IR version 8). */
export function buildOnnxModel(spec: OnnxModelSpec): Uint8Array {
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'routellm-tests',
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    graph: {
      name: spec.graphName ?? 'graph',
      node: spec.nodes,
      initializer: spec.initializers,
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
    },
  };
  return proto.ModelProto.encode(proto.ModelProto.create(model)).finish();
}

/** `count` values uniform in [-scale, scale). */
export function randomValues(random: () => number, count: number, scale: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (random() * 2 - 1) * scale;
  return out;
}

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const WORDS = (
  'the a an of to and in is it you that he was for on are with as i his they be at one have this from or had by ' +
  'what write code python function prove number prime explain difference between translate capital city ' +
  'summarise summary poem math train when how why which who where does do can please list give make ' +
  'find solve equation story short long data model answer question'
).split(' ');

/** The vocabulary of the tiny tokenizer: special tokens, whole words, characters and `##` continuations. */
export function tinyVocabulary(): string[] {
  const characters = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
  const punctuation = '.,!?;:\'"()-+*/=%$#@&[]{}<>_'.split('');
  const vocabulary = [
    ...SPECIAL_TOKENS,
    ...punctuation,
    ...characters,
    ...characters.map((character) => `##${character}`),
    ...WORDS.filter((word) => word.length > 1),
  ];
  return [...new Set(vocabulary)];
}

/** Which head the tiny model has. */
export type TinyBertVariant = 'sequence-classification' | 'feature-extraction';

/** Options of `writeTinyBertModel`. */
export interface TinyBertOptions {
  variant: TinyBertVariant;
  /** Weight seed. Default 1. */
  seed?: number;
  /** Number of classifier labels (sequence classification only). Default 3. */
  numLabels?: number;
  /** Hidden size. Default 16. */
  hidden?: number;
  /** Write the tokenizer files. Default true (false makes a broken folder for error tests). */
  withTokenizer?: boolean;
  /** Write onnx/model.onnx. Default true. */
  withModel?: boolean;
  /** Max positions (and the tokenizer's model_max_length). Default 512. */
  maxPositions?: number;
}

/**
 * Writes a tiny random-weight BERT into `dir` in the layout `@huggingface/transformers` reads
 * from a local folder: `config.json`, `tokenizer.json`, `tokenizer_config.json`,
 * `onnx/model.onnx`. Inputs `input_ids`, `attention_mask`, `token_type_ids`; output `logits`
 * ([batch, numLabels]) or `last_hidden_state` ([batch, sequence, hidden]). Returns `dir`.
 */
export function writeTinyBertModel(dir: string, options: TinyBertOptions): string {
  const hidden = options.hidden ?? 16;
  const numLabels = options.numLabels ?? 3;
  const maxPositions = options.maxPositions ?? 512;
  const vocabulary = tinyVocabulary();
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  const classifier = options.variant === 'sequence-classification';
  const labels = Object.fromEntries(Array.from({ length: numLabels }, (_, i) => [String(i), `LABEL_${i}`]));
  const config = {
    model_type: 'bert',
    architectures: [classifier ? 'BertForSequenceClassification' : 'BertModel'],
    vocab_size: vocabulary.length,
    hidden_size: hidden,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: hidden * 2,
    hidden_act: 'relu',
    max_position_embeddings: maxPositions,
    type_vocab_size: 2,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
    ...(classifier
      ? { id2label: labels, label2id: Object.fromEntries(Object.entries(labels).map(([id, label]) => [label, Number(id)])) }
      : {}),
  };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  if (options.withTokenizer ?? true) {
    writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocabulary)));
    writeFileSync(
      path.join(dir, 'tokenizer_config.json'),
      JSON.stringify({
        tokenizer_class: 'BertTokenizer',
        do_lower_case: true,
        model_max_length: maxPositions,
        cls_token: '[CLS]',
        sep_token: '[SEP]',
        pad_token: '[PAD]',
        unk_token: '[UNK]',
        mask_token: '[MASK]',
      }),
    );
  }
  if (options.withModel ?? true) {
    const bytes = tinyBertGraph({
      vocabularySize: vocabulary.length,
      hidden,
      maxPositions,
      numLabels: classifier ? numLabels : undefined,
      seed: options.seed ?? 1,
    });
    writeFileSync(path.join(dir, 'onnx', 'model.onnx'), bytes);
  }
  return dir;
}

function tokenizerJson(vocabulary: string[]): object {
  const vocab = Object.fromEntries(vocabulary.map((token, id) => [token, id]));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}

interface TinyGraphOptions {
  vocabularySize: number;
  hidden: number;
  maxPositions: number;
  /** Present: add pooler + classifier and output `logits`; absent: output `last_hidden_state`. */
  numLabels?: number;
  seed: number;
}

/**
 * The BERT-shaped graph: word + position + token-type embeddings, LayerNorm, one single-head
 * self-attention block with the attention mask applied to the keys, a ReLU feed-forward block,
 * then (classifier) tanh pooler on the [CLS] row and a linear classifier.
 */
function tinyBertGraph(options: TinyGraphOptions): Uint8Array {
  const { hidden, vocabularySize, maxPositions } = options;
  const random = mulberry32(options.seed);
  const scale = 0.5;
  const initializers: onnx.ITensorProto[] = [];
  const add = (name: string, dims: number[], values?: Float32Array) => {
    const count = dims.reduce((a, b) => a * b, 1);
    initializers.push(initializer({ name, dims, values: values ?? randomValues(random, count, scale) }));
  };
  const ones = (count: number) => new Float32Array(count).fill(1);
  add('word_embeddings', [vocabularySize, hidden]);
  add('position_embeddings', [maxPositions, hidden], randomValues(random, maxPositions * hidden, 0.1));
  add('token_type_embeddings', [2, hidden]);
  add('embeddings_ln_scale', [hidden], ones(hidden));
  add('embeddings_ln_bias', [hidden], new Float32Array(hidden));
  for (const name of ['query', 'key', 'value', 'attention_output']) add(`${name}_weight`, [hidden, hidden]);
  add('attention_ln_scale', [hidden], ones(hidden));
  add('attention_ln_bias', [hidden], new Float32Array(hidden));
  add('intermediate_weight', [hidden, hidden * 2]);
  add('intermediate_bias', [hidden * 2]);
  add('output_weight', [hidden * 2, hidden]);
  add('output_bias', [hidden]);
  add('output_ln_scale', [hidden], ones(hidden));
  add('output_ln_bias', [hidden], new Float32Array(hidden));
  initializers.push(initializer({ name: 'zero_i64', dims: [], values: [0] }));
  initializers.push(initializer({ name: 'one_i64', dims: [], values: [1] }));
  initializers.push(initializer({ name: 'axis_one', dims: [1], values: [1] }));
  add('one_f', [], new Float32Array([1]));
  add('mask_penalty', [], new Float32Array([-10000]));
  add('attention_scale', [], new Float32Array([1 / Math.sqrt(hidden)]));

  const nodes: onnx.INodeProto[] = [
    node('Gather', ['word_embeddings', 'input_ids'], ['word'], { axis: 0 }),
    node('Shape', ['input_ids'], ['input_shape']),
    node('Gather', ['input_shape', 'one_i64'], ['sequence_length'], { axis: 0 }),
    node('Range', ['zero_i64', 'sequence_length', 'one_i64'], ['position_ids']),
    node('Gather', ['position_embeddings', 'position_ids'], ['position'], { axis: 0 }),
    node('Gather', ['token_type_embeddings', 'token_type_ids'], ['token_type'], { axis: 0 }),
    node('Add', ['word', 'position'], ['word_position']),
    node('Add', ['word_position', 'token_type'], ['embeddings_sum']),
    node('LayerNormalization', ['embeddings_sum', 'embeddings_ln_scale', 'embeddings_ln_bias'], ['embeddings'], {
      axis: -1,
      epsilon: { float: 1e-12 },
    }),
    node('MatMul', ['embeddings', 'query_weight'], ['query']),
    node('MatMul', ['embeddings', 'key_weight'], ['key']),
    node('MatMul', ['embeddings', 'value_weight'], ['value']),
    node('Transpose', ['key'], ['key_transposed'], { perm: [0, 2, 1] }),
    node('MatMul', ['query', 'key_transposed'], ['raw_scores']),
    node('Mul', ['raw_scores', 'attention_scale'], ['scaled_scores']),
    node('Cast', ['attention_mask'], ['mask_float'], { to: ElementType.float }),
    node('Sub', ['one_f', 'mask_float'], ['mask_inverted']),
    node('Mul', ['mask_inverted', 'mask_penalty'], ['mask_additive']),
    node('Unsqueeze', ['mask_additive', 'axis_one'], ['mask_broadcast']),
    node('Add', ['scaled_scores', 'mask_broadcast'], ['masked_scores']),
    node('Softmax', ['masked_scores'], ['attention_probabilities'], { axis: -1 }),
    node('MatMul', ['attention_probabilities', 'value'], ['context']),
    node('MatMul', ['context', 'attention_output_weight'], ['attention_projected']),
    node('Add', ['attention_projected', 'embeddings'], ['attention_residual']),
    node('LayerNormalization', ['attention_residual', 'attention_ln_scale', 'attention_ln_bias'], ['attention_out'], {
      axis: -1,
      epsilon: { float: 1e-12 },
    }),
    node('MatMul', ['attention_out', 'intermediate_weight'], ['intermediate_linear']),
    node('Add', ['intermediate_linear', 'intermediate_bias'], ['intermediate_biased']),
    node('Relu', ['intermediate_biased'], ['intermediate']),
    node('MatMul', ['intermediate', 'output_weight'], ['output_linear']),
    node('Add', ['output_linear', 'output_bias'], ['output_biased']),
    node('Add', ['output_biased', 'attention_out'], ['output_residual']),
    node('LayerNormalization', ['output_residual', 'output_ln_scale', 'output_ln_bias'], ['last_hidden_state'], {
      axis: -1,
      epsilon: { float: 1e-12 },
    }),
  ];
  const inputs: ValueSpec[] = ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => ({
    name,
    type: 'int64' as const,
    shape: ['batch_size', 'sequence_length'],
  }));
  let outputs: ValueSpec[];
  if (options.numLabels === undefined) {
    outputs = [{ name: 'last_hidden_state', type: 'float', shape: ['batch_size', 'sequence_length', hidden] }];
  } else {
    add('pooler_weight', [hidden, hidden]);
    add('pooler_bias', [hidden]);
    add('classifier_weight', [hidden, options.numLabels], randomValues(random, hidden * options.numLabels, 1));
    add('classifier_bias', [options.numLabels]);
    nodes.push(
      node('Gather', ['last_hidden_state', 'zero_i64'], ['cls_state'], { axis: 1 }),
      node('MatMul', ['cls_state', 'pooler_weight'], ['pooler_linear']),
      node('Add', ['pooler_linear', 'pooler_bias'], ['pooler_biased']),
      node('Tanh', ['pooler_biased'], ['pooled']),
      node('MatMul', ['pooled', 'classifier_weight'], ['classifier_linear']),
      node('Add', ['classifier_linear', 'classifier_bias'], ['logits']),
    );
    outputs = [{ name: 'logits', type: 'float', shape: ['batch_size', options.numLabels] }];
  }
  return buildOnnxModel({ nodes, initializers, inputs, outputs, graphName: 'tiny_bert' });
}
