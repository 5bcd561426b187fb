import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { checkMessages, routingText } from '../controller/messages.js';
import { DataError } from '../data/errors.js';
import { readJsonLines } from '../data/jsonl.js';
import { RouteLLMError } from '../errors.js';
import { promptHash } from './store.js';

/** One distinct prompt to label. */
export interface LabelPrompt {
  /** The text the judge sees and the battle keeps: the prompt, or the last user turn of `messages`. */
  text: string;
  /** SHA-256 of `text` (see `promptHash`). */
  hash: string;
  /** What the answer models are sent. */
  messages: ChatCompletionMessageParam[];
}

/**
 * Reads the prompts of a JSON Lines file (rows with a `prompt` string or a `messages` array),
 * keeps the first row of each distinct prompt text, and at most `limit` of them. A row with
 * neither field, or bad messages, is a `DataError` naming the file and line.
 */
export async function readLabelInput(file: string, limit?: number): Promise<{ rows: number; prompts: LabelPrompt[] }> {
  const records = await readJsonLines(file);
  const seen = new Set<string>();
  const prompts: LabelPrompt[] = [];
  for (const record of records) {
    const { prompt, messages } = record.value as { prompt?: unknown; messages?: unknown };
    let item: Omit<LabelPrompt, 'hash'>;
    if (typeof prompt === 'string' && prompt.trim() !== '') item = { text: prompt, messages: [{ role: 'user', content: prompt }] };
    else if (messages !== undefined) {
      try {
        item = { text: routingText(checkMessages(messages)), messages: messages as ChatCompletionMessageParam[] };
      } catch (error) {
        if (!RouteLLMError.isInstance(error)) throw error;
        throw new DataError('invalid', file, error.message, record.line);
      }
    } else throw new DataError('invalid', file, 'expected a non-empty "prompt" string or a "messages" array', record.line);
    const hash = promptHash(item.text);
    if (seen.has(hash)) continue;
    seen.add(hash);
    if (limit !== undefined && prompts.length >= limit) break;
    prompts.push({ ...item, hash });
  }
  return { rows: records.length, prompts };
}
