/**
 * ONNX mode of the bert router: a complete fine-tuned sequence classifier (BERT-family, three
 * labels) run through `@huggingface/transformers` from a local folder or the hub.
 */
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import { WeightsError } from '../../errors.js';
import {
  checkLocalModelFolder,
  importTransformers,
  loadPretrained,
  lengthGroups,
  padEncoded,
  tokenizeTexts,
  labelCount,
  pretrainedOptions,
  resolveModelSource,
  type ModelConfig,
  type OnnxDtype,
} from '../../embedders/transformers/local-model.js';

/** Settings of `OnnxSequenceClassifier.load`. */
export interface OnnxClassifierSettings {
  model: string;
  dtype: OnnxDtype;
  maxLength: number;
  batchSize: number;
  allowRemote: boolean;
  cacheDir?: string;
}

/** Softmax of each row of `rows x classes` logits, in float64, returned as float32. */
export function softmaxRows(logits: ArrayLike<number>, rows: number, classes: number): Float32Array {
  const out = new Float32Array(rows * classes);
  for (let row = 0; row < rows; row++) {
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, logits[row * classes + j]);
    let sum = 0;
    const exps = new Float64Array(classes);
    for (let j = 0; j < classes; j++) sum += exps[j] = Math.exp(logits[row * classes + j] - max);
    for (let j = 0; j < classes; j++) out[row * classes + j] = exps[j] / sum;
  }
  return out;
}

/** A loaded three-label sequence classifier. */
export class OnnxSequenceClassifier {
  private constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
    private readonly settings: OnnxClassifierSettings,
    /** The model's config.json. */
    readonly config: ModelConfig,
  ) {}

  /**
   * Loads tokenizer and model. A local folder is checked first: a missing config.json,
   * tokenizer.json or onnx/model*.onnx, or a label count other than 3, is a `WeightsError`.
   */
  static async load(settings: OnnxClassifierSettings): Promise<OnnxSequenceClassifier> {
    // A missing optional peer is the first thing to report: no model folder can help without it.
    await importTransformers();
    const source = resolveModelSource(settings.model, settings.allowRemote);
    if (source.local) assertThreeLabels(checkLocalModelFolder(source.location, settings.dtype), source.location);
    const options = pretrainedOptions(source, settings.dtype, settings.cacheDir);
    const { tokenizer, model } = await loadPretrained(source, (transformers) => transformers.AutoModelForSequenceClassification, options, 'classifier');
    const config = (model as unknown as { config: ModelConfig }).config ?? {};
    if (!source.local) {
      try {
        assertThreeLabels(config, source.location);
      } catch (error) {
        await model.dispose();
        throw error;
      }
    }
    return new OnnxSequenceClassifier(tokenizer, model, settings, config);
  }

  /**
   * Class probabilities, `texts.length x 3` row-major, in the model's own label order. Texts are
   * truncated to `maxLength` tokens and batched by length.
   */
  async probabilities(texts: readonly string[]): Promise<Float32Array> {
    const out = new Float32Array(texts.length * 3);
    const encoded = tokenizeTexts(this.tokenizer, texts, this.settings.maxLength);
    for (const indices of lengthGroups(encoded, this.settings.batchSize)) {
      const inputs = padEncoded(
        this.tokenizer,
        indices.map((i) => encoded[i]),
      );
      const { logits } = (await this.model(inputs)) as { logits: Tensor };
      if (logits.dims.length !== 2 || logits.dims[1] !== 3) {
        throw new WeightsError('mismatch', this.settings.model, `expected logits of shape [batch, 3], got [${logits.dims}]`);
      }
      const probabilities = softmaxRows(logits.data as Float32Array, indices.length, 3);
      indices.forEach((index, row) => out.set(probabilities.subarray(row * 3, row * 3 + 3), index * 3));
    }
    return out;
  }

  /** Frees the ONNX session. */
  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

function assertThreeLabels(config: ModelConfig, location: string): void {
  const count = labelCount(config);
  if (count !== 3) {
    throw new WeightsError(
      'mismatch',
      location,
      `the bert router needs a 3-label classifier (strong wins, tie, weak wins); config.json declares ${count ?? 'no'} labels`,
    );
  }
}
