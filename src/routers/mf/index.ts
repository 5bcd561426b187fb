import { foldMfPair, scoreFolded, type MfParameters } from '../../core/models/mf.js';
import type { Embedder } from '../../embedders/types.js';
import { parseOptions } from '../../options.js';
import { shippedWeightsDir } from '../../weights-format/paths.js';
import type { WeightsManifest } from '../../weights-format/weights.js';
import { openRouterEmbedder } from '../embedder.js';
import { EmbeddingRouterBase } from '../embedding-router.js';
import { assertPrompts } from '../base.js';
import { modelPosition, pairPositions, requestedModelPositions } from '../shared.js';
import type { EmbeddingModelScoringRouter, PairRouter } from '../types.js';
import { mfRouterOptionsSchema, type MfRouterOptions } from './options.js';
import { loadMfWeights } from './weights.js';

export { mfRouterOptionsSchema } from './options.js';
export type { MfRouterOptions } from './options.js';

/**
 * The matrix-factorisation router: strong win rate = sigmoid(s(strong, q) - s(weak, q)) for a
 * learned bilinear score s, computed as one dot product per prompt with the pair folded in.
 * Works offline: the default weights ship with the package and use the local `use-lite` embedder.
 *
 * Per-model scores (`modelScores`): each model's win rate against the router's weak model (the
 * reference), sigmoid(s(model, q) - s(weak, q)). One reference makes them comparable across
 * models, and the strong model's score is exactly `strongWinRate`; the reference scores 0.5.
 */
export class MfRouter extends EmbeddingRouterBase implements PairRouter, EmbeddingModelScoringRouter {
  readonly name = 'mf';
  /** Canonical names of the models the weights know, in their order. */
  readonly models: readonly string[];
  /** Trained names of the pair in use. */
  readonly strongModel: string;
  readonly weakModel: string;
  private readonly folded: Float32Array;
  /** Each model folded against the reference (the weak model), by model position; built on first use. */
  private readonly foldedAgainstReference = new Map<number, Float32Array>();
  private readonly weak: number;

  private constructor(
    embedder: Embedder,
    ownsEmbedder: boolean,
    readonly manifest: WeightsManifest,
    private readonly parameters: MfParameters,
    models: string[],
    strong: number,
    weak: number,
    private readonly modelMapping: Readonly<Record<string, string>>,
  ) {
    super(embedder, ownsEmbedder);
    this.models = Object.freeze([...models]);
    this.strongModel = models[strong];
    this.weakModel = models[weak];
    this.folded = foldMfPair(parameters, strong, weak);
    this.weak = weak;
  }

  /** Loads weights and builds the router (see `mfRouterOptionsSchema`). */
  static async create(options: MfRouterOptions = {}): Promise<MfRouter> {
    const parsed = parseOptions(mfRouterOptionsSchema, options, 'mf router options');
    const dir = parsed.weightsDir ?? shippedWeightsDir('mf');
    const weights = await loadMfWeights(dir);
    const { strong, weak } = pairPositions(weights.models, parsed, dir);
    return openRouterEmbedder(
      parsed.embedder,
      weights.manifest.embedder,
      dir,
      (embedder, owned) => new MfRouter(embedder, owned, weights.manifest, weights.parameters, weights.models, strong, weak, parsed.modelMapping),
    );
  }

  /**
   * Strong win rates of another pair of the weights' models (names, aliases or mapped names),
   * from precomputed embeddings.
   */
  pairWinRatesFromEmbeddings(strongModel: string, weakModel: string, embeddings: Float32Array, count: number): Float32Array {
    this.assertUsable();
    const strong = modelPosition(this.models, strongModel);
    const weak = modelPosition(this.models, weakModel);
    this.checkEmbeddings(embeddings, count);
    return scoreFolded(foldMfPair(this.parameters, strong, weak), embeddings, count);
  }

  /**
   * Each of `models`' win rate against the weak model (row-major, prompts x models). Names go
   * through the alias table and `modelMapping`; an unknown one throws `UnknownModelError`.
   */
  async modelScores(prompts: readonly string[], models: readonly string[]): Promise<Float32Array> {
    this.assertUsable();
    assertPrompts(prompts);
    const positions = requestedModelPositions(this.models, models, this.modelMapping);
    if (prompts.length === 0) return new Float32Array(0);
    return this.scoreModels(await this.embedder.embed(prompts), prompts.length, positions);
  }

  /** `modelScores` for precomputed embeddings. */
  async modelScoresFromEmbeddings(embeddings: Float32Array, count: number, models: readonly string[]): Promise<Float32Array> {
    this.assertUsable();
    const positions = requestedModelPositions(this.models, models, this.modelMapping);
    this.checkEmbeddings(embeddings, count);
    return this.scoreModels(embeddings, count, positions);
  }

  private scoreModels(embeddings: Float32Array, count: number, positions: readonly number[]): Float32Array {
    const out = new Float32Array(count * positions.length);
    positions.forEach((position, column) => {
      let folded = this.foldedAgainstReference.get(position);
      if (!folded) this.foldedAgainstReference.set(position, (folded = foldMfPair(this.parameters, position, this.weak)));
      const scores = scoreFolded(folded, embeddings, count);
      for (let row = 0; row < count; row++) out[row * positions.length + column] = scores[row];
    });
    return out;
  }

  protected async scoreEmbeddings(embeddings: Float32Array, count: number): Promise<Float32Array> {
    return scoreFolded(this.folded, embeddings, count);
  }
}

/** Builds the `mf` router (registry entry). */
export function createMfRouter(options: MfRouterOptions = {}): Promise<MfRouter> {
  return MfRouter.create(options);
}
