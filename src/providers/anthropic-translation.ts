import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import { InvalidInputError } from '../errors.js';
import type { ProviderChatParams } from './types.js';

/** The subset of the Anthropic Messages request this library sends. */
export interface AnthropicRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: string;
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  metadata?: { user_id: string };
  stream?: boolean;
}

/** An Anthropic message: user or assistant, with content blocks. */
export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: AnthropicContentBlock[];
}

/** The content blocks this translation produces. */
export type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string };

/** An Anthropic client tool. */
export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
}

/** An Anthropic tool choice. */
export type AnthropicToolChoice =
  | { type: 'auto' | 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

/** The fields of an Anthropic `Message` response this translation reads. */
export interface AnthropicResponse {
  id: string;
  model: string;
  content: Array<{ type: string; text?: string; id?: string; name?: string; input?: unknown }>;
  stop_reason: string | null;
  usage: AnthropicUsage;
}

/** Anthropic usage counts (cache fields are optional and may be null). */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** The stream events this translation reads (others, like `ping`, are skipped). */
export interface AnthropicStreamEvent {
  type: string;
  message?: AnthropicResponse;
  index?: number;
  content_block?: { type: string; text?: string; id?: string; name?: string };
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
}

/** Default `max_tokens` for Anthropic (which requires it) when the OpenAI request has none. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/** Text of an OpenAI message's content (string or text parts); other parts were rejected earlier. */
function contentText(content: unknown): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: { type?: string; text?: string; refusal?: string }) => {
        if (part?.type === 'text' && typeof part.text === 'string') return part.text;
        if (part?.type === 'refusal' && typeof part.refusal === 'string') return part.refusal;
        throw new InvalidInputError('message content part', `a text part, got "${String(part?.type)}"`);
      })
      .join('');
  }
  throw new InvalidInputError('message content', 'a string or an array of text parts');
}

function parseToolArguments(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidInputError('tool call arguments', `a JSON object, got ${JSON.stringify(text.slice(0, 80))}`);
  }
}

function pushBlocks(messages: AnthropicMessage[], role: 'user' | 'assistant', blocks: AnthropicContentBlock[]): void {
  if (blocks.length === 0) return;
  const last = messages[messages.length - 1];
  // Anthropic expects alternating roles: consecutive same-role messages are merged.
  if (last && last.role === role) last.content.push(...blocks);
  else messages.push({ role, content: blocks });
}

function translateMessages(input: readonly ChatCompletionMessageParam[]): { system?: string; messages: AnthropicMessage[] } {
  const systemParts: string[] = [];
  const messages: AnthropicMessage[] = [];
  for (const message of input) {
    switch (message.role) {
      case 'system':
      case 'developer':
        systemParts.push(contentText(message.content));
        break;
      case 'user': {
        const text = contentText(message.content);
        pushBlocks(messages, 'user', [{ type: 'text', text }]);
        break;
      }
      case 'assistant': {
        const blocks: AnthropicContentBlock[] = [];
        const text = contentText(message.content);
        if (text !== '') blocks.push({ type: 'text', text });
        for (const call of message.tool_calls ?? []) {
          if (call.type !== 'function') throw new InvalidInputError('tool call', `a function call, got "${call.type}"`);
          blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseToolArguments(call.function.arguments) });
        }
        pushBlocks(messages, 'assistant', blocks);
        break;
      }
      case 'tool':
        pushBlocks(messages, 'user', [{ type: 'tool_result', tool_use_id: message.tool_call_id, content: contentText(message.content) }]);
        break;
      default:
        throw new InvalidInputError(`message role "${(message as { role: string }).role}"`, 'system, developer, user, assistant or tool for Anthropic models');
    }
  }
  return { system: systemParts.length > 0 ? systemParts.join('\n\n') : undefined, messages };
}

function translateToolChoice(params: ProviderChatParams): AnthropicToolChoice | undefined {
  const choice = params.tool_choice;
  const disableParallel = params.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined || choice === null) {
    return params.parallel_tool_calls === false && params.tools?.length ? { type: 'auto', ...disableParallel } : undefined;
  }
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...disableParallel };
  if (choice === 'required') return { type: 'any', ...disableParallel };
  if (typeof choice === 'object' && choice.type === 'function') return { type: 'tool', name: choice.function.name, ...disableParallel };
  throw new InvalidInputError('tool_choice', 'none, auto, required or a function for Anthropic models');
}

/**
 * Translates an OpenAI chat request to an Anthropic Messages request: system and developer
 * messages join into `system`; consecutive same-role messages merge; assistant tool calls become
 * `tool_use` blocks and tool messages `tool_result` blocks; `stop` becomes `stop_sequences`;
 * `max_completion_tokens`/`max_tokens` (else `defaultMaxTokens`) becomes `max_tokens`;
 * `temperature` is clamped to Anthropic's [0, 1]; function tools and `tool_choice` carry over.
 * Throws `InvalidInputError` for what Anthropic cannot take (n > 1, non-function tools).
 */
export function toAnthropicRequest(params: ProviderChatParams, defaultMaxTokens = DEFAULT_ANTHROPIC_MAX_TOKENS): AnthropicRequest {
  if (params.n != null && params.n !== 1) throw new InvalidInputError('n', '1 (Anthropic models return one choice)');
  const { system, messages } = translateMessages(params.messages);
  const request: AnthropicRequest = {
    model: params.model,
    max_tokens: params.max_completion_tokens ?? params.max_tokens ?? defaultMaxTokens,
    messages,
  };
  if (system !== undefined) request.system = system;
  if (params.temperature != null) request.temperature = Math.min(1, Math.max(0, params.temperature));
  if (params.top_p != null) request.top_p = params.top_p;
  if (params.stop != null) request.stop_sequences = typeof params.stop === 'string' ? [params.stop] : [...params.stop];
  if (params.tools?.length) {
    request.tools = params.tools.map((tool) => {
      if (tool.type !== 'function') throw new InvalidInputError('tool', `a function tool for Anthropic models, got "${tool.type}"`);
      return {
        name: tool.function.name,
        ...(tool.function.description ? { description: tool.function.description } : {}),
        input_schema: (tool.function.parameters as Record<string, unknown> | undefined) ?? { type: 'object', properties: {} },
      };
    });
  }
  const toolChoice = translateToolChoice(params);
  if (toolChoice) request.tool_choice = toolChoice;
  const user = params.user ?? params.safety_identifier;
  if (user) request.metadata = { user_id: user };
  return request;
}

/** OpenAI finish reason for an Anthropic stop reason. */
function toFinishReason(stopReason: string | null | undefined): ChatCompletion.Choice['finish_reason'] {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** OpenAI usage from Anthropic usage: prompt tokens include cache writes and reads. */
function toCompletionUsage(usage: AnthropicUsage): CompletionUsage {
  const cached = usage.cache_read_input_tokens ?? 0;
  const prompt = (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + cached;
  const completion = usage.output_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(cached > 0 ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
  };
}

/** Translates an Anthropic `Message` to an OpenAI `ChatCompletion` (text joined, tool uses as tool calls). */
export function fromAnthropicResponse(message: AnthropicResponse, created = Math.floor(Date.now() / 1000)): ChatCompletion {
  const text = message.content
    .filter((block) => block.type === 'text')
    .map((block) => block.text ?? '')
    .join('');
  const toolCalls = message.content
    .filter((block) => block.type === 'tool_use')
    .map((block) => ({
      id: block.id ?? '',
      type: 'function' as const,
      function: { name: block.name ?? '', arguments: JSON.stringify(block.input ?? {}) },
    }));
  return {
    id: message.id,
    object: 'chat.completion',
    created,
    model: message.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' && toolCalls.length > 0 ? null : text,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: toFinishReason(message.stop_reason),
        logprobs: null,
      },
    ],
    usage: toCompletionUsage(message.usage),
  };
}

/**
 * Turns Anthropic stream events into OpenAI chunks, one event at a time: the first chunk carries
 * the assistant role, text deltas become content deltas, tool uses become indexed tool-call
 * deltas, `message_delta` gives the finish reason, and (with `includeUsage`) a last chunk with no
 * choices carries the usage, as OpenAI does.
 */
export class AnthropicStreamTranslator {
  private id = '';
  private model = '';
  private readonly created = Math.floor(Date.now() / 1000);
  private usage: AnthropicUsage = {};
  private toolIndexByBlock = new Map<number, number>();
  /** The usage seen so far (complete after `message_stop`). */
  completionUsage(): CompletionUsage {
    return toCompletionUsage(this.usage);
  }

  constructor(private readonly includeUsage: boolean) {}

  private chunk(delta: ChatCompletionChunk.Choice.Delta, finishReason: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    };
  }

  /** The OpenAI chunks for one Anthropic event (often none or one). */
  translate(event: AnthropicStreamEvent): ChatCompletionChunk[] {
    switch (event.type) {
      case 'message_start': {
        this.id = event.message?.id ?? '';
        this.model = event.message?.model ?? '';
        this.usage = { ...(event.message?.usage ?? {}) };
        return [this.chunk({ role: 'assistant', content: '' })];
      }
      case 'content_block_start': {
        const block = event.content_block;
        if (block?.type === 'tool_use') {
          const toolIndex = this.toolIndexByBlock.size;
          this.toolIndexByBlock.set(event.index ?? 0, toolIndex);
          return [
            this.chunk({
              tool_calls: [{ index: toolIndex, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }],
            }),
          ];
        }
        if (block?.type === 'text' && block.text) return [this.chunk({ content: block.text })];
        return [];
      }
      case 'content_block_delta': {
        const delta = event.delta;
        if (delta?.type === 'text_delta' && delta.text) return [this.chunk({ content: delta.text })];
        if (delta?.type === 'input_json_delta' && delta.partial_json) {
          const toolIndex = this.toolIndexByBlock.get(event.index ?? 0) ?? 0;
          return [this.chunk({ tool_calls: [{ index: toolIndex, function: { arguments: delta.partial_json } }] })];
        }
        return [];
      }
      case 'message_delta': {
        if (event.usage) {
          for (const [key, value] of Object.entries(event.usage)) {
            if (value != null) (this.usage as Record<string, number>)[key] = value as number;
          }
        }
        return [this.chunk({}, toFinishReason(event.delta?.stop_reason))];
      }
      case 'message_stop': {
        if (!this.includeUsage) return [];
        return [
          {
            id: this.id,
            object: 'chat.completion.chunk',
            created: this.created,
            model: this.model,
            choices: [],
            usage: this.completionUsage(),
          },
        ];
      }
      default:
        return [];
    }
  }
}
