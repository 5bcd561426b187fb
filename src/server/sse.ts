import type { RoutedChatCompletionStream } from '../controller/routed-stream.js';
import { RequestAbortedError } from '../providers/errors.js';
import type { OpenAIErrorBody } from './error-body.js';

/** Headers of a server-sent events reply. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/**
 * The events of a streamed chat answer: one `data:` line per chunk, then `data: [DONE]` only when
 * the upstream finished. A failure mid-stream (cut off, malformed, idle, upstream error) ends with
 * one error event (an OpenAI error body) and no `[DONE]`, so a client never takes a partial answer
 * for a whole one. `onEnd` runs once, with the error if there was one, also when the client left.
 */
export async function* sseEvents(
  stream: RoutedChatCompletionStream,
  errorBody: (error: unknown) => OpenAIErrorBody,
  onEnd: (error?: unknown) => void,
): AsyncGenerator<string> {
  let failure: unknown;
  try {
    for await (const chunk of stream) yield `data: ${JSON.stringify(chunk)}\n\n`;
    yield 'data: [DONE]\n\n';
  } catch (error) {
    failure = error;
    if (!RequestAbortedError.isInstance(error)) yield `data: ${JSON.stringify(errorBody(error))}\n\n`;
  } finally {
    onEnd(failure);
  }
}
