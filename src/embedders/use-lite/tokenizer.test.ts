import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultUseLiteModelDir } from './index.js';
import { SentencePieceTokenizer, UNKNOWN_ID, WORD_START, type VocabularyEntry } from './tokenizer.js';

const vocabulary = JSON.parse(readFileSync(path.join(defaultUseLiteModelDir(), 'vocab.json'), 'utf8')) as VocabularyEntry[];
const referenceTokens = JSON.parse(readFileSync(new URL('./fixtures/reference-tokens.json', import.meta.url), 'utf8')) as {
  cases: { text: string; ids: number[] }[];
};
const tokenizer = new SentencePieceTokenizer(vocabulary);
const wordStartId = vocabulary.findIndex(([piece]) => piece === WORD_START);

describe('SentencePiece tokenizer (USE-lite vocabulary)', () => {
  it('matches an independent implementation on punctuation, unicode, code and URLs', () => {
    expect(referenceTokens.cases.length).toBeGreaterThanOrEqual(15);
    for (const { text, ids } of referenceTokens.cases) {
      expect(tokenizer.encode(text), text).toEqual(ids);
    }
  });

  it('segments to the highest-scoring pieces on a tiny vocabulary', () => {
    const tiny = new SentencePieceTokenizer([
      ['<unk>', 0], ['<s>', 0], ['</s>', 0], ['x1', 0], ['x2', 0], ['x3', 0],
      [WORD_START, -5], ['a', -3], ['b', -3], ['ab', -4], [`${WORD_START}a`, -1], ['bab', -100],
    ]);
    // ▁a|b = -1 - 3 = -4 beats ▁|ab = -5 - 4 = -9 and ▁|a|b = -11.
    expect(tiny.pieces(tiny.encode('ab'))).toEqual([`${WORD_START}a`, 'b']);
    // A character no piece covers is the unknown id; a run of them is one unknown id.
    expect(tiny.encode('zzz a')).toEqual([6, UNKNOWN_ID, 10]);
    expect(tiny.encode('azb')).toEqual([10, UNKNOWN_ID, 8]);
  });

  it('reads null scores as 0 and prefers the single best piece', () => {
    expect(tokenizer.pieces(tokenizer.encode(':)'))).toEqual([`${WORD_START}:)`]);
  });

  it('applies NFKC: full-width letters and ligatures become their plain forms', () => {
    expect(tokenizer.encode('ＦＵＬＬＷＩＤＴＨ')).toEqual(tokenizer.encode('FULLWIDTH'));
    expect(tokenizer.encode('ﬁne')).toEqual(tokenizer.encode('fine'));
  });

  it('collapses whitespace like SentencePiece: tabs, newlines, runs, leading and trailing', () => {
    const plain = tokenizer.encode('tab and new line');
    expect(tokenizer.encode('tab\tand\nnew\r\n  line')).toEqual(plain);
    expect(tokenizer.encode('   tab and new line \n')).toEqual(plain);
    expect(tokenizer.encode('tab\u00a0and\u2003new line')).toEqual(plain);
    expect(tokenizer.encode('tab and\u0007 new line')).toEqual(plain);
    expect(tokenizer.encode('tab and \u0085 new \u0000line')).toEqual(plain);
  });

  it('maps empty and whitespace-only text to the lone word-start piece', () => {
    expect(wordStartId).toBeGreaterThan(0);
    expect(tokenizer.encode('')).toEqual([wordStartId]);
    expect(tokenizer.encode(' \n\t ')).toEqual([wordStartId]);
  });

  it('handles emoji and scripts outside the vocabulary as unknown ids without splitting surrogates', () => {
    const ids = tokenizer.encode('hi 😀😀 there');
    expect(ids.filter((id) => id === UNKNOWN_ID)).toHaveLength(1);
    expect(tokenizer.pieces(ids)).toContain(`${WORD_START}there`);
    expect(tokenizer.encode('ᚠᛇᚻ')).toEqual([wordStartId, UNKNOWN_ID]);
  });

  it('truncates very long input to maxTokens and reads only a bounded prefix', () => {
    const long = 'the cat sat on the mat. '.repeat(2000);
    const full = tokenizer.encode(long);
    expect(full.length).toBeGreaterThan(1024);
    const cut = tokenizer.encode(long, { maxTokens: 1024 });
    expect(cut).toHaveLength(1024);
    expect(cut).toEqual(full.slice(0, 1024));

    const megabyte = 'x'.repeat(1 << 20);
    const ids = tokenizer.encode(megabyte, { maxTokens: 1024 });
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThanOrEqual(1024);
  });
});
