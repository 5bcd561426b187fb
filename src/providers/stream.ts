import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { toProviderError } from './errors.js';
import type { ProviderStream } from './types.js';

/**
 * A `ProviderStream` over an SDK stream: `abort()` aborts the SDK stream, and a failure while
 * iterating `chunks()` (the SDK stream, or its translation to OpenAI chunks) becomes a provider error.
 */
export function providerStream(
  provider: string,
  upstream: { controller: AbortController },
  chunks: () => AsyncIterable<ChatCompletionChunk>,
  signal?: AbortSignal,
): ProviderStream {
  return {
    abort: () => upstream.controller.abort(),
    async *[Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
      try {
        yield* chunks();
      } catch (error) {
        throw toProviderError(provider, error, signal);
      }
    },
  };
}
