/**
 * The `bert` router: a three-way classifier (strong wins / tie / weak wins) over the prompt;
 * strong win rate = 1 - P(tie) - P(weak wins), as in RouteLLM.
 *
 * - Head mode (default, offline): a frozen encoder (any `Embedder`; the shipped weights use
 *   `use-lite`) and a small softmax head trained by `trainBert()`.
 * - ONNX mode: a complete fine-tuned sequence classifier through `@huggingface/transformers`.
 */
import { ClassifierHead } from '../../core/models/classifier-head.js';
import { createEmbedder } from '../../embedders/registry.js';
import type { Embedder } from '../../embedders/types.js';
import { InvalidInputError, InvalidOptionsError, WeightsError } from '../../errors.js';
import { parseOptions } from '../../options.js';
import { checkEmbedder, shippedWeightsDir, type WeightsManifest } from '../../weights-format/index.js';
import { BaseRouter } from '../base.js';
import type { EmbeddingRouter } from '../types.js';
import { readBertHead, type BertHeadExtra } from './head-weights.js';
import type { BertLabel } from './labels.js';
import type { OnnxSequenceClassifier } from './onnx-classifier.js';
import { bertRouterOptionsSchema, type BertRouterOptions, type ParsedBertRouterOptions } from './options.js';

export { bertRouterOptionsSchema } from './options.js';
export type { BertRouterOptions } from './options.js';
export { ORIGINAL_LABEL_ORDER } from './labels.js';
export type { BertLabel } from './labels.js';

/**
 * Strong win rates from `rows x 3` class probabilities whose columns mean `labelOrder`:
 * 1 - P(tie) - P(weak wins), clamped to [0, 1].
 */
export function strongWinRatesFromProbabilities(probabilities: Float32Array, rows: number, labelOrder: readonly BertLabel[]): Float32Array {
  const tie = labelOrder.indexOf('tie');
  const weak = labelOrder.indexOf('weak_wins');
  const out = new Float32Array(rows);
  for (let row = 0; row < rows; row++) {
    const score = 1 - probabilities[row * 3 + tie] - probabilities[row * 3 + weak];
    out[row] = Math.min(1, Math.max(0, score));
  }
  return out;
}

/**
 * Builds the embedder a manifest names, through the embedder registry (`use-lite`,
 * `transformers:<folder or hub id>[#cls]`, `openai:<model>`). An id the registry does not know
 * is a `WeightsError` asking for the `embedder` option.
 */
export async function embedderFromId(id: string): Promise<Embedder> {
  try {
    return await createEmbedder(id);
  } catch (error) {
    if (error instanceof InvalidOptionsError) {
      throw new WeightsError('mismatch', id, `the bert weights were made with embedder "${id}", which the registry cannot build; pass it as the \`embedder\` option`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** Head mode: frozen embedder + trained softmax head. */
export class BertHeadRouter extends BaseRouter implements EmbeddingRouter {
  readonly name = 'bert';

  private constructor(
    readonly embedder: Embedder,
    private readonly head: ClassifierHead,
    private readonly ownsEmbedder: boolean,
    /** The weights manifest (label counts, classes, training details). */
    readonly manifest: WeightsManifest,
    private readonly labelOrder: readonly BertLabel[],
  ) {
    super();
  }

  /** Loads the weights folder and the embedder (the given one, or the one the manifest names). */
  static async load(weightsDir: string, embedder?: Embedder): Promise<BertHeadRouter> {
    const { parameters, manifest, extra } = await readBertHead(weightsDir);
    const expected = manifest.embedder!;
    if (embedder) checkEmbedder(manifest, { id: embedder.id, dimension: embedder.dimension }, weightsDir);
    const encoder = embedder ?? (await embedderFromId(expected.id));
    try {
      if (!embedder) checkEmbedder(manifest, { id: encoder.id, dimension: encoder.dimension }, weightsDir);
      const head = await ClassifierHead.create(parameters);
      return new BertHeadRouter(encoder, head, !embedder, manifest, (extra as BertHeadExtra).labelOrder);
    } catch (error) {
      if (!embedder) await encoder.dispose();
      throw error;
    }
  }

  /** Class probabilities (`rows x 3`, columns in the weights' label order) for precomputed embeddings. */
  async probabilitiesFromEmbeddings(embeddings: Float32Array, count: number): Promise<Float32Array> {
    this.assertUsable();
    if (embeddings.length !== count * this.embedder.dimension) {
      throw new InvalidInputError('embeddings', `${count} x ${this.embedder.dimension} = ${count * this.embedder.dimension} floats, got ${embeddings.length}`);
    }
    return this.head.probabilities(embeddings, count);
  }

  async strongWinRatesFromEmbeddings(embeddings: Float32Array, count: number): Promise<Float32Array> {
    if (count === 0) return new Float32Array(0);
    const probabilities = await this.probabilitiesFromEmbeddings(embeddings, count);
    return strongWinRatesFromProbabilities(probabilities, count, this.labelOrder);
  }

  protected async scoreBatch(prompts: readonly string[]): Promise<Float32Array> {
    const embeddings = await this.embedder.embed(prompts);
    return this.strongWinRatesFromEmbeddings(embeddings, prompts.length);
  }

  protected override async release(): Promise<void> {
    this.head.dispose();
    if (this.ownsEmbedder) await this.embedder.dispose();
  }
}

/** ONNX mode: a complete sequence classifier. */
export class BertOnnxRouter extends BaseRouter {
  readonly name = 'bert';

  private constructor(
    private readonly classifier: OnnxSequenceClassifier,
    private readonly labelOrder: readonly BertLabel[],
  ) {
    super();
  }

  /** Loads the classifier described by parsed options. */
  static async load(options: ParsedBertRouterOptions): Promise<BertOnnxRouter> {
    // Imported here so that head mode does not load @huggingface/transformers.
    const { OnnxSequenceClassifier } = await import('./onnx-classifier.js');
    const classifier = await OnnxSequenceClassifier.load({
      model: options.model!,
      dtype: options.dtype,
      maxLength: options.maxLength,
      batchSize: options.batchSize,
      allowRemote: options.allowRemote,
      cacheDir: options.cacheDir,
    });
    return new BertOnnxRouter(classifier, options.labelOrder);
  }

  /** Class probabilities, `prompts.length x 3`, in the model's label order (see `labelOrder`). */
  async probabilities(prompts: readonly string[]): Promise<Float32Array> {
    this.assertUsable();
    return this.classifier.probabilities(prompts);
  }

  protected async scoreBatch(prompts: readonly string[]): Promise<Float32Array> {
    const probabilities = await this.classifier.probabilities(prompts);
    return strongWinRatesFromProbabilities(probabilities, prompts.length, this.labelOrder);
  }

  protected override async release(): Promise<void> {
    await this.classifier.dispose();
  }
}

/**
 * Builds a bert router. Head mode reads `weightsDir` (default `weights/bert`); ONNX mode loads
 * `model`. Errors: `InvalidOptionsError` for bad options, `WeightsError` for missing or unusable
 * weights and model folders (no tokenizer, no model file, a label count other than 3).
 */
export async function createBertRouter(options: BertRouterOptions = {}): Promise<BertHeadRouter | BertOnnxRouter> {
  const parsed = parseOptions(bertRouterOptionsSchema, options, 'bert router options');
  if (parsed.mode === 'onnx') return BertOnnxRouter.load(parsed);
  return BertHeadRouter.load(parsed.weightsDir ?? shippedWeightsDir('bert'), parsed.embedder);
}
