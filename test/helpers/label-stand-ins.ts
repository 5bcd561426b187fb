/**
 * Stand-ins for `routellm label` tests: prompts of two kinds, answer models and a judge that follow
 * a rule a router can learn. The weak model cannot do the hard kind (proofs, equations, calculus)
 * and says so; the judge gives such an answer [[1]] and any other [[5]].
 */
import { chatCompletion, requestText, type RecordedRequest, type ScriptedReply } from './fake-openai-server.js';

const HARD = [
  (n: number) => `Prove that the sum of the first ${n} odd numbers equals ${n} squared.`,
  (n: number) => `Solve the equation ${n}x + ${n + 3} = ${2 * n + 7} and show every step.`,
  (n: number) => `Compute the derivative of x^${n} times sin(${n}x) with the product rule.`,
  (n: number) => `Evaluate the definite integral of ${n}x^2 from 0 to ${n + 1}.`,
  (n: number) => `Prove that ${n * 2 + 1} is not divisible by 2 using modular arithmetic.`,
];
const EASY_WORDS = ['Maria', 'Tom', 'Aiko', 'Lars', 'Chen', 'Priya', 'Omar', 'Zoe', 'Ivan', 'Lena'];
const EASY = [
  (n: number) => `Write a short, friendly birthday message for my friend ${EASY_WORDS[n % 10]} who turns ${n}.`,
  (n: number) => `Suggest cute names for my new kitten, she is ${n} days old, grey and fluffy (${EASY_WORDS[n % 10]} likes them short).`,
  (n: number) => `Tell me a fun fact about parrots that I can share with ${EASY_WORDS[n % 10]}, age ${n}.`,
  (n: number) => `Say good morning to ${EASY_WORDS[n % 10]} in a cheerful way, mention the number ${n}.`,
  (n: number) => `Recommend a cozy movie for a rainy evening with ${EASY_WORDS[n % 10]} (we have ${n} minutes).`,
];

/** True for prompts of the kind the weak model cannot answer. */
export function isHardPrompt(prompt: string): boolean {
  return /prove|equation|derivative|integral/i.test(prompt);
}

/** `count` distinct prompts, alternating hard and easy, numbered from `start` (use disjoint ranges for held-out sets). */
export function twoKindPrompts(count: number, start = 0): { prompt: string; hard: boolean }[] {
  return Array.from({ length: count }, (_, index) => {
    const n = start + Math.floor(index / 2);
    const templates = index % 2 === 0 ? HARD : EASY;
    const prompt = templates[n % templates.length](n + 2);
    return { prompt, hard: index % 2 === 0 };
  });
}

/** The weak model's answer: a refusal on hard prompts. */
export function weakAnswer(prompt: string): string {
  return isHardPrompt(prompt) ? "I don't know how to do that." : `Sure! Here you go: a fine answer to "${prompt}".`;
}

/** The section of the judge prompt after `[heading]`, up to the next heading. */
function section(text: string, heading: string): string {
  const start = text.indexOf(`[${heading}]`);
  if (start < 0) return '';
  const rest = text.slice(start + heading.length + 2);
  const next = rest.search(/\n\[[A-Z][^\]]*\]\n/);
  return (next < 0 ? rest : rest.slice(0, next)).trim();
}

/** The judge's rule: [[1]] for a refusal, [[5]] otherwise. */
export function judgeReply(judgePrompt: string): string {
  const answer = section(judgePrompt, "Assistant's answer");
  return /don't know/.test(answer) ? 'The assistant gave up. Rating: [[1]]' : 'As good as the reference. Rating: [[5]]';
}

/**
 * A handler for a fake OpenAI server playing every role by the request's model: `judgeModel` judges,
 * `weakModel` answers as the weak model, any other model answers well.
 */
export function standInHandler(models: { weak: string; judge: string }): (request: RecordedRequest) => ScriptedReply {
  return (request) => {
    const model = String(request.body?.model);
    const text = requestText(request);
    const content = model === models.judge ? judgeReply(text) : model === models.weak ? weakAnswer(text) : `A careful, complete answer to: ${text}`;
    return { json: chatCompletion({ content, model }) };
  };
}

/** Area under the ROC curve of `scores` for telling `positives` (true) from the rest; ties count half. */
export function rocAuc(scores: readonly number[], positives: readonly boolean[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!positives[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (positives[j]) continue;
      pairs++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}
