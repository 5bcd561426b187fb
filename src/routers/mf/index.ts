import { foldMfPair, scoreFolded, type MfParameters } from '../../core/models/mf.js';
import type { Embedder } from '../../embedders/types.js';
import { parseOptions } from '../../options.js';
import { shippedWeightsDir } from '../../weights-format/paths.js';
import type { WeightsManifest } from '../../weights-format/weights.js';
import { openRouterEmbedder } from '../embedder.js';
import { EmbeddingRouterBase } from '../embedding-router.js';
import { modelPosition, pairPositions } from '../shared.js';
import type { PairRouter } from '../types.js';
import { mfRouterOptionsSchema, type MfRouterOptions } from './options.js';
import { loadMfWeights } from './weights.js';

export { mfRouterOptionsSchema } from './options.js';
export type { MfRouterOptions } from './options.js';

/**
 * The matrix-factorisation router: strong win rate = sigmoid(s(strong, q) - s(weak, q)) for a
 * learned bilinear score s, computed as one dot product per prompt with the pair folded in.
 * Works offline: the default weights ship with the package and use the local `use-lite` embedder.
 */
export class MfRouter extends EmbeddingRouterBase implements PairRouter {
  readonly name = 'mf';
  /** Canonical names of the models the weights know, in their order. */
  readonly models: readonly string[];
  /** Trained names of the pair in use. */
  readonly strongModel: string;
  readonly weakModel: string;
  private readonly folded: Float32Array;

  private constructor(
    embedder: Embedder,
    ownsEmbedder: boolean,
    readonly manifest: WeightsManifest,
    private readonly parameters: MfParameters,
    models: string[],
    strong: number,
    weak: number,
  ) {
    super(embedder, ownsEmbedder);
    this.models = Object.freeze([...models]);
    this.strongModel = models[strong];
    this.weakModel = models[weak];
    this.folded = foldMfPair(parameters, strong, weak);
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
      (embedder, owned) => new MfRouter(embedder, owned, weights.manifest, weights.parameters, weights.models, strong, weak),
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

  protected async scoreEmbeddings(embeddings: Float32Array, count: number): Promise<Float32Array> {
    return scoreFolded(this.folded, embeddings, count);
  }
}

/** Builds the `mf` router (registry entry). */
export function createMfRouter(options: MfRouterOptions = {}): Promise<MfRouter> {
  return MfRouter.create(options);
}
