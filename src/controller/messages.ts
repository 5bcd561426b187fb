import { InvalidInputError } from '../errors.js';
import { BLANK_PROMPT_EXPECTED, isBlankPrompt } from '../routers/base.js';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
const TEXT_PART_TYPES: Record<string, ReadonlySet<string>> = {
  assistant: new Set(['text', 'refusal']),
};
const DEFAULT_TEXT_PARTS: ReadonlySet<string> = new Set(['text']);

interface CheckedMessage {
  role: string;
  text: string;
}

/**
 * Checks a chat `messages` array before any upstream call: a non-empty array of objects with a
 * known role, whose content is a string, null (assistant tool calls), or an array of text parts.
 * Images, audio and files throw `InvalidInputError` naming the message and part. Returns each
 * message's role and text.
 */
export function checkMessages(messages: unknown): CheckedMessage[] {
  if (!Array.isArray(messages)) throw new InvalidInputError('messages', 'an array of chat messages');
  if (messages.length === 0) throw new InvalidInputError('messages', 'at least one message');
  return messages.map((message, index) => {
    if (typeof message !== 'object' || message === null) {
      throw new InvalidInputError(`messages[${index}]`, 'an object with a role and content');
    }
    const { role, content } = message as { role?: unknown; content?: unknown };
    if (typeof role !== 'string' || !ROLES.has(role)) {
      throw new InvalidInputError(`messages[${index}].role`, `one of ${[...ROLES].join(', ')}, got ${JSON.stringify(role)}`);
    }
    return { role, text: contentText(content, role, index) };
  });
}

function contentText(content: unknown, role: string, index: number): string {
  if (typeof content === 'string') return content;
  if (content == null) {
    if (role === 'assistant') return '';
    throw new InvalidInputError(`messages[${index}].content`, 'a string or an array of text parts');
  }
  if (!Array.isArray(content)) throw new InvalidInputError(`messages[${index}].content`, 'a string or an array of text parts');
  const allowed = TEXT_PART_TYPES[role] ?? DEFAULT_TEXT_PARTS;
  return content
    .map((part, partIndex) => {
      const type = (part as { type?: unknown } | null)?.type;
      if (typeof type !== 'string' || !allowed.has(type)) {
        throw new InvalidInputError(
          `messages[${index}].content[${partIndex}]`,
          `a text part (routellm routes and forwards text only), got ${typeof type === 'string' ? `"${type}"` : 'no type'}`,
        );
      }
      const value = type === 'refusal' ? (part as { refusal?: unknown }).refusal : (part as { text?: unknown }).text;
      if (typeof value !== 'string') throw new InvalidInputError(`messages[${index}].content[${partIndex}].${type}`, 'a string');
      return value;
    })
    .join('\n');
}

/**
 * The text a router scores. `turns` 1: the last user message (as the original RouteLLM). `turns`
 * k > 1: the last k user and assistant messages up to and including the last user message, joined
 * by a blank line. Throws `InvalidInputError` when there is no user message with text.
 */
export function routingText(messages: readonly CheckedMessage[], turns = 1): string {
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'user') {
      lastUser = i;
      break;
    }
  }
  if (lastUser < 0 || isBlankPrompt(messages[lastUser].text)) {
    throw new InvalidInputError('messages', `a last user message with text to route on (${BLANK_PROMPT_EXPECTED})`);
  }
  if (turns === 1) return messages[lastUser].text;
  const picked: string[] = [];
  for (let i = lastUser; i >= 0 && picked.length < turns; i--) {
    const message = messages[i];
    if ((message.role === 'user' || message.role === 'assistant') && message.text !== '') picked.push(message.text);
  }
  return picked.reverse().join('\n\n');
}
