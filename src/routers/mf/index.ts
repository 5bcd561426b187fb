import { z } from 'zod';
import { foldMfPair, scoreFolded, type MfParameters } from '../../core/models/mf.js';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL } from '../../data/models.js';
import type { Embedder } from '../../embedders/types.js';
import { InvalidInputError, WeightsError } from '../../errors.js';
import { parseOptions } from '../../options.js';
import { shippedWeightsDir } from '../../weights-format/paths.js';
import { checkEmbedder, type WeightsManifest } from '../../weights-format/weights.js';
import { BaseRouter } from '../base.js';
import { resolveModel } from '../shared.js';
import type { EmbeddingRouter } from '../types.js';
import { embedderFromId, embedderOrIdSchema } from '../embedder.js';
import { loadMfWeights } from './weights.js';

/** Options of the `mf` router. */
export const mfRouterOptionsSchema = z
  .object({
    /** Folder with `manifest.json` and the tensors. Default: the shipped `weights/mf`. */
    weightsDir: z.string().min(1).optional(),
    /** The strong model: a name from the weights' model list, an alias of one, or a key of `modelMapping`. Default gpt-4-1106-preview. */
    strongModel: z.string().min(1).default(DEFAULT_STRONG_MODEL),
    /** The weak model, likewise. Default mistralai/Mixtral-8x7B-Instruct-v0.1. */
    weakModel: z.string().min(1).default(DEFAULT_WEAK_MODEL),
    /** Deployed model name -> trained model name, for models the weights know by another name. */
    modelMapping: z.record(z.string(), z.string()).default({}),
    /**
     * The embedder: an Embedder object (kept open by the router's `dispose()`), or an id for
     * `createEmbedder` (owned by the router). Its id and dimension must be those recorded in the
     * weights. Default: the manifest's embedder id (`use-lite` for the shipped weights).
     */
    embedder: embedderOrIdSchema.optional(),
  })
  .strict();

export type MfRouterOptions = z.input<typeof mfRouterOptionsSchema>;

/**
 * The matrix-factorisation router: strong win rate = sigmoid(s(strong, q) - s(weak, q)) for a
 * learned bilinear score s, computed as one dot product per prompt with the pair folded in.
 * Works offline: the default weights ship with the package and use the local `use-lite` embedder.
 */
export class MfRouter extends BaseRouter implements EmbeddingRouter {
  readonly name = 'mf';
  /** Canonical names of the models the weights know, in their order. */
  readonly models: readonly string[];
  /** Trained names of the pair in use. */
  readonly strongModel: string;
  readonly weakModel: string;
  private readonly folded: Float32Array;

  private constructor(
    readonly embedder: Embedder,
    private readonly ownsEmbedder: boolean,
    readonly manifest: WeightsManifest,
    private readonly parameters: MfParameters,
    models: string[],
    strong: number,
    weak: number,
  ) {
    super();
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
    const manifest = weights.manifest;
    if (!manifest.embedder) throw new WeightsError('corrupt', dir, 'the manifest records no embedder');
    const given = typeof parsed.embedder === 'object' ? parsed.embedder : undefined;
    if (given) checkEmbedder(manifest, given, dir);
    const strong = resolveModel(weights.models, parsed.strongModel, parsed.modelMapping);
    const weak = resolveModel(weights.models, parsed.weakModel, parsed.modelMapping);
    const embedder = given ?? (await embedderFromId(typeof parsed.embedder === 'string' ? parsed.embedder : manifest.embedder.id));
    try {
      if (!given) checkEmbedder(manifest, embedder, dir);
    } catch (error) {
      await embedder.dispose();
      throw error;
    }
    return new MfRouter(embedder, !given, weights.manifest, weights.parameters, weights.models, strong, weak);
  }

  /**
   * Strong win rates of another pair of the weights' models (names, aliases or mapped names),
   * from precomputed embeddings.
   */
  pairWinRatesFromEmbeddings(strongModel: string, weakModel: string, embeddings: Float32Array, count: number): Float32Array {
    this.assertUsable();
    const strong = resolveModel(this.models, strongModel);
    const weak = resolveModel(this.models, weakModel);
    return scoreFolded(foldMfPair(this.parameters, strong, weak), this.checkEmbeddings(embeddings, count), count);
  }

  async strongWinRatesFromEmbeddings(embeddings: Float32Array, count: number): Promise<Float32Array> {
    this.assertUsable();
    return scoreFolded(this.folded, this.checkEmbeddings(embeddings, count), count);
  }

  protected async scoreBatch(prompts: readonly string[]): Promise<Float32Array> {
    const embeddings = await this.embedder.embed(prompts);
    return scoreFolded(this.folded, embeddings, prompts.length);
  }

  protected override async release(): Promise<void> {
    if (this.ownsEmbedder) await this.embedder.dispose();
  }

  private checkEmbeddings(embeddings: Float32Array, count: number): Float32Array {
    if (!(embeddings instanceof Float32Array)) throw new InvalidInputError('embeddings', 'a Float32Array');
    if (!Number.isInteger(count) || count < 0 || embeddings.length !== count * this.parameters.textDim) {
      throw new InvalidInputError('embeddings', `${count} x ${this.parameters.textDim} floats (count x embedder dimension), got ${embeddings.length}`);
    }
    return embeddings;
  }
}

/** Builds the `mf` router (registry entry). */
export function createMfRouter(options: MfRouterOptions = {}): Promise<MfRouter> {
  return MfRouter.create(options);
}
