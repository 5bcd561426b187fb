export { AnthropicChatProvider } from './anthropic.js';
export {
  AnthropicStreamTranslator,
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  fromAnthropicResponse,
  toAnthropicRequest,
  toCompletionUsage,
  toFinishReason,
} from './anthropic-translation.js';
export type { AnthropicRequest, AnthropicResponse, AnthropicStreamEvent } from './anthropic-translation.js';
export { isRetryableProviderError, RequestAbortedError, toProviderError } from './errors.js';
export { OpenAIChatProvider } from './openai.js';
export { resolveModel } from './resolve.js';
export type { ProviderKind, ResolvedModel } from './resolve.js';
export type { ChatProvider, ProviderCallOptions, ProviderChatParams, ProviderStream } from './types.js';
