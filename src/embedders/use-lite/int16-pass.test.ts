import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, liveTensorCount } from '../../core/backend.js';
import { cosineRows } from '../../core/ops.js';
import { UseLiteGraph, type GraphModelFiles } from '../../core/use-lite.js';
import { USE_LITE_POSITIONS, UseLiteInt16 } from '../../core/use-lite-int16.js';
import { readModelJson, readUseLiteGraphFiles } from './files.js';
import { defaultUseLiteModelDir } from './index.js';
import { SentencePieceTokenizer, type VocabularyEntry } from './tokenizer.js';
import { maxAbsDifference } from '../../../test/helpers/arrays.js';

const TEXTS = [
  'x',
  'Hello there.',
  'What is the capital of France?',
  'Write a Python function that merges two sorted lists into one sorted list without using sort().',
  // Over 128 tokens: the graph reads only the first 128 positions, and so must the int16 pass.
  'Explain the difference between a list and a tuple in Python, with an example of each. '.repeat(10),
  'Réponds en français : quelle est la différence entre un virus et une bactérie ?',
  '```js\nconst total = items.reduce((sum, item) => sum + item.price * item.quantity, 0);\n```\nWhy is total NaN?',
];

describe('use-lite int16 forward pass', () => {
  let files: GraphModelFiles;
  let rows: number[][];
  let graph: UseLiteGraph;
  let reference: Float32Array;
  let fast: UseLiteInt16;

  beforeAll(async () => {
    await initBackend('wasm');
    const dir = defaultUseLiteModelDir();
    files = await readUseLiteGraphFiles(dir);
    const tokenizer = new SentencePieceTokenizer((await readModelJson(dir, 'vocab.json')) as VocabularyEntry[]);
    rows = TEXTS.map((text) => tokenizer.encode(text, { maxTokens: 1024 }));
    graph = await UseLiteGraph.load(files);
    reference = await graph.embedTokens(rows);
    fast = UseLiteInt16.load(files)!;
  });

  afterAll(() => {
    graph.dispose();
    fast.dispose();
  });

  it('gives the graph\'s vectors to within quantisation error, long sentences included', () => {
    expect(Math.max(...rows.map((row) => row.length))).toBeGreaterThan(USE_LITE_POSITIONS);
    const vectors = fast.embedTokens(rows);
    for (let index = 0; index < rows.length; index++) {
      const actual = vectors.subarray(index * 512, (index + 1) * 512);
      const expected = reference.subarray(index * 512, (index + 1) * 512);
      expect(cosineRows(actual, expected, 512)[0], TEXTS[index]).toBeGreaterThan(0.9999);
      expect(maxAbsDifference(actual, expected)).toBeLessThan(5e-3);
      expect(Math.hypot(...actual)).toBeCloseTo(1, 5);
    }
  });

  it('gives each sentence the same vector alone as in any batch (no padding, rows quantised on their own)', () => {
    const batched = fast.embedTokens(rows);
    for (let index = 0; index < rows.length; index++) {
      expect(maxAbsDifference(fast.embedTokens([rows[index]]), batched.subarray(index * 512, (index + 1) * 512))).toBe(0);
    }
    // More tokens than one pass takes: split into passes, same vectors.
    const many = Array.from({ length: 40 }, (_, index) => rows[index % rows.length]);
    const split = fast.embedTokens(many);
    for (let index = 0; index < many.length; index++) {
      const expected = batched.subarray((index % rows.length) * 512, ((index % rows.length) + 1) * 512);
      expect(maxAbsDifference(split.subarray(index * 512, (index + 1) * 512), expected)).toBe(0);
    }
  });

  it('makes no tensors, and its memory stops growing once the largest pass has run', () => {
    const tensors = liveTensorCount();
    const many = Array.from({ length: 24 }, (_, index) => rows[index % rows.length]);
    fast.embedTokens(many);
    const bytes = fast.memoryBytes;
    for (let round = 0; round < 3; round++) fast.embedTokens(many);
    fast.embedTokens([rows[0]]);
    expect(fast.memoryBytes).toBe(bytes);
    expect(liveTensorCount()).toBe(tensors);
  });

  it('refuses an empty row, an id outside the vocabulary, and use after dispose', () => {
    expect(() => fast.embedTokens([[5], []])).toThrow(/at least one token/);
    expect(() => fast.embedTokens([[5, 8002]])).toThrow(/outside the vocabulary/);
    expect(() => fast.embedTokens([[5, -1]])).toThrow(/outside the vocabulary/);
    expect(fast.embedTokens([])).toHaveLength(0);
    const other = UseLiteInt16.load(files)!;
    other.dispose();
    expect(() => other.embedTokens([[5]])).toThrow(/disposed/);
  });
});
