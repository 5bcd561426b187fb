import { describe, expect, it } from 'vitest';
import {
  labelDigitCompletedBy,
  ratingDistributionFromLogits,
  ratingDistributionFromLogprobs,
  strongWinRateFromRatings,
  type GeneratedPosition,
} from './labels.js';

const position = (token: string, probability: number, alternatives: [string, number][] = [[token, probability]]): GeneratedPosition => ({
  token,
  logprob: Math.log(probability),
  alternatives: alternatives.map(([candidate, p]) => ({ token: candidate, logprob: Math.log(p) })),
});

describe('labelDigitCompletedBy', () => {
  it('finds the digit however the label is split', () => {
    expect(labelDigitCompletedBy('', '[[4]]')).toBe(4);
    expect(labelDigitCompletedBy('', ' [[2]]')).toBe(2);
    expect(labelDigitCompletedBy('', '[[5')).toBe(5);
    expect(labelDigitCompletedBy('[[', '3')).toBe(3);
    expect(labelDigitCompletedBy(' [[', '1]]')).toBe(1);
    expect(labelDigitCompletedBy('[', '[4')).toBe(4);
    expect(labelDigitCompletedBy('Rating: [[', ' 2')).toBe(2);
  });

  it('ignores digits outside a label, digits 0 and 6-9, and digits already generated', () => {
    expect(labelDigitCompletedBy('', '4')).toBe(0);
    expect(labelDigitCompletedBy('', '[[6]]')).toBe(0);
    expect(labelDigitCompletedBy('[[', '0')).toBe(0);
    expect(labelDigitCompletedBy('[[4', ']]')).toBe(0);
    expect(labelDigitCompletedBy('', 'I think')).toBe(0);
  });
});

describe('ratingDistributionFromLogprobs', () => {
  it('renormalises whole label tokens over the five, summing variants of the same label', () => {
    const ratings = ratingDistributionFromLogprobs([
      position('[[4]]', 0.5, [
        ['[[4]]', 0.5],
        [' [[4]]', 0.1],
        ['[[2]]', 0.2],
        ['Sure', 0.2],
      ]),
    ])!;
    expect([...ratings].map((p) => +p.toFixed(6))).toEqual([0, 0.25, 0, 0.75, 0]);
  });

  it('reads the digit position after a split "[[" and adds whole labels offered before it', () => {
    const split = ratingDistributionFromLogprobs([
      position('[[', 0.8, [
        ['[[', 0.8],
        ['[[5]]', 0.2],
      ]),
      position('3', 0.5, [
        ['3', 0.5],
        ['4', 0.25],
        ['x', 0.25],
      ]),
      position(']]', 0.99),
    ])!;
    // P(3) = 0.8 * 0.5 / 0.75, P(4) = 0.8 * 0.25 / 0.75, P(5) = 0.2, total 1.
    expect(split[2]).toBeCloseTo((0.8 * 2) / 3, 10);
    expect(split[3]).toBeCloseTo(0.8 / 3, 10);
    expect(split[4]).toBeCloseTo(0.2, 10);
    expect(split.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('passes over text before the label and returns undefined without any label', () => {
    const late = ratingDistributionFromLogprobs([position('Rating', 0.9), position(':', 0.9), position(' [[', 0.9), position('2', 1)])!;
    expect([...late]).toEqual([0, 1, 0, 0, 0]);
    expect(ratingDistributionFromLogprobs([position('I', 0.9), position(' cannot', 0.9)])).toBeUndefined();
    expect(ratingDistributionFromLogprobs([])).toBeUndefined();
  });

  it('uses the chosen token even when the server left it out of the alternatives', () => {
    const ratings = ratingDistributionFromLogprobs([position('[[1]]', 0.6, [['hello', 0.3]])])!;
    expect([...ratings]).toEqual([1, 0, 0, 0, 0]);
  });
});

describe('scores', () => {
  it('softmaxes five logits and turns ratings into a strong win rate', () => {
    const ratings = ratingDistributionFromLogits([0, 0, 0, Math.log(2), Math.log(3)]);
    expect(ratings.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(ratings[4]).toBeCloseTo(3 / 8, 12);
    expect(strongWinRateFromRatings(ratings, 4)).toBeCloseTo(3 / 8, 12);
    expect(strongWinRateFromRatings(ratings, 5)).toBeCloseTo(5 / 8, 12);
    expect(strongWinRateFromRatings(ratings, 1)).toBeCloseTo(0, 12);
    expect(strongWinRateFromRatings(undefined, 4)).toBe(1);
  });
});
