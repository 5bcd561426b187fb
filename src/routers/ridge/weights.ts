/**
 * The ridge router's weights folder, in the shared weights format: `heads` (width x H: the
 * multiple-choice head, the open head, then the maths head; width = embedder dimension + text
 * features + bias) and `quantiles` (H x Q: each head's raw scores on its training prompts at Q
 * evenly spaced quantiles, ascending), which map a raw score to [0, 1]. H is 3; weights written
 * before the maths head existed have H = 2, and score maths prompts with the open head.
 */
import { WeightsError } from '../../errors.js';
import { asFloat32, readWeights, writeWeights, type EmbedderInfo, type WeightsManifest, type WriteWeightsInput } from '../../weights-format/index.js';
import { TEXT_FEATURES, type PromptKind } from './features.js';

/** The heads, in column order: each scores the prompts of its kind. */
export const HEADS = Object.freeze(['multiple_choice', 'open', 'maths'] as const satisfies readonly PromptKind[]);

/** What each head was fitted to predict. */
export type RidgeTarget = 'pair-gap' | 'weak-fails' | 'difficulty';

/** How one head was fitted. */
export interface RidgeHeadRecord {
  target: RidgeTarget;
  lambda: number;
  textFeatures: boolean;
  rankTargets?: boolean;
  sources?: string[];
  trainRows: number;
  referencePrompts: number;
}

/** Router-specific manifest fields (`extra`). */
export interface RidgeExtra {
  /** `maths` is absent in two-head weights. */
  heads: { multiple_choice: RidgeHeadRecord; open: RidgeHeadRecord; maths?: RidgeHeadRecord };
  /** The pair the targets were computed for. */
  pair: { strong: string; weak: string };
}

/** Parameters of a ridge router. */
export interface RidgeParameters {
  /** `width x headCount`, row-major. */
  heads: Float32Array;
  width: number;
  /** 3, or 2 for weights without a maths head. */
  headCount: number;
  /** `headCount x quantileCount`, each row ascending. */
  quantiles: Float32Array;
  quantileCount: number;
}

/** The column of the head that scores a prompt of `kind`: maths prompts use the open head when there is no maths head. */
export function headColumn(kind: PromptKind, headCount: number): number {
  const column = HEADS.indexOf(kind);
  return column < headCount ? column : HEADS.indexOf('open');
}

/** Writes a weights folder. */
export async function writeRidgeWeights(
  dir: string,
  parameters: RidgeParameters,
  record: Omit<WriteWeightsInput, 'router' | 'tensors' | 'extra' | 'embedder'> & { embedder: EmbedderInfo; extra: RidgeExtra },
): Promise<WeightsManifest> {
  return writeWeights(dir, {
    ...record,
    extra: record.extra as unknown as Record<string, unknown>,
    router: 'ridge',
    tensors: {
      heads: { data: parameters.heads, shape: [parameters.width, parameters.headCount] },
      quantiles: { data: parameters.quantiles, shape: [parameters.headCount, parameters.quantileCount] },
    },
  });
}

/** Reads a weights folder; `WeightsError` when it is missing, corrupt or not a ridge router's. */
export async function readRidgeWeights(dir: string): Promise<{ parameters: RidgeParameters; manifest: WeightsManifest; extra: RidgeExtra }> {
  const loaded = await readWeights(dir, { router: 'ridge', tensors: { heads: [-1, -1], quantiles: [-1, -1] } });
  const { manifest } = loaded;
  const extra = manifest.extra as RidgeExtra | undefined;
  if (!manifest.embedder || !extra?.heads || !extra.pair) throw new WeightsError('corrupt', dir, 'the manifest lacks the ridge fields (embedder, extra.heads, extra.pair)');
  const { heads, quantiles } = loaded.tensors;
  const width = heads.shape[0];
  if (width !== manifest.embedder.dimension + TEXT_FEATURES + 1) {
    throw new WeightsError('corrupt', dir, `heads have ${width} rows, expected embedder dimension ${manifest.embedder.dimension} + ${TEXT_FEATURES} text features + 1`);
  }
  const headCount = heads.shape[1];
  if (headCount !== 2 && headCount !== 3) throw new WeightsError('corrupt', dir, `heads have ${headCount} columns, expected 2 or 3`);
  if (quantiles.shape[0] !== headCount) throw new WeightsError('corrupt', dir, `quantiles have ${quantiles.shape[0]} rows, expected one per head (${headCount})`);
  if ((headCount === 3) !== (extra.heads.maths !== undefined)) throw new WeightsError('corrupt', dir, `the manifest's extra.heads ${headCount === 3 ? 'lacks' : 'has'} a maths head, but the tensors have ${headCount} heads`);
  const quantileCount = quantiles.shape[1];
  if (quantileCount < 2) throw new WeightsError('corrupt', dir, 'at least 2 quantiles per head are needed');
  const values = asFloat32(quantiles);
  for (let head = 0; head < headCount; head++) {
    for (let k = 1; k < quantileCount; k++) {
      if (!(values[head * quantileCount + k] >= values[head * quantileCount + k - 1])) throw new WeightsError('corrupt', dir, 'quantiles must be ascending numbers');
    }
  }
  return { parameters: { heads: asFloat32(heads), width, headCount, quantiles: values, quantileCount }, manifest, extra };
}

/**
 * Where `value` falls among `count` ascending reference points `reference[offset ..]`, as a
 * fraction in [0, 1], linear between neighbouring points.
 */
export function quantileOf(value: number, reference: Float32Array, offset: number, count: number): number {
  if (!(value > reference[offset])) return 0;
  if (value >= reference[offset + count - 1]) return 1;
  let lo = 0;
  let hi = count - 1;
  // Invariant: reference[lo] < value <= reference[hi].
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (reference[offset + mid] < value) lo = mid;
    else hi = mid;
  }
  const below = reference[offset + lo];
  const above = reference[offset + hi];
  return (lo + (value - below) / (above - below)) / (count - 1);
}

/** `count` evenly spaced quantiles (0, 1/(count-1), ..., 1) of `values`, ascending (nearest rank). */
export function sampleQuantiles(values: ArrayLike<number>, count: number): Float32Array {
  if (values.length === 0) throw new RangeError('sampleQuantiles: no values');
  const sorted = Float64Array.from(values).sort();
  return Float32Array.from({ length: count }, (_, k) => sorted[Math.round((k / (count - 1)) * (sorted.length - 1))]);
}
