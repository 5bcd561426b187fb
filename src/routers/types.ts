import type { Embedder } from '../embedders/types.js';

/** Which model a request goes to. */
export type RouteDecision = 'strong' | 'weak';

/**
 * The contract every router implements: prompt in, probability that the strong model's answer
 * beats the weak one's out. `route()` sends a prompt to the strong model when that probability
 * is at least the threshold.
 */
export interface Router {
  /** The registry name (`random`, `sw_ranking`, `mf`, `bert`, `ridge`, `causal_llm`) or a custom one. */
  readonly name: string;
  /** Strong win rates in [0, 1] for a batch of prompts, in input order. */
  strongWinRates(prompts: readonly string[]): Promise<Float32Array>;
  /** Strong win rate in [0, 1] for one prompt. */
  strongWinRate(prompt: string): Promise<number>;
  /** `'strong'` when the strong win rate is >= `threshold` (a finite number in [0, 1]), else `'weak'`. */
  route(prompt: string, threshold: number): Promise<RouteDecision>;
  /** Frees models and tensors. The router cannot be used afterwards. */
  dispose(): Promise<void>;
}

/** A router that scores prompt embeddings, so callers can embed once and cache. */
export interface EmbeddingRouter extends Router {
  /** The embedder the router's weights were made with. */
  readonly embedder: Embedder;
  /**
   * Strong win rates for `count` precomputed embeddings (row-major, `count * embedder.dimension`).
   * `prompts`: the texts they were made from; routers that read the text as well (`ridge`)
   * require them, the others ignore them.
   */
  strongWinRatesFromEmbeddings(embeddings: Float32Array, count: number, prompts?: readonly string[]): Promise<Float32Array>;
}

/** True when `router` can score precomputed embeddings. */
export function isEmbeddingRouter(router: Router): router is EmbeddingRouter {
  return typeof (router as Partial<EmbeddingRouter>).strongWinRatesFromEmbeddings === 'function';
}

/** A router that scores one pair of the models its weights know (mf, sw_ranking). */
export interface PairRouter extends Router {
  /** The models its weights know, as stored. */
  readonly models: readonly string[];
  /** The pair it scores, as named in its weights. */
  readonly strongModel: string;
  readonly weakModel: string;
}

/** True when `router` scores a named model pair. */
export function isPairRouter(router: Router): router is PairRouter {
  const candidate = router as Partial<PairRouter>;
  return typeof candidate.strongModel === 'string' && typeof candidate.weakModel === 'string' && Array.isArray(candidate.models);
}

/**
 * A router that predicts how good each of N models' answers will be (routing among N models).
 * Scores are comparable across models (higher is better) but not across routers; the choice
 * itself is `chooseModel` in `src/policy`.
 */
export interface ModelScoringRouter extends Router {
  /** The models it can score, as named in its weights. */
  readonly models: readonly string[];
  /**
   * Predicted quality of each of `models` on each prompt, row-major: prompt `i`'s score for
   * `models[j]` is at `i * models.length + j`. A model the weights do not know throws
   * `UnknownModelError` (after the router's documented name mapping, if it has one).
   */
  modelScores(prompts: readonly string[], models: readonly string[]): Promise<Float32Array>;
}

/** True when `router` scores N models. */
export function isModelScoringRouter(router: Router): router is ModelScoringRouter {
  const candidate = router as Partial<ModelScoringRouter>;
  return typeof candidate.modelScores === 'function' && Array.isArray(candidate.models);
}

/** A model-scoring router that scores precomputed embeddings too (so the evaluation embeds once, through the disk cache). */
export interface EmbeddingModelScoringRouter extends ModelScoringRouter, EmbeddingRouter {
  /** `modelScores` for `count` precomputed embeddings (row-major, `count * embedder.dimension`). */
  modelScoresFromEmbeddings(embeddings: Float32Array, count: number, models: readonly string[]): Promise<Float32Array>;
}

/** True when `router` scores N models from precomputed embeddings. */
export function isEmbeddingModelScoringRouter(router: Router): router is EmbeddingModelScoringRouter {
  return isModelScoringRouter(router) && isEmbeddingRouter(router) && typeof (router as Partial<EmbeddingModelScoringRouter>).modelScoresFromEmbeddings === 'function';
}
