/**
 * The `quality` router: each model's expected quality on a prompt, predicted from the prompt
 * embedding by a head fitted on a table of per-model results (RouterBench correctness, nvidia9
 * scores, arena-bench grades). Made for routing among N models (`modelScores` + `chooseModel`);
 * as a two-model router its strong win rate is `0.5 + (quality(strong) - quality(weak)) / 2`,
 * clamped to [0, 1].
 */
import { Int8VectorIndex, int8KernelAvailable } from '../../core/int8-vector-index.js';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL, findModel } from '../../data/models.js';
import type { Embedder } from '../../embedders/types.js';
import { parseOptions } from '../../options.js';
import { shippedWeightsDir } from '../../weights-format/paths.js';
import { quantizeInt8, type WeightsManifest } from '../../weights-format/weights.js';
import { assertPrompts } from '../base.js';
import { openRouterEmbedder } from '../embedder.js';
import { EmbeddingRouterBase } from '../embedding-router.js';
import { modelPosition, requestedModelPositions } from '../shared.js';
import type { EmbeddingModelScoringRouter, PairRouter } from '../types.js';
import { predictQuality, type QualityHead, type SimilarityScan } from './head.js';
import { qualityRouterOptionsSchema, type QualityRouterOptions } from './options.js';
import { loadQualityHead } from './weights.js';

export { qualityRouterOptionsSchema } from './options.js';
export type { QualityRouterOptions } from './options.js';
export { fitQualityHead, predictQuality } from './head.js';
export type { QualityHead, QualityHeadSettings, QualityTable } from './head.js';

/**
 * A kNN head's training prompts in the int8 WebAssembly kernel (undefined for a ridge head, or
 * where the runtime has no WebAssembly SIMD; the head then scans in JavaScript). The stored rows
 * are int8 codes with one scale, so quantising their float copy gives the same codes back.
 * Dispose it when done.
 */
export function neighbourIndex(head: QualityHead): Int8VectorIndex | undefined {
  if (head.settings.kind !== 'knn' || !int8KernelAvailable()) return undefined;
  const rows = head.embeddings!.length / head.dimension;
  return Int8VectorIndex.create(quantizeInt8(head.embeddings!, [rows, head.dimension]).data as Int8Array, rows, head.dimension);
}

/** The default pair of a head: the benchmark pair when it knows both, else its best and worst model on average. */
function defaultPair(manifest: WeightsManifest, models: readonly string[]): { strong: string; weak: string } {
  if (findModel(models, DEFAULT_STRONG_MODEL) >= 0 && findModel(models, DEFAULT_WEAK_MODEL) >= 0) return { strong: DEFAULT_STRONG_MODEL, weak: DEFAULT_WEAK_MODEL };
  const means = (manifest.extra?.modelMeans ?? {}) as Record<string, number>;
  const ranked = [...models].sort((a, b) => (means[b] ?? 0) - (means[a] ?? 0));
  return { strong: ranked[0], weak: ranked[ranked.length - 1] };
}

/** Per-model quality prediction. Create it with `createRouter('quality', options)` or `QualityRouter.create()`. */
export class QualityRouter extends EmbeddingRouterBase implements PairRouter, EmbeddingModelScoringRouter {
  readonly name = 'quality';
  /** The models the head predicts, as named in its weights. */
  readonly models: readonly string[];
  readonly strongModel: string;
  readonly weakModel: string;
  private readonly pair: [number, number];
  /** A kNN head's training prompts as int8 codes in the WebAssembly kernel, when the runtime has SIMD. */
  private index: Int8VectorIndex | undefined;
  private readonly scan: SimilarityScan | undefined;

  private constructor(
    embedder: Embedder,
    ownsEmbedder: boolean,
    readonly manifest: WeightsManifest,
    /** The fitted head (settings, models, coefficients or training prompts). */
    readonly head: QualityHead,
    strong: number,
    weak: number,
    private readonly modelMapping: Readonly<Record<string, string>>,
  ) {
    super(embedder, ownsEmbedder);
    this.models = Object.freeze([...head.models]);
    this.strongModel = head.models[strong];
    this.weakModel = head.models[weak];
    this.pair = [strong, weak];
    this.index = neighbourIndex(head);
    const index = this.index;
    this.scan = index && ((queries, count) => index.similaritiesSync(queries, count));
  }

  /** Loads the head and builds the router (see `qualityRouterOptionsSchema`). */
  static async create(options: QualityRouterOptions = {}): Promise<QualityRouter> {
    const parsed = parseOptions(qualityRouterOptionsSchema, options, 'quality router options');
    const dir = parsed.weightsDir ?? shippedWeightsDir('quality');
    const { head, manifest } = await loadQualityHead(dir);
    const fallback = defaultPair(manifest, head.models);
    const strong = modelPosition(head.models, parsed.strongModel ?? fallback.strong, parsed.modelMapping);
    const weak = modelPosition(head.models, parsed.weakModel ?? fallback.weak, parsed.modelMapping);
    return openRouterEmbedder(parsed.embedder, manifest.embedder, dir, (embedder, owned) => new QualityRouter(embedder, owned, manifest, head, strong, weak, parsed.modelMapping));
  }

  /**
   * Predicted quality of each of `models` (row-major, prompts x models), on the training table's
   * scale mapped to [0, 1] (its worst result 0, its best 1; a prediction may fall a little outside).
   * Names go through the alias table and `modelMapping`; an unknown one throws `UnknownModelError`.
   */
  async modelScores(prompts: readonly string[], models: readonly string[]): Promise<Float32Array> {
    this.assertUsable();
    assertPrompts(prompts);
    const positions = requestedModelPositions(this.models, models, this.modelMapping);
    if (prompts.length === 0) return new Float32Array(0);
    return this.columns(predictQuality(this.head, await this.embedder.embed(prompts), prompts.length, this.scan), prompts.length, positions);
  }

  /** `modelScores` for precomputed embeddings. */
  async modelScoresFromEmbeddings(embeddings: Float32Array, count: number, models: readonly string[]): Promise<Float32Array> {
    this.assertUsable();
    const positions = requestedModelPositions(this.models, models, this.modelMapping);
    this.checkEmbeddings(embeddings, count);
    return this.columns(predictQuality(this.head, embeddings, count, this.scan), count, positions);
  }

  private columns(all: Float32Array, count: number, positions: readonly number[]): Float32Array {
    const width = this.models.length;
    const out = new Float32Array(count * positions.length);
    for (let row = 0; row < count; row++) positions.forEach((position, column) => (out[row * positions.length + column] = all[row * width + position]));
    return out;
  }

  protected async scoreEmbeddings(embeddings: Float32Array, count: number): Promise<Float32Array> {
    const pair = this.columns(predictQuality(this.head, embeddings, count, this.scan), count, this.pair);
    const out = new Float32Array(count);
    for (let row = 0; row < count; row++) out[row] = Math.min(1, Math.max(0, 0.5 + (pair[2 * row] - pair[2 * row + 1]) / 2));
    return out;
  }

  protected override async releaseModel(): Promise<void> {
    this.index?.dispose();
    this.index = undefined;
  }
}

/** Builds the `quality` router (registry entry). */
export function createQualityRouter(options: QualityRouterOptions = {}): Promise<QualityRouter> {
  return QualityRouter.create(options);
}
