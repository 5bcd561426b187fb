import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { ProviderError } from '../errors.js';
import { describeValue } from './checks.js';
import { toProviderError } from './errors.js';
import type { ProviderStream } from './types.js';

/** The next step of `iterator`, or a `ProviderError` of kind `idle` when none came within `timeoutMs`. */
function nextWithin<T>(provider: string, iterator: AsyncIterator<T>, timeoutMs: number | undefined): Promise<IteratorResult<T>> {
  const next = iterator.next();
  if (timeoutMs === undefined) return next;
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new ProviderError(provider, `the stream sent no chunk for ${timeoutMs} ms`, undefined, { kind: 'idle' })),
      timeoutMs,
    );
  });
  return Promise.race([next, idle]).finally(() => clearTimeout(timer));
}

/** A chunk as the OpenAI format has it (an object with a `choices` array), else a `malformed` error. */
function checkChunk(provider: string, chunk: unknown): ChatCompletionChunk {
  if (typeof chunk !== 'object' || chunk === null || Array.isArray(chunk) || !Array.isArray((chunk as ChatCompletionChunk).choices)) {
    throw new ProviderError(provider, `malformed stream chunk: expected an object with a "choices" array, got ${describeValue(chunk)}`, 200, {
      kind: 'malformed',
    });
  }
  return chunk as ChatCompletionChunk;
}

/**
 * A `ProviderStream` over an SDK stream: `abort()` aborts the SDK stream, and a failure while
 * iterating `chunks()` (the SDK stream, or its translation to OpenAI chunks) becomes a provider
 * error. Each chunk is checked; a stream that goes quiet for `idleTimeoutMs` is aborted (kind
 * `idle`), and one that ends before any choice had a `finish_reason` fails (kind `truncated`), so
 * a partial answer is never passed on as a whole one.
 */
export function providerStream(
  provider: string,
  upstream: { controller: AbortController },
  chunks: () => AsyncIterable<ChatCompletionChunk>,
  signal?: AbortSignal,
  idleTimeoutMs?: number,
): ProviderStream {
  return {
    abort: () => upstream.controller.abort(),
    async *[Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
      const iterator = chunks()[Symbol.asyncIterator]();
      let finished = false;
      try {
        while (true) {
          const step = await nextWithin(provider, iterator, idleTimeoutMs);
          if (step.done) break;
          const chunk = checkChunk(provider, step.value);
          if (chunk.choices.some((choice) => choice?.finish_reason != null)) finished = true;
          yield chunk;
        }
      } catch (error) {
        upstream.controller.abort();
        throw toProviderError(provider, error, signal);
      }
      // An aborted SDK stream ends quietly, as the caller asked; only a stream nobody stopped is cut short.
      if (!finished && !signal?.aborted && !upstream.controller.signal.aborted) {
        throw new ProviderError(provider, 'the stream ended before a finish_reason (the answer is incomplete)', 200, { kind: 'truncated' });
      }
    },
  };
}
