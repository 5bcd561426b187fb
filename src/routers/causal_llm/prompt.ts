/**
 * The rating prompt: a system instruction and a user template with `{question}` and/or
 * `{conversation}` slots.
 *
 * - `{question}` is the last user turn (the prompt itself for a single prompt). This is what the
 *   original RouteLLM classifier reads: routing looks at the last message only.
 * - `{conversation}` is every turn in order, each as `User: ...` / `Assistant: ...` (system
 *   turns as `System: ...`), separated by blank lines. For a single prompt it is `User: <prompt>`.
 * A template must contain at least one of the two slots. Slots are filled in one pass, so a
 * question that itself contains `{conversation}` is left as written.
 */
import { InvalidInputError } from '../../errors.js';

/** One turn of a conversation. */
export interface ConversationTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Our default system instruction. */
export const DEFAULT_SYSTEM_PROMPT =
  'You are a routing judge. Given a request that a user sent to an AI assistant, predict how well a capable ' +
  'but smaller and cheaper assistant would answer it, on a scale from 1 to 5: [[1]] badly (wrong, unhelpful ' +
  'or refused), [[2]] poorly, [[3]] acceptably but with clear flaws, [[4]] well, [[5]] as well as the best ' +
  'available model. Reply with the rating label only: exactly one of [[1]], [[2]], [[3]], [[4]], [[5]].';

/** Our default user template. */
export const DEFAULT_TEMPLATE =
  'How well would a capable but cheaper assistant answer the request below?\n\n' +
  'Request:\n{question}\n\n' +
  'Answer with one of [[1]], [[2]], [[3]], [[4]], [[5]] and nothing else.';

/** Default layout of the completions API prompt: `{system}` and `{user}` are the rendered parts. */
export const DEFAULT_COMPLETION_FORMAT = '{system}\n\n{user}\n\nRating: ';

const SLOT = /\{(question|conversation)\}/g;

/** True when `template` has a `{question}` or `{conversation}` slot. */
export function hasPromptSlot(template: string): boolean {
  SLOT.lastIndex = 0;
  return SLOT.test(template);
}

/** The conversation's turns written as the `{conversation}` slot shows them. */
export function formatConversation(turns: readonly ConversationTurn[]): string {
  const speaker = { system: 'System', user: 'User', assistant: 'Assistant' } as const;
  return turns.map((turn) => `${speaker[turn.role]}: ${turn.content}`).join('\n\n');
}

/** Checks a conversation and returns it; throws `InvalidInputError` naming the bad turn. */
export function assertConversation(turns: unknown, label = 'conversation'): readonly ConversationTurn[] {
  if (!Array.isArray(turns) || turns.length === 0) throw new InvalidInputError(label, 'a non-empty array of turns');
  turns.forEach((turn, index) => {
    const candidate = turn as Partial<ConversationTurn> | null;
    if (
      typeof candidate !== 'object' ||
      candidate === null ||
      !['system', 'user', 'assistant'].includes(candidate.role as string) ||
      typeof candidate.content !== 'string'
    ) {
      throw new InvalidInputError(`${label}[${index}]`, '{ role: "system" | "user" | "assistant", content: string }');
    }
  });
  if (!turns.some((turn: ConversationTurn) => turn.role === 'user')) throw new InvalidInputError(label, 'at least one user turn');
  return turns as ConversationTurn[];
}

/** The user message for a conversation: the template with its slots filled. */
export function renderUserMessage(template: string, turns: readonly ConversationTurn[]): string {
  const lastUser = [...turns].reverse().find((turn) => turn.role === 'user');
  const values = { question: lastUser?.content ?? '', conversation: formatConversation(turns) };
  return template.replace(SLOT, (_, slot: keyof typeof values) => values[slot]);
}

/** The completions API prompt: `format` with `{system}` and `{user}` filled in one pass. */
export function renderCompletionPrompt(format: string, systemPrompt: string, userMessage: string): string {
  return format.replace(/\{(system|user)\}/g, (_, slot: string) => (slot === 'system' ? systemPrompt : userMessage));
}
