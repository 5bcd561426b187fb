import { routingText } from '../controller/messages.js';
import { InvalidInputError } from '../errors.js';

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/** The role and the text parts of each message of an AI SDK prompt (files, reasoning and tool parts have no text here). */
export interface PromptMessage {
  role: string;
  text: string;
}

/**
 * The text a router scores for an AI SDK prompt (the `prompt` of a language model call: system,
 * user, assistant and tool messages with content parts), by the Controller's rule: the last user
 * message, or with `turns` k > 1 the last k user and assistant messages up to it. Only text parts
 * count; files, reasoning, tool calls and tool results are forwarded to the chosen model but not
 * scored. Throws `InvalidInputError` for a prompt of another shape or with no user text.
 */
export function promptRoutingText(prompt: unknown, turns: number): string {
  return routingText(promptMessages(prompt), turns);
}

/** The messages of an AI SDK prompt with their text; `InvalidInputError` for a prompt of another shape. */
export function promptMessages(prompt: unknown): PromptMessage[] {
  if (!Array.isArray(prompt)) throw new InvalidInputError('prompt', 'an array of AI SDK prompt messages');
  return prompt.map((message, index) => {
    const { role, content } = (message ?? {}) as { role?: unknown; content?: unknown };
    if (typeof role !== 'string' || !ROLES.has(role)) {
      throw new InvalidInputError(`prompt[${index}].role`, `one of ${[...ROLES].join(', ')}, got ${JSON.stringify(role)}`);
    }
    if (role === 'system') {
      if (typeof content !== 'string') throw new InvalidInputError(`prompt[${index}].content`, 'a string (system message)');
      return { role, text: content };
    }
    if (!Array.isArray(content)) throw new InvalidInputError(`prompt[${index}].content`, 'an array of content parts');
    return { role, text: textOf(content) };
  });
}

function textOf(parts: readonly unknown[]): string {
  const texts: string[] = [];
  for (const part of parts) {
    const { type, text } = (part ?? {}) as { type?: unknown; text?: unknown };
    if (type === 'text' && typeof text === 'string') texts.push(text);
  }
  return texts.join('\n');
}
