import { WeightsError } from '../../errors.js';
import type { MfParameters } from '../../core/models/mf.js';
import { asFloat32, readWeights, writeWeights, type LoadedWeights, type WeightsManifest, type WriteWeightsInput } from '../../weights-format/weights.js';

/** Router name recorded in MF manifests. */
export const MF_ROUTER = 'mf';

/** An MF model read from a weights folder. */
export interface MfWeights {
  parameters: MfParameters;
  /** Canonical model names in parameter order. */
  models: string[];
  manifest: WeightsManifest;
  dir: string;
}

/** Writes MF parameters and their manifest (without tensors) to `dir`. */
export async function saveMfWeights(
  dir: string,
  parameters: MfParameters,
  manifest: Omit<WriteWeightsInput, 'router' | 'tensors'> & { models: string[] },
): Promise<WeightsManifest> {
  if (manifest.models.length !== parameters.numModels) {
    throw new RangeError(`saveMfWeights: ${manifest.models.length} model names for ${parameters.numModels} model embeddings`);
  }
  return writeWeights(dir, {
    ...manifest,
    router: MF_ROUTER,
    hyperparameters: { ...manifest.hyperparameters, dim: parameters.dim, textDim: parameters.textDim },
    tensors: {
      model_embeddings: { data: parameters.modelEmbeddings, shape: [parameters.numModels, parameters.dim] },
      text_projection: { data: parameters.projection, shape: [parameters.textDim, parameters.dim] },
      classifier: { data: parameters.classifier, shape: [parameters.dim] },
    },
  });
}

/**
 * Reads an MF weights folder: checksums, sizes, router, and (when given) the embedder; the
 * tensors' shapes must agree with each other, the embedder dimension and the model list.
 */
export async function loadMfWeights(dir: string, embedder?: { id: string; dimension: number }): Promise<MfWeights> {
  const loaded: LoadedWeights = await readWeights(dir, {
    router: MF_ROUTER,
    embedder,
    tensors: { model_embeddings: [-1, -1], text_projection: [-1, -1], classifier: [-1] },
  });
  const models = loaded.manifest.models;
  if (!Array.isArray(models) || models.length === 0 || models.some((model) => typeof model !== 'string')) {
    throw new WeightsError('corrupt', dir, 'the manifest has no list of model names');
  }
  const [numModels, dim] = loaded.tensors.model_embeddings.shape;
  const [textDim, projectionDim] = loaded.tensors.text_projection.shape;
  const problems: string[] = [];
  if (numModels !== models.length) problems.push(`${numModels} model embeddings for ${models.length} model names`);
  if (projectionDim !== dim || loaded.tensors.classifier.shape[0] !== dim) problems.push('tensor dimensions disagree');
  if (loaded.manifest.embedder && loaded.manifest.embedder.dimension !== textDim) {
    problems.push(`text projection expects ${textDim}-d embeddings but the manifest's embedder is ${loaded.manifest.embedder.dimension}-d`);
  }
  if (problems.length) throw new WeightsError('corrupt', dir, problems.join('; '));
  return {
    parameters: {
      numModels,
      textDim,
      dim,
      modelEmbeddings: asFloat32(loaded.tensors.model_embeddings),
      projection: asFloat32(loaded.tensors.text_projection),
      classifier: asFloat32(loaded.tensors.classifier),
    },
    models,
    manifest: loaded.manifest,
    dir,
  };
}
