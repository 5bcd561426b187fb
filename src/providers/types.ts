import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';

/** Parameters a provider receives: the OpenAI request body, with `model` already set to the upstream model name. */
export type ProviderChatParams = Omit<ChatCompletionCreateParamsBase, 'stream'>;

/** Per-call options passed through to the SDK. */
export interface ProviderCallOptions {
  /** Aborts the upstream request (and its retries). */
  signal?: AbortSignal;
  /** Streams: longest wait for the next chunk, in ms (a quiet stream fails with kind `idle`). Default: none. */
  idleTimeoutMs?: number;
}

/** What a streaming call returns once the upstream accepted the request. */
export interface ProviderStream extends AsyncIterable<ChatCompletionChunk> {
  /** Aborts the upstream stream. */
  abort(): void;
}

/**
 * One upstream that speaks (or is translated to) the OpenAI chat-completions format.
 * `complete` and `stream` reject with `ProviderError` after the SDK's own retries.
 */
export interface ChatProvider {
  /** `openai`, `anthropic`, or `endpoint:<model id>` for an OpenAI-compatible server. */
  readonly name: string;
  /** A non-streaming call. */
  complete(params: ProviderChatParams, options?: ProviderCallOptions): Promise<ChatCompletion>;
  /**
   * A streaming call. Resolves when the upstream accepted the request (so a refused request
   * rejects here, before any chunk); `includeUsage` asks for a final usage chunk.
   */
  stream(params: ProviderChatParams, options?: ProviderCallOptions & { includeUsage?: boolean }): Promise<ProviderStream>;
}

/**
 * The part of an `@anthropic-ai/sdk` client routellm calls (`new Anthropic(...)` is one). Written
 * out here, not imported, so routellm's public types never need that optional peer installed.
 */
export interface AnthropicClientLike {
  readonly messages: {
    // Method syntax on purpose: the SDK's overloaded `create` is accepted (parameter bivariance).
    create(body: any, options?: { signal?: AbortSignal }): PromiseLike<unknown>;
  };
}
