import type OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { checkCompletion } from './checks.js';
import { toProviderError } from './errors.js';
import { providerStream } from './stream.js';
import type { ChatProvider, ProviderCallOptions, ProviderChatParams, ProviderStream } from './types.js';

/**
 * A provider over an `openai` client: OpenAI itself, or any OpenAI-compatible server (vLLM,
 * Ollama, Together...) when the client has that server's `baseURL`.
 */
export class OpenAIChatProvider implements ChatProvider {
  constructor(
    readonly name: string,
    private readonly client: () => OpenAI,
  ) {}

  async complete(params: ProviderChatParams, options: ProviderCallOptions = {}): Promise<ChatCompletion> {
    try {
      const reply: unknown = await this.client().chat.completions.create({ ...params, stream: false }, { signal: options.signal });
      return checkCompletion(this.name, reply);
    } catch (error) {
      throw toProviderError(this.name, error, options.signal);
    }
  }

  async stream(params: ProviderChatParams, options: ProviderCallOptions & { includeUsage?: boolean } = {}): Promise<ProviderStream> {
    const callerWantsUsage = params.stream_options?.include_usage === true;
    const body = {
      ...params,
      stream: true as const,
      stream_options: { ...(params.stream_options ?? {}), include_usage: callerWantsUsage || options.includeUsage === true },
    };
    let upstream: AsyncIterable<ChatCompletionChunk> & { controller: AbortController };
    try {
      upstream = await this.client().chat.completions.create(body, { signal: options.signal });
    } catch (error) {
      throw toProviderError(this.name, error, options.signal);
    }
    return providerStream(this.name, upstream, () => upstream, options.signal, options.idleTimeoutMs);
  }
}
