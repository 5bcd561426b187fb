/**
 * The one model-name alias table of the library. Data sources spell the same model differently
 * (`mistralai/mixtral-8x7b-chat` in RouterBench is `mistralai/Mixtral-8x7B-Instruct-v0.1` in the
 * benchmarks); every reader and router maps names through `canonicalModelName()`.
 */

/** The benchmark pair of the paper and of `../shared/data/evals`. */
export const DEFAULT_STRONG_MODEL = 'gpt-4-1106-preview';
export const DEFAULT_WEAK_MODEL = 'mistralai/Mixtral-8x7B-Instruct-v0.1';

/** alias (compared case-insensitively) -> canonical name. Only spellings of the same model. */
const ALIASES: Readonly<Record<string, string>> = Object.freeze({
  'mistralai/mixtral-8x7b-chat': DEFAULT_WEAK_MODEL,
  'mistralai/mixtral-8x7b-instruct-v0.1': DEFAULT_WEAK_MODEL,
  'mixtral-8x7b-instruct-v0.1': DEFAULT_WEAK_MODEL,
  'mixtral-8x7b-instruct': DEFAULT_WEAK_MODEL,
  'mixtral-8x7b': DEFAULT_WEAK_MODEL,
  'gpt-4-1106-preview': DEFAULT_STRONG_MODEL,
  'openai/gpt-4-1106-preview': DEFAULT_STRONG_MODEL,
  'gpt-4-turbo-preview': DEFAULT_STRONG_MODEL,
  'claude-v1': 'claude-1',
  'claude-v2': 'claude-2',
  'claude-instant-v1': 'claude-instant-1',
  'meta/llama-2-70b-chat': 'llama-2-70b-chat',
  // arena-bench spellings of Arena models (Arena's "vicuna-33b" is v1.3, its "palm-2" is chat-bison-001).
  'llama-2-70b-chat': 'llama-2-70b-chat',
  'vicuna-33b-v1.3': 'vicuna-33b',
  'palm-2-chat-bison-001': 'palm-2',
  'meta-llama/llama-2-70b-chat-hf': 'llama-2-70b-chat',
  'meta/code-llama-instruct-34b-chat': 'codellama-34b-instruct',
  'zero-one-ai/yi-34b-chat': 'yi-34b-chat',
});

/** The canonical spelling of a model name (unchanged when the table does not know it). */
export function canonicalModelName(name: string): string {
  const trimmed = name.trim();
  return ALIASES[trimmed.toLowerCase()] ?? trimmed;
}

/** True when two names denote the same model. */
export function sameModel(a: string, b: string): boolean {
  return canonicalModelName(a) === canonicalModelName(b);
}

/**
 * Finds `name` in a router's model list: exactly, through the alias table, or through a
 * user-given mapping from deployed names to trained names. Returns the index or -1.
 */
export function findModel(models: readonly string[], name: string, mapping: Readonly<Record<string, string>> = {}): number {
  const target = canonicalModelName(mapping[name] ?? name);
  return models.findIndex((model) => canonicalModelName(model) === target);
}
