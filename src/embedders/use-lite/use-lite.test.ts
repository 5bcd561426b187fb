import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, liveTensorCount } from '../../core/backend.js';
import { InvalidInputError, InvalidOptionsError } from '../../errors.js';
import { LruCache } from '../lru-cache.js';
import { createUseLiteEmbedder, planBatches, type UseLiteEmbedder } from './index.js';
import { maxAbsDifference } from '../../../test/helpers/arrays.js';

const reference = JSON.parse(readFileSync(new URL('./fixtures/reference-vectors.json', import.meta.url), 'utf8')) as {
  prompts: string[];
  vectors: number[][];
};

const PARAPHRASES: [string, string][] = [
  ['How do I bake a chocolate cake?', 'What is a good recipe for chocolate cake?'],
  ['What is the capital of France?', 'Which city is the capital of France?'],
  ['How can I improve my sleep?', 'What are tips for sleeping better at night?'],
  ['Write a Python function to reverse a string.', 'Give me Python code that reverses a string.'],
  ['What causes rain?', 'Why does it rain?'],
  ['How do I change a flat tire on my car?', 'What are the steps to replace a flat car tyre?'],
  ['Translate "good morning" into Spanish.', 'How do you say "good morning" in Spanish?'],
  ['What is the derivative of x squared?', 'Differentiate x^2 with respect to x.'],
  ['Recommend a good science fiction novel.', 'Can you suggest a great sci-fi book to read?'],
  ['How many planets are in the solar system?', 'What is the number of planets orbiting the sun?'],
  ['Explain how vaccines work.', 'How does a vaccine protect the body from disease?'],
  ['What is the best way to learn to play guitar?', 'How should a beginner start learning guitar?'],
];

function row(matrix: Float32Array, index: number, dimension = 512): Float32Array {
  return matrix.subarray(index * dimension, (index + 1) * dimension);
}

function dot(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < left.length; k++) sum += left[k] * right[k];
  return sum;
}

describe('use-lite embedder', () => {
  let embedder: UseLiteEmbedder;
  let exact: UseLiteEmbedder;

  beforeAll(async () => {
    await initBackend('wasm');
    embedder = createUseLiteEmbedder();
    exact = createUseLiteEmbedder({ exact: true });
    await Promise.all([embedder.load(), exact.load()]);
  });

  afterAll(async () => {
    await Promise.all([embedder.dispose(), exact.dispose()]);
  });

  it('returns 512-d unit vectors, one row per text', async () => {
    expect(embedder.id).toBe('use-lite');
    expect(embedder.dimension).toBe(512);
    const vectors = await embedder.embed(['Hello there.', 'A much longer sentence about the weather in spring.', 'x']);
    expect(vectors).toHaveLength(3 * 512);
    for (let index = 0; index < 3; index++) {
      const vector = row(vectors, index);
      expect(vector.every(Number.isFinite)).toBe(true);
      expect(Math.sqrt(dot(vector, vector))).toBeCloseTo(1, 4);
    }
    expect(await embedder.embed([])).toHaveLength(0);
  });

  it('matches vectors computed by an independent USE-lite implementation (exact graph and int16 pass)', async () => {
    const graphVectors = await exact.embed(reference.prompts);
    const fastVectors = await embedder.embed(reference.prompts);
    reference.vectors.forEach((expected, index) => {
      const actual = row(graphVectors, index);
      expect(dot(actual, expected)).toBeGreaterThan(0.999);
      expect(maxAbsDifference(actual, expected)).toBeLessThan(1e-3);
      // The int16 pass adds its quantisation error (~1e-5 of cosine) to the graph's.
      expect(dot(row(fastVectors, index), expected)).toBeGreaterThan(0.999);
      expect(dot(row(fastVectors, index), actual)).toBeGreaterThan(0.9999);
    });
  });

  it('scores paraphrases clearly above unrelated prompts', async () => {
    const left = await embedder.embed(PARAPHRASES.map((pair) => pair[0]));
    const right = await embedder.embed(PARAPHRASES.map((pair) => pair[1]));
    let paraphraseSum = 0;
    let unrelatedSum = 0;
    for (let i = 0; i < PARAPHRASES.length; i++) {
      const paraphrase = dot(row(left, i), row(right, i));
      paraphraseSum += paraphrase;
      expect(paraphrase, PARAPHRASES[i][0]).toBeGreaterThan(0.7);
      for (let j = 0; j < PARAPHRASES.length; j++) {
        if (j === i) continue;
        const unrelated = dot(row(left, i), row(right, j));
        unrelatedSum += unrelated;
        expect(paraphrase - unrelated, `${PARAPHRASES[i][0]} vs ${PARAPHRASES[j][1]}`).toBeGreaterThan(0.2);
      }
    }
    const count = PARAPHRASES.length;
    expect(paraphraseSum / count - unrelatedSum / (count * (count - 1))).toBeGreaterThan(0.5);
  });

  it('gives the same vectors batched (mixed lengths, duplicates) as one by one, in input order', async () => {
    const texts = [
      'Short.',
      'A considerably longer prompt that has many more tokens than the others in this batch, on purpose.',
      'Short.',
      'Medium length prompt here.',
      '',
    ];
    const smallBatches = createUseLiteEmbedder({ batchSize: 2, cacheSize: 0 });
    const batched = await smallBatches.embed(texts);
    await smallBatches.dispose();
    for (let index = 0; index < texts.length; index++) {
      const single = await embedder.embed([texts[index]]);
      expect(maxAbsDifference(row(batched, index), single)).toBeLessThan(1e-5);
    }
    expect(maxAbsDifference(row(batched, 0), row(batched, 2))).toBe(0);
  });

  it('gives the same vectors for concurrent calls as for sequential ones', async () => {
    const groups = [['first group, one'], ['second group', 'has two texts in it'], ['third']];
    const fresh = createUseLiteEmbedder({ cacheSize: 0 });
    const merged = createUseLiteEmbedder({ cacheSize: 0, batchWindowMs: 5 });
    const concurrent = await Promise.all(groups.map((group) => fresh.embed(group)));
    const batched = await Promise.all(groups.map((group) => merged.embed(group)));
    for (let index = 0; index < groups.length; index++) {
      const sequential = await fresh.embed(groups[index]);
      expect(maxAbsDifference(concurrent[index], sequential)).toBeLessThan(1e-6);
      expect(maxAbsDifference(batched[index], sequential)).toBeLessThan(1e-6);
    }
    await Promise.all([fresh.dispose(), merged.dispose()]);
    const saved = process.env.ROUTELLM_EMBED_BATCH_MS;
    try {
      process.env.ROUTELLM_EMBED_BATCH_MS = 'soon';
      expect(() => createUseLiteEmbedder()).toThrow(/ROUTELLM_EMBED_BATCH_MS[\s\S]*integer from 0 to 1000/);
    } finally {
      if (saved === undefined) delete process.env.ROUTELLM_EMBED_BATCH_MS;
      else process.env.ROUTELLM_EMBED_BATCH_MS = saved;
    }
  });

  it('embeds empty and whitespace-only text as one fixed unit vector', async () => {
    const vectors = await embedder.embed(['', '   ', '\n\t', 'not empty']);
    const empty = row(vectors, 0);
    expect(Math.sqrt(dot(empty, empty))).toBeCloseTo(1, 4);
    expect(maxAbsDifference(empty, row(vectors, 1))).toBe(0);
    expect(maxAbsDifference(empty, row(vectors, 2))).toBe(0);
    expect(dot(empty, row(vectors, 3))).toBeLessThan(0.99);
  });

  it('rejects non-string input with a typed error naming the index', async () => {
    const bad = ['fine', 'also fine', 42] as unknown as string[];
    await expect(embedder.embed(bad)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(embedder.embed(bad)).rejects.toThrow('texts[2]');
    await expect(embedder.embed(['ok', null] as unknown as string[])).rejects.toThrow(/texts\[1\].*null/);
    await expect(embedder.embed('a string' as unknown as string[])).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('rejects bad options at construction', () => {
    expect(() => createUseLiteEmbedder({ batchSize: 0 })).toThrow(InvalidOptionsError);
    expect(() => createUseLiteEmbedder({ maxTokens: -3 })).toThrow(/maxTokens/);
    expect(() => createUseLiteEmbedder({ batchsize: 4 } as never)).toThrow(InvalidOptionsError);
  });

  it('truncates long input to maxTokens and survives 1 MB of text', async () => {
    const short = createUseLiteEmbedder({ maxTokens: 8 });
    const base = 'the cat sat on the mat and then it went to sleep for a long time';
    expect(await short.tokenize(base)).toHaveLength(8);
    const [first, second] = [await short.embed([base]), await short.embed([`${base} and many more words after it`])];
    expect(maxAbsDifference(first, second)).toBe(0);
    await short.dispose();
    // The model reads the first 128 tokens: what follows them changes no vector, on either path.
    const long = `${base}. `.repeat(12);
    expect((await embedder.tokenize(long)).length).toBeGreaterThan(128);
    for (const model of [embedder, exact]) {
      expect(maxAbsDifference(await model.embed([long]), await model.embed([`${long} Then a different ending.`]))).toBe(0);
    }

    const megabyte = 'lorem ipsum dolor sit amet '.repeat(40_000);
    expect(megabyte.length).toBeGreaterThan(1_000_000);
    expect(await embedder.tokenize(megabyte)).toHaveLength(1024);
    const vector = await embedder.embed([megabyte]);
    expect(vector.every(Number.isFinite)).toBe(true);
    expect(Math.sqrt(dot(vector, vector))).toBeCloseTo(1, 4);
  });

  it('leaks no tensors across calls, and dispose frees the model', async () => {
    const before = liveTensorCount();
    for (const model of [embedder, exact]) {
      await model.embed(['leak check one', 'leak check number two is longer']);
      await model.embed(['leak check three']);
    }
    expect(liveTensorCount()).toBe(before);

    const extra = createUseLiteEmbedder({ exact: true });
    await extra.embed(['load a second copy']);
    expect(liveTensorCount()).toBeGreaterThan(before);
    await extra.dispose();
    expect(liveTensorCount()).toBe(before);
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
    const off = new LruCache<string, number>(0);
    off.set('a', 1);
    expect(off.get('a')).toBeUndefined();
  });
});

describe('planBatches', () => {
  const covers = (batches: number[][], count: number) => expect(batches.flat()).toEqual(Array.from({ length: count }, (_, i) => i));

  it('fills batches of similar lengths up to batchSize', () => {
    const lengths = Array.from({ length: 70 }, (_, i) => 40 + Math.floor(i / 10));
    const batches = planBatches(lengths, 32);
    covers(batches, 70);
    expect(batches.map((batch) => batch.length)).toEqual([32, 32, 6]);
  });

  it('starts a new batch rather than pad short texts to a long one', () => {
    const lengths = [10, 10, 11, 12, 60, 61, 300];
    const batches = planBatches(lengths, 32);
    covers(batches, 7);
    expect(batches).toEqual([[0, 1, 2, 3], [4, 5], [6]]);
    for (const batch of batches) {
      const longest = Math.max(...batch.map((index) => lengths[index]));
      const real = batch.reduce((sum, index) => sum + lengths[index], 0);
      expect(batch.length * longest - real).toBeLessThanOrEqual(0.2 * real + 2 * batch.length);
    }
  });

  it('keeps the attention area of long texts bounded', () => {
    const batches = planBatches(Array.from({ length: 20 }, () => 1024), 128);
    covers(batches, 20);
    expect(Math.max(...batches.map((batch) => batch.length))).toBe(8);
    expect(planBatches([], 8)).toEqual([]);
  });
});
