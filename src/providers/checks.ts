import type { ChatCompletion } from 'openai/resources/chat/completions';
import { ProviderError } from '../errors.js';

/** A short description of a value for an error message (never its whole content). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `text ${JSON.stringify(value.slice(0, 40))}${value.length > 40 ? '...' : ''}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.slice(0, 5).join(', ')}`;
  }
  return typeof value;
}

/**
 * An upstream reply that claims success (200) must be a chat completion: an object with a
 * non-empty `choices` array. Anything else (`null`, text, `{}`) is a `ProviderError` of kind
 * `malformed`, which the controller treats as a failed attempt (fallback, 502).
 */
export function checkCompletion(provider: string, reply: unknown): ChatCompletion {
  const choices = (reply as { choices?: unknown } | null)?.choices;
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply) || !Array.isArray(choices) || choices.length === 0) {
    throw new ProviderError(provider, `malformed reply: expected a chat completion with a non-empty "choices" array, got ${describeValue(reply)}`, 200, {
      kind: 'malformed',
    });
  }
  return reply as ChatCompletion;
}
