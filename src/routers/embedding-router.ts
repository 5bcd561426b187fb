/** The base of every router that scores prompt embeddings (mf, sw_ranking, bert head mode, ridge). */
import type { Embedder } from '../embedders/types.js';
import { InvalidInputError } from '../errors.js';
import { assertPrompts, BaseRouter } from './base.js';
import type { EmbeddingRouter } from './types.js';

/**
 * Embeds the prompts with its embedder and scores the embeddings: `scoreBatch = embed ->
 * scoreEmbeddings`. Holds the embedder (disposed with the router when the router built it),
 * checks precomputed embeddings once for every subclass, and frees the subclass's model before
 * the embedder. Subclasses implement `scoreEmbeddings()` and, when they hold tensors or memory,
 * `releaseModel()`; one that reads the prompt text as well sets `readsPromptText`.
 */
export abstract class EmbeddingRouterBase extends BaseRouter implements EmbeddingRouter {
  /** True when scoring needs the prompts beside their embeddings (`strongWinRatesFromEmbeddings` then requires them). */
  protected readonly readsPromptText: boolean = false;

  protected constructor(
    readonly embedder: Embedder,
    private readonly ownsEmbedder: boolean,
  ) {
    super();
  }

  /** Scores `count` checked embeddings (count > 0); `prompts` are given when `readsPromptText`. */
  protected abstract scoreEmbeddings(embeddings: Float32Array, count: number, prompts: readonly string[] | undefined): Promise<Float32Array>;

  /** Frees the subclass's model; called once, before the embedder is disposed. */
  protected async releaseModel(): Promise<void> {}

  async strongWinRatesFromEmbeddings(embeddings: Float32Array, count: number, prompts?: readonly string[]): Promise<Float32Array> {
    this.assertUsable();
    this.checkEmbeddings(embeddings, count);
    if (this.readsPromptText) {
      if (!Array.isArray(prompts) || prompts.length !== count) {
        throw new InvalidInputError('prompts', `the ${count} prompts the embeddings came from (the ${this.name} router reads their text too)`);
      }
      assertPrompts(prompts);
    }
    if (count === 0) return new Float32Array(0);
    return this.scoreEmbeddings(embeddings, count, prompts);
  }

  protected async scoreBatch(prompts: readonly string[]): Promise<Float32Array> {
    return this.scoreEmbeddings(await this.embedder.embed(prompts), prompts.length, prompts);
  }

  protected override async release(): Promise<void> {
    try {
      await this.releaseModel();
    } finally {
      if (this.ownsEmbedder) await this.embedder.dispose();
    }
  }

  /** Throws `InvalidInputError` unless `embeddings` is a Float32Array of `count x embedder.dimension` values. */
  protected checkEmbeddings(embeddings: unknown, count: number): asserts embeddings is Float32Array {
    const dimension = this.embedder.dimension;
    if (!Number.isInteger(count) || count < 0) throw new InvalidInputError('count', `a whole number >= 0, got ${count}`);
    if (embeddings instanceof Float32Array && embeddings.length === count * dimension) return;
    const got = embeddings instanceof Float32Array ? embeddings.length : typeof embeddings;
    const perRow = embeddings instanceof Float32Array && count > 0 && embeddings.length % count === 0 ? ` (${embeddings.length / count} per row)` : '';
    throw new InvalidInputError('embeddings', `a Float32Array of ${count} x ${dimension} = ${count * dimension} values for embedder "${this.embedder.id}", got ${got}${perRow}`);
  }
}
