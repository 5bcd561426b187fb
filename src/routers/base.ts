import { InvalidInputError, InvalidThresholdError, RouteLLMError } from '../errors.js';
import type { RouteDecision, Router } from './types.js';

/** Throws `InvalidThresholdError` unless `threshold` is a finite number in [0, 1]. */
export function assertThreshold(threshold: unknown): asserts threshold is number {
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
    throw new InvalidThresholdError(threshold);
  }
}

/** Throws `InvalidInputError` unless `prompts` is an array of strings. */
export function assertPrompts(prompts: unknown): asserts prompts is readonly string[] {
  if (!Array.isArray(prompts)) throw new InvalidInputError('prompts', 'an array of strings');
  for (let i = 0; i < prompts.length; i++) {
    if (typeof prompts[i] !== 'string') {
      throw new InvalidInputError(`prompts[${i}]`, `a string, got ${prompts[i] === null ? 'null' : typeof prompts[i]}`);
    }
    if (isBlankPrompt(prompts[i])) throw new InvalidInputError(`prompts[${i}]`, BLANK_PROMPT_EXPECTED);
  }
}

/** What a prompt must have, in the error for a blank one. */
export const BLANK_PROMPT_EXPECTED = 'a prompt with text (not empty or only whitespace)';

/**
 * The one rule for empty prompts, for scoring and chat alike: a prompt that is empty or only
 * whitespace has nothing to route on and is rejected, never scored.
 */
export function isBlankPrompt(prompt: string): boolean {
  return prompt.trim() === '';
}

/**
 * Shared plumbing for routers: input checks, the single-prompt and `route()` forms, and the
 * disposed state. Subclasses implement `scoreBatch()` and, if they hold resources, `release()`.
 */
export abstract class BaseRouter implements Router {
  abstract readonly name: string;
  private disposed = false;

  /** Scores a non-empty batch of validated prompts. */
  protected abstract scoreBatch(prompts: readonly string[]): Promise<Float32Array>;

  /** Frees what the router holds; called once by `dispose()`. */
  protected async release(): Promise<void> {}

  async strongWinRates(prompts: readonly string[]): Promise<Float32Array> {
    this.assertUsable();
    assertPrompts(prompts);
    if (prompts.length === 0) return new Float32Array(0);
    return this.scoreBatch(prompts);
  }

  async strongWinRate(prompt: string): Promise<number> {
    const [score] = await this.strongWinRates([prompt]);
    return score;
  }

  async route(prompt: string, threshold: number): Promise<RouteDecision> {
    assertThreshold(threshold);
    const score = await this.strongWinRate(prompt);
    return score >= threshold ? 'strong' : 'weak';
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.release();
  }

  /** Throws when the router was disposed. */
  protected assertUsable(): void {
    if (this.disposed) {
      throw new RouteLLMError(`Router "${this.name}" was disposed and cannot be used.`, { code: 'router_disposed' });
    }
  }
}
