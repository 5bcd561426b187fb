import { setMaxListeners } from 'node:events';
import OpenAI from 'openai';
import { ProviderError, RouteLLMError } from '../../errors.js';
import { ConcurrencyLimiter } from '../../concurrency.js';
import { labelDigitCompletedBy, ratingDistributionFromLogprobs, type GeneratedPosition, type TokenLogprob } from './labels.js';
import type { ResolvedCausalLLMOptions } from './options.js';
import { renderCompletionPrompt, renderUserMessage, type ConversationTurn } from './prompt.js';
import type { CausalLLMRouterStats } from './stats.js';
import type { RatingBackend } from './backend.js';

/**
 * Rates conversations with an OpenAI-compatible server through the `openai` client: one request
 * per conversation asking for `maxTokens` tokens at temperature 0 with `topLogprobs` alternatives,
 * at most `concurrency` requests in flight for the router, retries by the client itself.
 */
export class EndpointRatingBackend implements RatingBackend {
  private readonly client: OpenAI;
  private readonly limiter: ConcurrencyLimiter;
  private readonly provider: string;
  private readonly activeBatches = new Set<AbortController>();
  private disposed = false;

  constructor(
    private readonly options: ResolvedCausalLLMOptions,
    private readonly stats: CausalLLMRouterStats,
  ) {
    this.provider = `causal_llm endpoint ${options.baseURL}`;
    this.limiter = new ConcurrencyLimiter(options.concurrency);
    this.client = new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey,
      // Never forward OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment to a third-party endpoint.
      organization: null,
      project: null,
      timeout: options.timeoutMs,
      maxRetries: options.maxRetries,
      fetch: (url, init) => this.countingFetch(url, init),
    });
  }

  async rate(conversations: readonly (readonly ConversationTurn[])[]): Promise<(Float64Array | undefined)[]> {
    const batch = new AbortController();
    // Every request in flight listens on the batch signal; up to `concurrency` of them at once.
    setMaxListeners(0, batch.signal);
    if (this.disposed) batch.abort();
    this.activeBatches.add(batch);
    const perRequest = this.options.api === 'completions' ? this.options.promptsPerRequest : 1;
    const chunks: (readonly ConversationTurn[])[][] = [];
    for (let start = 0; start < conversations.length; start += perRequest) chunks.push(conversations.slice(start, start + perRequest));
    let failure: unknown;
    const tasks = chunks.map((chunk) =>
      this.limiter.run(async () => {
        if (failure !== undefined) throw failure;
        try {
          return await this.rateChunk(chunk, batch.signal);
        } catch (error) {
          if (failure === undefined) {
            failure = error;
            batch.abort();
          }
          throw error;
        }
      }),
    );
    const settled = await Promise.allSettled(tasks);
    this.activeBatches.delete(batch);
    if (failure !== undefined) throw failure;
    return settled.flatMap((result) => (result as PromiseFulfilledResult<(Float64Array | undefined)[]>).value);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const batch of this.activeBatches) batch.abort();
  }

  /** One request: a chat completion for one conversation, or a completion for one or more prompts. */
  private async rateChunk(chunk: readonly (readonly ConversationTurn[])[], signal: AbortSignal): Promise<(Float64Array | undefined)[]> {
    const { options } = this;
    const userMessages = chunk.map((turns) => renderUserMessage(options.template, turns));
    this.stats.requests += chunk.length;
    let answers: { positions?: GeneratedPosition[]; text: string }[];
    try {
      if (options.api === 'chat') {
        const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [];
        if (options.systemPrompt !== '') messages.push({ role: 'system', content: options.systemPrompt });
        messages.push({ role: 'user', content: userMessages[0] });
        const completion = await this.client.chat.completions.create(
          {
            model: options.model!,
            messages,
            max_tokens: options.maxTokens,
            temperature: 0,
            logprobs: true,
            top_logprobs: options.topLogprobs,
          },
          { signal },
        );
        answers = [readChatCompletion(completion, this.provider)];
      } else {
        const prompts = userMessages.map((message) => renderCompletionPrompt(options.completionFormat, options.systemPrompt, message));
        const completion = await this.client.completions.create(
          {
            model: options.model!,
            prompt: prompts.length === 1 ? prompts[0] : prompts,
            max_tokens: options.maxTokens,
            temperature: 0,
            logprobs: options.topLogprobs,
          },
          { signal },
        );
        answers = readCompletions(completion, prompts.length, this.provider);
      }
    } catch (error) {
      const wrapped = toProviderError(error, this.provider, options);
      if (!(error instanceof OpenAI.APIUserAbortError)) this.stats.errors++;
      throw wrapped;
    }
    return answers.map(({ positions, text }) => {
      let distribution: Float64Array | undefined;
      if (positions) {
        distribution = ratingDistributionFromLogprobs(positions);
      } else {
        this.stats.answersWithoutLogprobs++;
        distribution = ratingFromText(text);
      }
      if (!distribution) this.stats.invalidAnswers++;
      return distribution;
    });
  }

  private countingFetch(url: string | URL | Request, init?: RequestInit): Promise<Response> {
    this.stats.httpAttempts++;
    const retryCount = Number(new Headers(init?.headers).get('x-stainless-retry-count') ?? 0);
    if (retryCount > 0) this.stats.retries++;
    return fetch(url, init);
  }
}

/** A one-hot rating from the first `[[d]]` in an answer's text (servers that return no log-probabilities). */
function ratingFromText(text: string): Float64Array | undefined {
  const digit = labelDigitCompletedBy('', text);
  if (digit === 0) return undefined;
  const distribution = new Float64Array(5);
  distribution[digit - 1] = 1;
  return distribution;
}

function choicesOf(response: unknown, provider: string): unknown[] {
  const choices = (response as { choices?: unknown } | null)?.choices;
  if (typeof response !== 'object' || response === null || !Array.isArray(choices) || choices.length === 0) {
    throw new ProviderError(provider, `malformed response: expected an object with a non-empty "choices" array`, 200);
  }
  return choices;
}

function asChoice(choice: unknown, provider: string, index: number): Record<string, unknown> {
  if (typeof choice !== 'object' || choice === null) {
    throw new ProviderError(provider, `malformed response: choices[${index}] is not an object`, 200);
  }
  return choice as Record<string, unknown>;
}

function readChatCompletion(response: unknown, provider: string): { positions?: GeneratedPosition[]; text: string } {
  const choice = asChoice(choicesOf(response, provider)[0], provider, 0);
  const message = choice.message as { content?: unknown } | undefined;
  const text = typeof message?.content === 'string' ? message.content : '';
  const content = (choice.logprobs as { content?: unknown } | null | undefined)?.content;
  if (!Array.isArray(content)) return { text };
  const positions = content.map((entry: { token?: unknown; logprob?: unknown; top_logprobs?: unknown }) => ({
    token: String(entry?.token ?? ''),
    logprob: Number(entry?.logprob),
    alternatives: Array.isArray(entry?.top_logprobs)
      ? entry.top_logprobs.map((alternative: { token?: unknown; logprob?: unknown }) => ({
          token: String(alternative?.token ?? ''),
          logprob: Number(alternative?.logprob),
        }))
      : [],
  }));
  return { positions, text };
}

/** The answers of a completions response for `count` prompts, placed by each choice's `index`. */
function readCompletions(response: unknown, count: number, provider: string): { positions?: GeneratedPosition[]; text: string }[] {
  const choices = choicesOf(response, provider).map((choice, position) => asChoice(choice, provider, position));
  const answers: ({ positions?: GeneratedPosition[]; text: string } | undefined)[] = new Array(count);
  choices.forEach((choice, position) => {
    const index = count === 1 ? 0 : typeof choice.index === 'number' ? choice.index : position;
    if (Number.isInteger(index) && index >= 0 && index < count && answers[index] === undefined) answers[index] = readCompletion(choice);
  });
  const missing = answers.findIndex((answer) => answer === undefined);
  if (answers.length !== count || missing >= 0) {
    throw new ProviderError(provider, `malformed response: no choice for prompt ${missing} of ${count}`, 200);
  }
  return answers as { positions?: GeneratedPosition[]; text: string }[];
}

function readCompletion(choice: Record<string, unknown>): { positions?: GeneratedPosition[]; text: string } {
  const text = typeof choice.text === 'string' ? choice.text : '';
  const logprobs = choice.logprobs as { tokens?: unknown; token_logprobs?: unknown; top_logprobs?: unknown } | null | undefined;
  if (!logprobs || !Array.isArray(logprobs.tokens)) return { text };
  const tokenLogprobs = Array.isArray(logprobs.token_logprobs) ? logprobs.token_logprobs : [];
  const topLogprobs = Array.isArray(logprobs.top_logprobs) ? logprobs.top_logprobs : [];
  const positions = logprobs.tokens.map((token: unknown, index: number): GeneratedPosition => {
    const top = topLogprobs[index];
    const alternatives: TokenLogprob[] =
      typeof top === 'object' && top !== null
        ? Object.entries(top as Record<string, unknown>).map(([candidate, logprob]) => ({ token: candidate, logprob: Number(logprob) }))
        : [];
    return { token: String(token), logprob: Number(tokenLogprobs[index]), alternatives };
  });
  return { positions, text };
}

function toProviderError(error: unknown, provider: string, options: ResolvedCausalLLMOptions): RouteLLMError {
  if (RouteLLMError.isInstance(error)) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new ProviderError(provider, `request timed out after ${options.timeoutMs} ms (${options.maxRetries} retries)`, undefined, {
      cause: error,
    });
  }
  if (error instanceof OpenAI.APIUserAbortError) {
    return new ProviderError(provider, 'request aborted (another request of the batch failed, or the router was disposed)', undefined, {
      cause: error,
    });
  }
  if (error instanceof OpenAI.APIError) {
    const detail = error.status === undefined ? error.message : `HTTP ${error.status}: ${error.message}`;
    return new ProviderError(provider, detail, error.status, { cause: error });
  }
  if (error instanceof SyntaxError) {
    return new ProviderError(provider, `malformed response (not valid JSON): ${error.message}`, 200, { cause: error });
  }
  return new ProviderError(provider, error instanceof Error ? error.message : String(error), undefined, { cause: error });
}
