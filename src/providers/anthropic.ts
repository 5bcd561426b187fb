import type { ChatCompletion } from 'openai/resources/chat/completions';
import {
  AnthropicStreamTranslator,
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  fromAnthropicResponse,
  toAnthropicRequest,
  type AnthropicResponse,
  type AnthropicStreamEvent,
} from './anthropic-translation.js';
import { toProviderError } from './errors.js';
import { providerStream } from './stream.js';
import type { AnthropicClientLike, ChatProvider, ProviderCallOptions, ProviderChatParams, ProviderStream } from './types.js';

type MessagesCreate = (body: unknown, options?: { signal?: AbortSignal }) => Promise<unknown>;

/**
 * A provider over an `@anthropic-ai/sdk` client: OpenAI requests are translated to the Messages
 * API and the answers (and stream events) back to OpenAI shapes.
 */
export class AnthropicChatProvider implements ChatProvider {
  readonly name = 'anthropic';

  constructor(
    private readonly client: () => AnthropicClientLike | Promise<AnthropicClientLike>,
    private readonly defaultMaxTokens = DEFAULT_ANTHROPIC_MAX_TOKENS,
  ) {}

  private async create(): Promise<MessagesCreate> {
    const messages = (await this.client()).messages;
    return messages.create.bind(messages) as unknown as MessagesCreate;
  }

  async complete(params: ProviderChatParams, options: ProviderCallOptions = {}): Promise<ChatCompletion> {
    const body = toAnthropicRequest(params, this.defaultMaxTokens);
    try {
      const message = (await (await this.create())(body, { signal: options.signal })) as AnthropicResponse;
      return fromAnthropicResponse(message);
    } catch (error) {
      throw toProviderError(this.name, error, options.signal);
    }
  }

  async stream(params: ProviderChatParams, options: ProviderCallOptions & { includeUsage?: boolean } = {}): Promise<ProviderStream> {
    const body = { ...toAnthropicRequest(params, this.defaultMaxTokens), stream: true };
    const includeUsage = params.stream_options?.include_usage === true || options.includeUsage === true;
    let upstream: AsyncIterable<AnthropicStreamEvent> & { controller: AbortController };
    try {
      upstream = (await (await this.create())(body, { signal: options.signal })) as typeof upstream;
    } catch (error) {
      throw toProviderError(this.name, error, options.signal);
    }
    return providerStream(
      this.name,
      upstream,
      async function* () {
        const translator = new AnthropicStreamTranslator(includeUsage);
        for await (const event of upstream) yield* translator.translate(event);
      },
      options.signal,
      options.idleTimeoutMs,
    );
  }
}
