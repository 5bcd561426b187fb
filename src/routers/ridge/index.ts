/**
 * The `ridge` router: three linear heads over a prompt's sentence embedding and seven text
 * features, fitted in closed form (ridge regression) by `trainRidge()`. The prompt's kind
 * (`promptKind`) picks the head:
 *
 * - Multiple-choice prompts (two or more lettered options) go to the head fitted to the pair's
 *   correctness gap (strong right - weak right, on questions both models answered): where the
 *   strong model knows what the weak one does not.
 * - Maths prompts (two or more numbers, no code) go to the head fitted to how hard a problem is
 *   (how many models fail it): the strong model's lead is largest on the problems that need more steps.
 * - Every other prompt goes to the head fitted to how often the weak model fails: on open-ended
 *   requests the strong model's lead is largest where the weak model is likely to go wrong.
 *
 * Each head's raw score is mapped to its quantile among that head's training prompts, so all
 * share one [0, 1] scale: at threshold t, about a (1 - t) share of each kind goes to the strong
 * model on traffic like the training prompts. Works offline with the shipped weights and `use-lite`.
 */
import { dense } from '../../core/ops.js';
import type { Embedder } from '../../embedders/types.js';
import { parseOptions } from '../../options.js';
import { shippedWeightsDir } from '../../weights-format/paths.js';
import type { WeightsManifest } from '../../weights-format/weights.js';
import { openRouterEmbedder } from '../embedder.js';
import { EmbeddingRouterBase } from '../embedding-router.js';
import { featureRows, promptKind } from './features.js';
import { ridgeRouterOptionsSchema, type RidgeRouterOptions } from './options.js';
import { headColumn, quantileOf, readRidgeWeights, type RidgeExtra, type RidgeParameters } from './weights.js';

export { ridgeRouterOptionsSchema } from './options.js';
export type { RidgeRouterOptions } from './options.js';

export class RidgeRouter extends EmbeddingRouterBase {
  readonly name = 'ridge';
  protected override readonly readsPromptText = true;

  private constructor(
    embedder: Embedder,
    ownsEmbedder: boolean,
    /** The weights manifest (targets, penalties, training data). */
    readonly manifest: WeightsManifest,
    private readonly parameters: RidgeParameters,
    /** What each head predicts, its penalty and training size. */
    readonly heads: RidgeExtra['heads'],
  ) {
    super(embedder, ownsEmbedder);
  }

  /** Loads the weights and the embedder (see `ridgeRouterOptionsSchema`). */
  static async create(options: RidgeRouterOptions = {}): Promise<RidgeRouter> {
    const parsed = parseOptions(ridgeRouterOptionsSchema, options, 'ridge router options');
    const dir = parsed.weightsDir ?? shippedWeightsDir('ridge');
    const { parameters, manifest, extra } = await readRidgeWeights(dir);
    return openRouterEmbedder(parsed.embedder, manifest.embedder, dir, (embedder, owned) => new RidgeRouter(embedder, owned, manifest, parameters, extra.heads));
  }

  /** Each prompt's head (by its kind) and text features come from its text, so `prompts` are required beside the embeddings. */
  protected async scoreEmbeddings(embeddings: Float32Array, count: number, prompts: readonly string[]): Promise<Float32Array> {
    const dimension = this.embedder.dimension;
    const { heads, width, headCount, quantiles, quantileCount } = this.parameters;
    const raw = await dense({ data: featureRows(embeddings, dimension, prompts), rows: count, cols: width }, [{ weights: heads, inputs: width, outputs: headCount }]);
    return Float32Array.from(prompts, (prompt, row) => {
      const head = headColumn(promptKind(prompt), headCount);
      return quantileOf(raw.data[row * headCount + head], quantiles, head * quantileCount, quantileCount);
    });
  }
}

/** Builds the `ridge` router (registry entry). */
export function createRidgeRouter(options: RidgeRouterOptions = {}): Promise<RidgeRouter> {
  return RidgeRouter.create(options);
}

