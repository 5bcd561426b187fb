/**
 * Reading the five rating labels `[[1]]`..`[[5]]` out of a model's answer, and turning the
 * rating distribution into a strong win rate.
 *
 * The rule for log-probabilities returned by an endpoint (documented in the README of this folder):
 * - The answer is read position by position over the first generated tokens. `prior` is the text
 *   the model actually generated before a position.
 * - A token "completes a label digit d" when `prior + token` contains `[[` followed (spaces
 *   allowed) by a digit 1-5 that lies inside that token. So a single token `[[4]]`, a token `[[4`
 *   after nothing, a token `4` after `[[`, and a token `4]]` after ` [[` all carry rating 4.
 * - At the first position where the generated token completes a digit, the rating masses are the
 *   probabilities of the top alternatives there, summed per digit (` [[4]]` and `[[4]]` both count
 *   for 4).
 * - Before that position, alternatives that complete a digit on their own (a whole `[[4]]` offered
 *   next to the chosen `[[`) add their probability directly, and the chosen token's probability is
 *   spread over the digits in the proportions read at the later positions. In effect
 *   P(d) = P(`[[d]]` now) + P(`[[` now) * P(d | `[[`).
 * - Digits not among the top alternatives get zero mass; the masses are renormalised over the five.
 *   No digit within the examined positions means an invalid answer (the caller routes it to strong).
 */

/** The five label strings, rating 1 first. */
export const RATING_LABELS = Object.freeze(['[[1]]', '[[2]]', '[[3]]', '[[4]]', '[[5]]'] as const);

/** One token with its natural-log probability. */
export interface TokenLogprob {
  token: string;
  logprob: number;
}

/** One generated position: the token the model chose and the top alternatives there. */
export interface GeneratedPosition extends TokenLogprob {
  /** The most likely tokens at this position (may or may not include the chosen one). */
  alternatives: readonly TokenLogprob[];
}

const LABEL_DIGIT = /\[\[\s*([1-5])/g;

/** The rating digit (1-5) that `token` completes when it follows `prior`, or 0. */
export function labelDigitCompletedBy(prior: string, token: string): number {
  const text = prior + token;
  LABEL_DIGIT.lastIndex = 0;
  for (let match = LABEL_DIGIT.exec(text); match; match = LABEL_DIGIT.exec(text)) {
    const digitIndex = match.index + match[0].length - 1;
    if (digitIndex >= prior.length) return Number(match[1]);
  }
  return 0;
}

/**
 * Rating probabilities (index 0 = rating 1) read from generated positions by the rule above,
 * renormalised to sum 1; `undefined` when none of the five labels can be found.
 */
export function ratingDistributionFromLogprobs(positions: readonly GeneratedPosition[]): Float64Array | undefined {
  const masses = ratingMasses(positions, 0, '');
  return masses && normalise(masses);
}

function ratingMasses(positions: readonly GeneratedPosition[], index: number, prior: string): Float64Array | undefined {
  if (index >= positions.length) return undefined;
  const position = positions[index];
  const masses = new Float64Array(5);
  let found = false;
  const candidates = position.alternatives.some((alternative) => alternative.token === position.token)
    ? position.alternatives
    : [...position.alternatives, position];
  for (const candidate of candidates) {
    const digit = labelDigitCompletedBy(prior, candidate.token);
    const probability = probabilityOf(candidate.logprob);
    if (digit > 0 && probability > 0) {
      masses[digit - 1] += probability;
      found = true;
    }
  }
  if (labelDigitCompletedBy(prior, position.token) > 0) return found ? masses : undefined;
  const later = ratingMasses(positions, index + 1, prior + position.token);
  if (later) {
    const laterTotal = later.reduce((sum, mass) => sum + mass, 0);
    const chosen = probabilityOf(position.logprob) || 1;
    for (let digit = 0; digit < 5; digit++) masses[digit] += (chosen * later[digit]) / laterTotal;
    found = true;
  }
  return found ? masses : undefined;
}

function probabilityOf(logprob: number): number {
  return typeof logprob === 'number' && Number.isFinite(logprob) ? Math.exp(Math.min(logprob, 0)) : 0;
}

function normalise(masses: Float64Array): Float64Array | undefined {
  const total = masses.reduce((sum, mass) => sum + mass, 0);
  if (!(total > 0)) return undefined;
  return masses.map((mass) => mass / total);
}

/** Softmax over the five label logits (index 0 = rating 1). */
export function ratingDistributionFromLogits(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < 5; i++) max = Math.max(max, logits[i]);
  const out = new Float64Array(5);
  let total = 0;
  for (let i = 0; i < 5; i++) total += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < 5; i++) out[i] /= total;
  return out;
}

/**
 * Strong win rate from a rating distribution: 1 - P(rating >= scoreThreshold). A missing
 * distribution (an invalid answer) counts as rating 1, so the prompt goes to the strong model.
 */
export function strongWinRateFromRatings(ratings: ArrayLike<number> | undefined, scoreThreshold: number): number {
  if (!ratings) return 1;
  let weakGoodEnough = 0;
  for (let rating = scoreThreshold; rating <= 5; rating++) weakGoodEnough += ratings[rating - 1];
  return Math.min(1, Math.max(0, 1 - weakGoodEnough));
}
