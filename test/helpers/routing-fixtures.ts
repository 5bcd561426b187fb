import { BaseRouter } from '../../src/routers/base.js';

/**
 * A router whose scores a test controls through the real Router interface: 0.75 for prompts
 * about proofs or theorems, 0.25 for the rest. `scored` lists every text it was asked about.
 */
export class KeywordRouter extends BaseRouter {
  readonly name = 'keyword';
  readonly scored: string[] = [];

  protected async scoreBatch(prompts: readonly string[]): Promise<Float32Array> {
    this.scored.push(...prompts);
    return Float32Array.from(prompts, (prompt) => (/prove|theorem/i.test(prompt) ? 0.75 : 0.25));
  }
}

/** A prompt the keyword router sends to the strong model (score 0.75). */
export const HARD_PROMPT = 'Prove that there are infinitely many primes.';
/** A prompt the keyword router sends to the weak model (score 0.25). */
export const EASY_PROMPT = 'What is the capital of France?';

/** Resolves once `condition()` holds; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Joins the pieces of a text stream. */
export async function collectText(stream: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const piece of stream) text += piece;
  return text;
}
