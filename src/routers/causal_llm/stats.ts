/** Counters a `causal_llm` router keeps; read them with `router.stats`. */
export interface CausalLLMRouterStats {
  /** Answers asked of the model: one per prompt (endpoint: one logical request, retries not counted). */
  requests: number;
  /** Endpoint backend: HTTP attempts made, retries included. */
  httpAttempts: number;
  /** Endpoint backend: attempts that were retries (429, 5xx, timeouts, connection errors). */
  retries: number;
  /** Requests that failed with a `ProviderError` after all retries. */
  errors: number;
  /** Answers with none of the five labels; each was scored as rating 1 (strong win rate 1). */
  invalidAnswers: number;
  /** Endpoint answers without log-probabilities, read from the answer text instead (a hard 0/1 rating). */
  answersWithoutLogprobs: number;
}

/** A fresh set of zeroed counters. */
export function emptyStats(): CausalLLMRouterStats {
  return { requests: 0, httpAttempts: 0, retries: 0, errors: 0, invalidAnswers: 0, answersWithoutLogprobs: 0 };
}
