import { WeightsError } from '../../errors.js';
import { asFloat32, quantizeInt8, readWeights, writeWeights, type WeightsManifest, type WriteWeightsInput } from '../../weights-format/weights.js';
import type { QualityHead, QualityHeadSettings } from './head.js';

/** Router name recorded in `quality` manifests. */
export const QUALITY_ROUTER = 'quality';

/** Writes a head and its manifest (sources, notes, metrics) to `dir`. */
export async function saveQualityHead(dir: string, head: QualityHead, manifest: Omit<WriteWeightsInput, 'router' | 'tensors' | 'models'>): Promise<WeightsManifest> {
  const width = head.models.length;
  const tensors: WriteWeightsInput['tensors'] =
    head.settings.kind === 'ridge'
      ? { coefficients: { data: head.coefficients!, shape: [width, head.dimension + 1] } }
      : {
          // int8 codes (one scale): a quarter of the bytes; cosines move by ~1e-3, below the gaps between neighbours that matter.
          embeddings: quantizeInt8(head.embeddings!, [head.embeddings!.length / head.dimension, head.dimension]),
          results: { data: head.results!, shape: [head.results!.length / width, width] },
        };
  return writeWeights(dir, {
    ...manifest,
    router: QUALITY_ROUTER,
    models: [...head.models],
    hyperparameters: { ...manifest.hyperparameters, head: head.settings, qualityLow: head.low, qualityHigh: head.high },
    tensors,
  });
}

function settingsOf(value: unknown, dir: string): QualityHeadSettings {
  const settings = value as Partial<Record<string, unknown>> | undefined;
  const positive = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0;
  if (settings?.kind === 'ridge' && positive(settings.lambda)) return { kind: 'ridge', lambda: settings.lambda as number };
  if (settings?.kind === 'knn' && positive(settings.k) && typeof settings.prior === 'number' && settings.prior >= 0) {
    return { kind: 'knn', k: settings.k as number, prior: settings.prior };
  }
  throw new WeightsError('corrupt', dir, `hyperparameters.head must be { kind: "ridge", lambda > 0 } or { kind: "knn", k > 0, prior >= 0 }, got ${JSON.stringify(value)}`);
}

/** Reads a `quality` weights folder (checksums, router, embedder when given, tensor shapes against the model list). */
export async function loadQualityHead(dir: string, embedder?: { id: string; dimension: number }): Promise<{ head: QualityHead; manifest: WeightsManifest }> {
  const manifestOnly = await readWeights(dir, { router: QUALITY_ROUTER, embedder });
  const { manifest } = manifestOnly;
  const models = manifest.models;
  if (!Array.isArray(models) || models.length < 2 || models.some((model) => typeof model !== 'string')) {
    throw new WeightsError('corrupt', dir, 'the manifest needs a list of at least two model names');
  }
  const settings = settingsOf(manifest.hyperparameters.head, dir);
  const low = Number(manifest.hyperparameters.qualityLow);
  const high = Number(manifest.hyperparameters.qualityHigh);
  if (!Number.isFinite(low) || !(high > low)) throw new WeightsError('corrupt', dir, 'hyperparameters.qualityLow and qualityHigh must be numbers with low < high');
  const dimension = manifest.embedder?.dimension;
  if (!dimension) throw new WeightsError('corrupt', dir, 'the manifest names no embedder');
  const tensors = manifestOnly.tensors;
  const base = { models, settings, dimension, low, high };
  if (settings.kind === 'ridge') {
    const coefficients = tensors.coefficients;
    if (!coefficients || coefficients.shape.join() !== [models.length, dimension + 1].join()) {
      throw new WeightsError('corrupt', dir, `coefficients must be ${models.length} x ${dimension + 1} (models x embedding + bias)`);
    }
    return { head: { ...base, coefficients: asFloat32(coefficients) }, manifest };
  }
  const { embeddings, results } = tensors;
  if (!embeddings || !results || embeddings.shape[1] !== dimension || results.shape[1] !== models.length || embeddings.shape[0] !== results.shape[0]) {
    throw new WeightsError('corrupt', dir, `knn needs embeddings (n x ${dimension}) and results (n x ${models.length}) over the same prompts`);
  }
  return { head: { ...base, embeddings: asFloat32(embeddings), results: asFloat32(results) }, manifest };
}
