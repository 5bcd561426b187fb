import { importOptionalPeer } from '../optional-peer.js';
import OpenAI from 'openai';
import { InvalidOptionsError } from '../errors.js';
import { AnthropicChatProvider } from '../providers/anthropic.js';
import { createNodeFetch, type NodeFetch } from '../providers/node-fetch.js';
import { OpenAIChatProvider } from '../providers/openai.js';
import { resolveModel, type ProviderKind } from '../providers/resolve.js';
import type { AnthropicClientLike, ChatProvider, ProviderChatParams } from '../providers/types.js';
import type { ResolvedControllerOptions } from './options.js';

/** What a provider pool reads of the controller's options (the labeller gives the same fields). */
export type ProviderPoolOptions = Pick<ResolvedControllerOptions, 'providers' | 'endpoints' | 'maxRetries' | 'timeoutMs' | 'anthropicMaxTokens'>;

/** Upstream request parameters without the model (set per attempt). */
export type UpstreamParams = Omit<ProviderChatParams, 'model'>;

/**
 * The providers a controller calls, one per kind (OpenAI, Anthropic) and one per bound endpoint,
 * built on first use. Clients it builds share one keep-alive pool, closed by `close()`.
 */
export class ProviderPool {
  private readonly providers = new Map<string, ChatProvider>();
  private openaiClient?: OpenAI;
  private anthropicClient?: AnthropicClientLike;
  private nodeFetch?: NodeFetch;

  constructor(private readonly options: ProviderPoolOptions) {
    this.openaiClient = options.providers.openai;
    this.anthropicClient = options.providers.anthropic;
  }

  /** Calls `model`'s provider with the request body, its `model` set to the upstream name. */
  call<T>(model: string, base: UpstreamParams, call: (provider: ChatProvider, params: ProviderChatParams) => Promise<T>): Promise<T> {
    const { kind, upstreamModel } = resolveModel(model, this.options.endpoints);
    return call(this.provider(model, kind), { ...base, model: upstreamModel } as ProviderChatParams);
  }

  /** Closes the connections of the clients this pool built. */
  close(): void {
    this.nodeFetch?.close();
    this.nodeFetch = undefined;
  }

  private provider(model: string, kind: ProviderKind): ChatProvider {
    const key = kind === 'endpoint' ? `endpoint:${model}` : kind;
    let provider = this.providers.get(key);
    if (provider) return provider;
    if (kind === 'endpoint') {
      const endpoint = this.options.endpoints[model];
      const client = new OpenAI({
        baseURL: endpoint.baseURL,
        apiKey: endpoint.apiKey ?? 'not-needed',
        maxRetries: this.options.maxRetries,
        timeout: this.options.timeoutMs,
        fetch: this.fetchForClients(),
      });
      provider = new OpenAIChatProvider(key, () => client);
    } else if (kind === 'anthropic') {
      provider = new AnthropicChatProvider(() => this.anthropic(), this.options.anthropicMaxTokens);
    } else {
      provider = new OpenAIChatProvider('openai', () => this.openai());
    }
    this.providers.set(key, provider);
    return provider;
  }

  /** The node:http fetch shared by the clients this pool builds (one keep-alive pool). */
  private fetchForClients(): typeof fetch {
    return (this.nodeFetch ??= createNodeFetch()).fetch;
  }

  private openai(): OpenAI {
    if (!this.openaiClient) {
      if (!process.env.OPENAI_API_KEY) {
        throw new InvalidOptionsError(
          'provider setup',
          'no OpenAI client was given (providers.openai) and OPENAI_API_KEY is not set; or bind the model to an endpoint',
        );
      }
      this.openaiClient = new OpenAI({ maxRetries: this.options.maxRetries, timeout: this.options.timeoutMs, fetch: this.fetchForClients() });
    }
    return this.openaiClient;
  }

  private async anthropic(): Promise<AnthropicClientLike> {
    if (!this.anthropicClient) {
      // Loaded on first use: the SDK takes a while to import and many deployments never call Anthropic.
      const { default: AnthropicClient } = await importOptionalPeer('@anthropic-ai/sdk', 'Anthropic models', () => import('@anthropic-ai/sdk'));
      if (!process.env.ANTHROPIC_API_KEY && !process.env.ANTHROPIC_AUTH_TOKEN) {
        throw new InvalidOptionsError(
          'provider setup',
          'no Anthropic client was given (providers.anthropic) and neither ANTHROPIC_API_KEY nor ANTHROPIC_AUTH_TOKEN is set',
        );
      }
      this.anthropicClient ??= new AnthropicClient({
        maxRetries: this.options.maxRetries,
        timeout: this.options.timeoutMs,
        fetch: this.fetchForClients(),
      });
    }
    return this.anthropicClient;
  }
}
