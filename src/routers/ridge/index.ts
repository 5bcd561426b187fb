/**
 * The `ridge` router: two linear heads over a prompt's sentence embedding and seven text
 * features, fitted in closed form (ridge regression) by `trainRidge()`.
 *
 * - Multiple-choice prompts (two or more lettered options) go to the head fitted to the pair's
 *   correctness gap (strong right - weak right, on questions both models answered): where the
 *   strong model knows what the weak one does not.
 * - Every other prompt goes to the head fitted to how often the weak model fails: on open-ended
 *   requests the strong model's lead is largest where the weak model is likely to go wrong.
 *
 * Each head's raw score is mapped to its quantile among that head's training prompts, so both
 * share one [0, 1] scale: at threshold t, about a (1 - t) share of each kind goes to the strong
 * model on traffic like the training prompts. Works offline with the shipped weights and `use-lite`.
 */
import { z } from 'zod';
import { dense } from '../../core/ops.js';
import type { Embedder } from '../../embedders/types.js';
import { InvalidInputError } from '../../errors.js';
import { parseOptions } from '../../options.js';
import { shippedWeightsDir } from '../../weights-format/paths.js';
import { checkEmbedder, type WeightsManifest } from '../../weights-format/weights.js';
import { assertPrompts, BaseRouter } from '../base.js';
import type { EmbeddingRouter } from '../types.js';
import { embedderFromId, embedderOrIdSchema } from '../embedder.js';
import { featureRows, isMultipleChoice } from './features.js';
import { quantileOf, readRidgeWeights, type RidgeExtra, type RidgeParameters } from './weights.js';

/** Options of the `ridge` router. */
export const ridgeRouterOptionsSchema = z
  .object({
    /** Folder with `manifest.json` and the tensors. Default: the shipped `weights/ridge`. */
    weightsDir: z.string().min(1).optional(),
    /**
     * The embedder: an Embedder object (not disposed by the router), or an id for `createEmbedder`
     * (owned by the router). Its id and dimension must be those in the weights. Default: the
     * manifest's embedder (`use-lite` for the shipped weights).
     */
    embedder: embedderOrIdSchema.optional(),
  })
  .strict();

export type RidgeRouterOptions = z.input<typeof ridgeRouterOptionsSchema>;

export class RidgeRouter extends BaseRouter implements EmbeddingRouter {
  readonly name = 'ridge';

  private constructor(
    readonly embedder: Embedder,
    private readonly ownsEmbedder: boolean,
    /** The weights manifest (targets, penalties, training data). */
    readonly manifest: WeightsManifest,
    private readonly parameters: RidgeParameters,
    /** What each head predicts, its penalty and training size. */
    readonly heads: RidgeExtra['heads'],
  ) {
    super();
  }

  /** Loads the weights and the embedder (see `ridgeRouterOptionsSchema`). */
  static async create(options: RidgeRouterOptions = {}): Promise<RidgeRouter> {
    const parsed = parseOptions(ridgeRouterOptionsSchema, options, 'ridge router options');
    const dir = parsed.weightsDir ?? shippedWeightsDir('ridge');
    const { parameters, manifest, extra } = await readRidgeWeights(dir);
    const given = typeof parsed.embedder === 'object' ? parsed.embedder : undefined;
    if (given) checkEmbedder(manifest, given, dir);
    const embedder = given ?? (await embedderFromId(typeof parsed.embedder === 'string' ? parsed.embedder : manifest.embedder!.id));
    try {
      if (!given) checkEmbedder(manifest, embedder, dir);
    } catch (error) {
      await embedder.dispose();
      throw error;
    }
    return new RidgeRouter(embedder, !given, manifest, parameters, extra.heads);
  }

  /**
   * Strong win rates for precomputed embeddings (`count x embedder.dimension`). `prompts`, the
   * texts they came from, are required: they choose the head and give the text features.
   */
  async strongWinRatesFromEmbeddings(embeddings: Float32Array, count: number, prompts?: readonly string[]): Promise<Float32Array> {
    this.assertUsable();
    const dimension = this.embedder.dimension;
    if (!Number.isInteger(count) || count < 0) throw new InvalidInputError('count', `a whole number >= 0, got ${count}`);
    if (!(embeddings instanceof Float32Array) || embeddings.length !== count * dimension) {
      throw new InvalidInputError('embeddings', `a Float32Array of ${count} x ${dimension} floats (count x embedder dimension)`);
    }
    if (!Array.isArray(prompts) || prompts.length !== count) {
      throw new InvalidInputError('prompts', `the ${count} prompts the embeddings came from (the ridge router reads their text too)`);
    }
    assertPrompts(prompts);
    if (count === 0) return new Float32Array(0);
    const { heads, width, quantiles, quantileCount } = this.parameters;
    const raw = await dense({ data: featureRows(embeddings, dimension, prompts), rows: count, cols: width }, [{ weights: heads, inputs: width, outputs: 2 }]);
    return Float32Array.from(prompts, (prompt, row) => {
      const head = isMultipleChoice(prompt) ? 0 : 1;
      return quantileOf(raw.data[row * 2 + head], quantiles, head * quantileCount, quantileCount);
    });
  }

  protected async scoreBatch(prompts: readonly string[]): Promise<Float32Array> {
    return this.strongWinRatesFromEmbeddings(await this.embedder.embed(prompts), prompts.length, prompts);
  }

  protected override async release(): Promise<void> {
    if (this.ownsEmbedder) await this.embedder.dispose();
  }
}

/** Builds the `ridge` router (registry entry). */
export function createRidgeRouter(options: RidgeRouterOptions = {}): Promise<RidgeRouter> {
  return RidgeRouter.create(options);
}

