/**
 * The `bert` router: a three-way classifier (strong wins / tie / weak wins) over the prompt;
 * strong win rate = 1 - P(tie) - P(weak wins), as in RouteLLM.
 *
 * - Head mode (default, offline): a frozen encoder (any `Embedder`; the shipped weights use
 *   `use-lite`) and a small softmax head trained by `trainBert()`.
 * - ONNX mode: a complete fine-tuned sequence classifier through `@huggingface/transformers`.
 */
import { ClassifierHead } from '../../core/models/classifier-head.js';
import type { Embedder } from '../../embedders/types.js';
import { parseOptions } from '../../options.js';
import { shippedWeightsDir, type WeightsManifest } from '../../weights-format/index.js';
import { BaseRouter } from '../base.js';
import { openRouterEmbedder } from '../embedder.js';
import { EmbeddingRouterBase } from '../embedding-router.js';
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

/** Head mode: frozen embedder + trained softmax head. */
export class BertHeadRouter extends EmbeddingRouterBase {
  readonly name = 'bert';

  private constructor(
    embedder: Embedder,
    ownsEmbedder: boolean,
    private readonly head: ClassifierHead,
    /** The weights manifest (label counts, classes, training details). */
    readonly manifest: WeightsManifest,
    private readonly labelOrder: readonly BertLabel[],
  ) {
    super(embedder, ownsEmbedder);
  }

  /** Loads the weights folder and the embedder (the given one, or the one the manifest names). */
  static async load(weightsDir: string, embedder?: Embedder): Promise<BertHeadRouter> {
    const { parameters, manifest, extra } = await readBertHead(weightsDir);
    return openRouterEmbedder(embedder, manifest.embedder, weightsDir, async (encoder, owned) => {
      const head = await ClassifierHead.create(parameters);
      return new BertHeadRouter(encoder, owned, head, manifest, (extra as BertHeadExtra).labelOrder);
    });
  }

  /** Class probabilities (`rows x 3`, columns in the weights' label order) for precomputed embeddings. */
  async probabilitiesFromEmbeddings(embeddings: Float32Array, count: number): Promise<Float32Array> {
    this.assertUsable();
    this.checkEmbeddings(embeddings, count);
    return this.head.probabilities(embeddings, count);
  }

  protected async scoreEmbeddings(embeddings: Float32Array, count: number): Promise<Float32Array> {
    const probabilities = await this.head.probabilities(embeddings, count);
    return strongWinRatesFromProbabilities(probabilities, count, this.labelOrder);
  }

  protected override async releaseModel(): Promise<void> {
    this.head.dispose();
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
