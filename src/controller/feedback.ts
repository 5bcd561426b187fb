/**
 * Feedback on served completions: what the controller keeps of each completion (bounded in number
 * and age), the outcomes a caller can report, and the one rule that turns an outcome into a
 * training row (a battle in the format `routellm train` reads).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Winner } from '../data/types.js';
import { InvalidInputError, RouteLLMError } from '../errors.js';
import { isPairRouter, type RouteDecision, type Router } from '../routers/types.js';

/** Default number of completions kept for feedback. */
export const DEFAULT_FEEDBACK_MAX_ENTRIES = 10_000;
/** Default age after which a completion can no longer get feedback: 24 hours. */
export const DEFAULT_FEEDBACK_TTL_MS = 24 * 60 * 60 * 1000;

/** What the controller keeps of a served completion to make a training row from it. No keys, no answer text. */
export interface ServedCompletion {
  /** The response `id` the client saw. */
  id: string;
  /** Epoch ms when it was served. */
  created: number;
  /** The text the router scored (the last user turn, or the last `routeTurns` messages). */
  prompt: string;
  router: string;
  threshold: number;
  strong_win_rate: number;
  decision: RouteDecision;
  /** The model that answered. */
  model: string;
  strong_model: string;
  weak_model: string;
}

/** An outcome for a completion: a score of its answer in [0, 1], or which side should have answered. */
export const feedbackOutcomeSchema = z.union([
  z
    .object({
      /** How good the answer was, 0 (useless) to 1 (perfect). */
      score: z.number().min(0).max(1),
    })
    .strict(),
  z
    .object({
      /** Which model's answer is (or would have been) better for this prompt; `tie` when both do. */
      winner: z.enum(['strong', 'weak', 'tie']),
    })
    .strict(),
]);

/** An outcome as the caller writes it: `{ score }` or `{ winner }`. */
export type FeedbackOutcome = z.infer<typeof feedbackOutcomeSchema>;

/** A training row made from feedback: a battle (`model_a` = strong, `model_b` = weak) and where it came from. */
export interface FeedbackRow {
  prompt: string;
  model_a: string;
  model_b: string;
  winner: Winner;
  /** The completion's id, router, decision and answering model. */
  id: string;
  router: string;
  decision: RouteDecision;
  model: string;
  /** The score given, when the outcome was a score. */
  score?: number;
  /** Epoch ms of the feedback. */
  received: number;
}

/** Feedback for an id the controller never served, or no longer keeps (older or past the bound). */
export class UnknownCompletionError extends RouteLLMError {
  constructor(readonly id: string) {
    super(`No completion with id "${id}" is kept for feedback (unknown, or expired: completions are kept for a bounded time and number).`, {
      code: 'unknown_completion',
    });
  }
}

/** A new response id: `chatcmpl-rl-` and a random UUID. */
export function newCompletionId(): string {
  return `chatcmpl-rl-${randomUUID()}`;
}

/**
 * The rule from an outcome to a battle. `winner` says it directly. A score is about the answer the
 * client got: a weak answer scoring >= 0.5 was good enough (the weak model wins), below 0.5 the
 * strong model should have answered; a strong answer scoring >= 0.5 says nothing against the weak
 * model (a tie), below 0.5 both are taken as bad (`tie (bothbad)`).
 */
export function feedbackWinner(decidedModelIsStrong: boolean, outcome: FeedbackOutcome): Winner {
  if ('winner' in outcome) return outcome.winner === 'strong' ? 'model_a' : outcome.winner === 'weak' ? 'model_b' : 'tie';
  const good = outcome.score >= 0.5;
  if (!decidedModelIsStrong) return good ? 'model_b' : 'model_a';
  return good ? 'tie' : 'tie (bothbad)';
}

/** The completions served lately, oldest first, bounded by count and age. */
export class CompletionLog {
  private readonly entries = new Map<string, ServedCompletion>();

  constructor(
    readonly maxEntries = DEFAULT_FEEDBACK_MAX_ENTRIES,
    readonly ttlMs = DEFAULT_FEEDBACK_TTL_MS,
  ) {}

  /** Number of completions kept now. */
  get size(): number {
    return this.entries.size;
  }

  /** Keeps a completion; drops the oldest beyond `maxEntries`. */
  remember(entry: ServedCompletion): void {
    this.entries.set(entry.id, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The completion with this id, unless unknown or older than `ttlMs` (then it is dropped). */
  find(id: string, now = Date.now()): ServedCompletion | undefined {
    this.dropExpired(now);
    return this.entries.get(id);
  }

  /**
   * The training row for feedback on completion `id`. Throws `InvalidInputError` for a bad id or
   * outcome and `UnknownCompletionError` for an id not kept.
   */
  feedback(id: unknown, outcome: unknown): FeedbackRow {
    if (typeof id !== 'string' || id === '') throw new InvalidInputError('id', 'the `id` of a completion this server or controller returned');
    const parsed = feedbackOutcomeSchema.safeParse(outcome);
    if (!parsed.success) throw new InvalidInputError('feedback', 'either `score` (a number in [0, 1]) or `winner` ("strong", "weak" or "tie")');
    const served = this.find(id);
    if (!served) throw new UnknownCompletionError(id);
    const row: FeedbackRow = {
      prompt: served.prompt,
      model_a: served.strong_model,
      model_b: served.weak_model,
      winner: feedbackWinner(served.model === served.strong_model, parsed.data),
      id,
      router: served.router,
      decision: served.decision,
      model: served.model,
      received: Date.now(),
    };
    if ('score' in parsed.data) row.score = parsed.data.score;
    return row;
  }

  private dropExpired(now: number): void {
    for (const [id, entry] of this.entries) {
      if (now - entry.created <= this.ttlMs) break;
      this.entries.delete(id);
    }
  }
}

/** A router that absorbs new battles while serving (sw_ranking's `addBattles`). */
export interface LearningRouter {
  addBattles(battles: readonly { prompt: string; modelA: string; modelB: string; winner: string }[]): Promise<unknown>;
}

/** True for routers with `addBattles`. */
export function isLearningRouter(router: unknown): router is LearningRouter {
  return typeof (router as Partial<LearningRouter> | null)?.addBattles === 'function';
}

/**
 * Feeds a feedback row to a router that learns online, as a battle between the router's own pair
 * (its names for the deployed strong and weak models). False for routers that do not learn.
 */
export async function learnFromRow(router: Router, row: FeedbackRow): Promise<boolean> {
  if (!isLearningRouter(router) || !isPairRouter(router)) return false;
  const { strongModel, weakModel } = router;
  await router.addBattles([{ prompt: row.prompt, modelA: strongModel, modelB: weakModel, winner: row.winner }]);
  return true;
}
