/** Which kind of upstream serves a model id. */
export type ProviderKind = 'openai' | 'anthropic' | 'endpoint';

/** Where a model id goes, and the model name the upstream is sent. */
export interface ResolvedModel {
  kind: ProviderKind;
  /** The name sent upstream (`openai/gpt-4o` -> `gpt-4o`). */
  upstreamModel: string;
}

/**
 * Resolves a model id to its provider: ids bound in `endpoints` go to that OpenAI-compatible
 * server (checked first, so any id can be bound); `anthropic/<m>` and `claude-*` go to Anthropic;
 * `openai/<m>` and every other id go to OpenAI (which honours `OPENAI_BASE_URL`).
 */
export function resolveModel(modelId: string, endpoints: Readonly<Record<string, unknown>> = {}): ResolvedModel {
  if (Object.hasOwn(endpoints, modelId)) return { kind: 'endpoint', upstreamModel: modelId };
  if (modelId.startsWith('anthropic/')) return { kind: 'anthropic', upstreamModel: modelId.slice('anthropic/'.length) };
  if (/^claude-/i.test(modelId)) return { kind: 'anthropic', upstreamModel: modelId };
  if (modelId.startsWith('openai/')) return { kind: 'openai', upstreamModel: modelId.slice('openai/'.length) };
  return { kind: 'openai', upstreamModel: modelId };
}
