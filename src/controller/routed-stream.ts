import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import { RouteLLMError } from '../errors.js';
import type { RoutedChatCompletionChunk, RoutingRecord } from './types.js';

/**
 * The stream `create({ stream: true })` resolves to: an async iterable of chunks, each carrying
 * `routellm`. `controller.abort()` (or breaking out of the loop) cancels the upstream request.
 */
export class RoutedChatCompletionStream implements AsyncIterable<RoutedChatCompletionChunk> {
  private consumed = false;
  /** The usage counts, once the upstream sent them (also when the caller did not ask for the usage chunk). */
  usage?: CompletionUsage;

  constructor(
    /** The routing record (its `cost` is set once the usage arrived). */
    readonly routellm: RoutingRecord,
    /** Aborts the upstream request. */
    readonly controller: AbortController,
    private readonly first: IteratorResult<ChatCompletionChunk>,
    private readonly rest: AsyncIterator<ChatCompletionChunk>,
    private readonly forwardUsageChunk: boolean,
    private readonly onUsage: (usage: CompletionUsage) => void,
    private readonly onEnd: (error?: unknown) => void,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<RoutedChatCompletionChunk> {
    if (this.consumed) throw new RouteLLMError('This stream was already iterated.', { code: 'stream_consumed' });
    this.consumed = true;
    let finished = false;
    try {
      let step = this.first;
      while (!step.done) {
        const chunk = step.value as RoutedChatCompletionChunk;
        if (chunk.usage) {
          this.usage = chunk.usage;
          this.onUsage(chunk.usage);
        }
        const usageOnly = chunk.choices.length === 0 && chunk.usage != null;
        if (!usageOnly || this.forwardUsageChunk) {
          chunk.id = this.routellm.id;
          chunk.routellm = this.routellm;
          yield chunk;
        }
        step = await this.rest.next();
      }
      finished = true;
      this.onEnd();
    } catch (error) {
      finished = true;
      this.onEnd(error);
      throw error;
    } finally {
      if (!finished) {
        this.controller.abort();
        this.onEnd();
      }
    }
  }

  /** Collects the whole stream (a convenience for tests and scripts). */
  async toArray(): Promise<RoutedChatCompletionChunk[]> {
    const chunks: RoutedChatCompletionChunk[] = [];
    for await (const chunk of this) chunks.push(chunk);
    return chunks;
  }
}
