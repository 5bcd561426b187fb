/**
 * The judge of `routellm label`: single-answer grading with the strong model's answer as the
 * reference (the paper's LLM-judge augmentation), and the one rule that turns a rating into a
 * battle outcome.
 */
import { createHash } from 'node:crypto';
import { InvalidOptionsError } from '../errors.js';
import type { Winner } from '../data/types.js';

/** The placeholders a judge template must contain. */
export const JUDGE_TEMPLATE_FIELDS = ['{question}', '{reference}', '{answer}'] as const;

/**
 * The default judge prompt. `{question}` is the prompt text, `{reference}` the strong model's
 * answer, `{answer}` the weak model's. The judge replies with its reasons and a rating `[[1]]`..`[[5]]`.
 */
export const DEFAULT_JUDGE_TEMPLATE = `You grade an answer written by an AI assistant. Below are a user's question, a reference answer written by a stronger model, and the assistant's answer.
Judge the assistant's answer against the reference for correctness, completeness and usefulness to the user; do not reward length.
Use this scale:
5: as good as the reference, or better.
4: nearly as good; only small flaws that would not bother the user.
3: usable, but clearly worse than the reference.
2: mostly wrong, incomplete or unhelpful.
1: wrong, off-topic or useless.
Give a short reason, then end your reply with the rating in double square brackets, for example [[4]].

[Question]
{question}

[Reference answer]
{reference}

[Assistant's answer]
{answer}`;

/** Checks a judge template: every placeholder of `JUDGE_TEMPLATE_FIELDS` must appear. */
export function checkJudgeTemplate(template: string): string {
  const missing = JUDGE_TEMPLATE_FIELDS.filter((field) => !template.includes(field));
  if (missing.length > 0) throw new InvalidOptionsError('judge template', `a template containing ${JUDGE_TEMPLATE_FIELDS.join(', ')}; missing ${missing.join(', ')}`);
  return template;
}

/** The judge prompt for one prompt and its two answers. */
export function renderJudgePrompt(template: string, question: string, reference: string, answer: string): string {
  const values: Record<string, string> = { '{question}': question, '{reference}': reference, '{answer}': answer };
  // One pass, so an answer that itself contains "{answer}" is not substituted again.
  return template.replace(/\{question\}|\{reference\}|\{answer\}/g, (field) => values[field]);
}

/** A short hash of a template: part of each label's key, so a new template labels again. */
export function templateHash(template: string): string {
  return createHash('sha256').update(template).digest('hex').slice(0, 16);
}

/** The rating a judge reply ends with: the last `[[n]]` with n in 1..5, or undefined when there is none. */
export function parseRating(reply: string): number | undefined {
  const matches = [...reply.matchAll(/\[\[\s*([1-5])\s*\]\]/g)];
  const last = matches.at(-1);
  return last ? Number(last[1]) : undefined;
}

/**
 * The rule from a rating to a battle (model_a = strong, model_b = weak): a rating of at least
 * `weakWinsFrom` (default 4, the `P(rating >= 4)` of the causal-LLM router) means the weak answer
 * is as good, so the cheaper model wins (`model_b`); a lower rating means the strong model wins
 * (`model_a`). No ties: every judged prompt teaches the router something, and mf drops ties.
 */
export function ratingOutcome(rating: number, weakWinsFrom = 4): Winner {
  return rating >= weakWinsFrom ? 'model_b' : 'model_a';
}
