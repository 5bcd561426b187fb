/**
 * The head-mode weights folder of the bert router, in the shared weights format
 * (src/weights-format): tensors `w1`, `b1` (and `w2`, `b2` for the MLP), the embedder in the
 * manifest, and in `extra` the head shape, label order, model classes, label counts and class
 * weights.
 */
import type { ClassifierHeadParameters, HeadArchitecture } from '../../core/models/classifier-head.js';
import { WeightsError } from '../../errors.js';
import { asFloat32, readWeights, writeWeights, type EmbedderInfo, type WeightsManifest, type WriteWeightsInput } from '../../weights-format/index.js';
import type { LabelCounts, ModelClasses } from './labels.js';
import type { BertLabel } from './labels.js';

/** Router-specific manifest fields (`extra`). */
export interface BertHeadExtra {
  head: { architecture: HeadArchitecture; hidden: number };
  /** Meaning of each head output index. */
  labelOrder: BertLabel[];
  /** Which models were strong-class and weak-class when the labels were made. */
  classes: ModelClasses;
  labelCounts: { train: LabelCounts; validation: LabelCounts };
  classWeights: number[];
}

/** What `writeBertHead` stores besides the parameters. */
export interface BertHeadRecord extends Omit<WriteWeightsInput, 'router' | 'tensors' | 'extra' | 'embedder'> {
  embedder: EmbedderInfo;
  extra: BertHeadExtra;
}

/** Writes a head-mode weights folder. */
export async function writeBertHead(dir: string, parameters: ClassifierHeadParameters, record: BertHeadRecord): Promise<WeightsManifest> {
  const tensors: WriteWeightsInput['tensors'] = {};
  const names = parameters.layers.length === 1 ? [['w1', 'b1']] : [['w1', 'b1'], ['w2', 'b2']];
  parameters.layers.forEach((layer, index) => {
    const [weightName, biasName] = names[index];
    tensors[weightName] = { data: layer.weights, shape: [layer.inputs, layer.outputs] };
    tensors[biasName] = { data: layer.bias ?? new Float32Array(layer.outputs), shape: [layer.outputs] };
  });
  return writeWeights(dir, { ...record, extra: record.extra as unknown as Record<string, unknown>, router: 'bert', tensors });
}

/** Reads a head-mode weights folder; `WeightsError` when it is missing, corrupt or not a bert head. */
export async function readBertHead(dir: string): Promise<{ parameters: ClassifierHeadParameters; manifest: WeightsManifest; extra: BertHeadExtra }> {
  const loaded = await readWeights(dir, { router: 'bert', tensors: { w1: [-1, -1], b1: [-1] } });
  const extra = loaded.manifest.extra as BertHeadExtra | undefined;
  const embedder = loaded.manifest.embedder;
  if (!extra?.head || !Array.isArray(extra.labelOrder) || extra.labelOrder.length !== 3 || !embedder) {
    throw new WeightsError('corrupt', dir, 'the manifest lacks the bert head fields (extra.head, extra.labelOrder, embedder)');
  }
  const { w1, b1, w2, b2 } = loaded.tensors;
  const inputs = w1.shape[0];
  if (inputs !== embedder.dimension) {
    throw new WeightsError('corrupt', dir, `head input width ${inputs} differs from the embedder dimension ${embedder.dimension}`);
  }
  let parameters: ClassifierHeadParameters;
  if (extra.head.architecture === 'linear') {
    if (w1.shape[1] !== 3) throw new WeightsError('mismatch', dir, `a linear head must have 3 outputs, found ${w1.shape[1]}`);
    parameters = {
      architecture: 'linear',
      inputs,
      classes: 3,
      hidden: 0,
      layers: [{ weights: asFloat32(w1), inputs, outputs: 3, bias: asFloat32(b1), activation: 'none' }],
    };
  } else {
    if (!w2 || !b2 || w2.shape[0] !== w1.shape[1] || w2.shape[1] !== 3) {
      throw new WeightsError('mismatch', dir, 'an mlp head needs w2 of shape [hidden, 3] and b2 of shape [3]');
    }
    const hidden = w1.shape[1];
    parameters = {
      architecture: 'mlp',
      inputs,
      classes: 3,
      hidden,
      layers: [
        { weights: asFloat32(w1), inputs, outputs: hidden, bias: asFloat32(b1), activation: 'relu' },
        { weights: asFloat32(w2), inputs: hidden, outputs: 3, bias: asFloat32(b2), activation: 'none' },
      ],
    };
  }
  return { parameters, manifest: loaded.manifest, extra };
}
