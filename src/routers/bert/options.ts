import { z } from 'zod';
import type { OnnxDtype } from '../../embedders/transformers/local-model.js';
import { embedderSchema } from '../embedder.js';
import { ORIGINAL_LABEL_ORDER, type BertLabel } from './labels.js';

const labelSchema = z.enum(['strong_wins', 'tie', 'weak_wins']);

/**
 * The keys of `ONNX_DTYPE_SUFFIXES`, listed here so that parsing the options (and head mode) does
 * not load @huggingface/transformers; the check below fails to compile if the lists drift apart.
 */
const ONNX_DTYPES = ['fp32', 'fp16', 'int8', 'uint8', 'q8', 'q4', 'q4f16', 'bnb4'] as const satisfies readonly OnnxDtype[];
const everyOnnxDtype: [Exclude<OnnxDtype, (typeof ONNX_DTYPES)[number]>] extends [never] ? true : never = true;
void everyOnnxDtype;

/** Options of the `bert` router. */
export const bertRouterOptionsSchema = z
  .object({
    /**
     * `head` (default, offline): a frozen encoder (an `Embedder`) and a 3-way head trained by this
     * library, loaded from `weightsDir`. `onnx`: a complete fine-tuned sequence classifier (e.g. an
     * ONNX export of the original's BERT checkpoint) from `model`.
     */
    mode: z.enum(['head', 'onnx']).default('head'),
    /** Head mode: the weights folder. Default: the shipped `weights/bert`. */
    weightsDir: z.string().min(1).optional(),
    /**
     * Head mode: the encoder. Default: the one named in the weights manifest (`use-lite`, or
     * `transformers:<folder>` for a local BERT-family encoder). Its id and dimension must match
     * the manifest. The router does not dispose an embedder given here.
     */
    embedder: embedderSchema.optional(),
    /** ONNX mode: a local model folder (config.json, tokenizer.json, onnx/model.onnx) or a Hugging Face hub id. */
    model: z.string().min(1).optional(),
    /**
     * ONNX mode: what each output index of the classifier means. Default the original's order:
     * `['strong_wins', 'tie', 'weak_wins']` (0 strong wins, 1 tie, 2 weak wins).
     */
    labelOrder: z
      .tuple([labelSchema, labelSchema, labelSchema])
      .refine((order) => new Set(order).size === 3, { message: 'labelOrder must name strong_wins, tie and weak_wins once each' })
      .default([...ORIGINAL_LABEL_ORDER] as [BertLabel, BertLabel, BertLabel]),
    /** ONNX mode: tokens per prompt, longer prompts truncated (the original: 512). */
    maxLength: z.number().int().min(2).max(8192).default(512),
    /** ONNX mode: prompts per model call. Default 16. */
    batchSize: z.number().int().positive().default(16),
    /** ONNX mode: which ONNX file (`fp32`: onnx/model.onnx, `q8`: onnx/model_quantized.onnx, ...). Default `fp32`. */
    dtype: z.enum(ONNX_DTYPES).default('fp32'),
    /** ONNX mode: allow downloading `model` from the hub when it is not a local folder. Default true; ROUTELLM_OFFLINE=1 forbids it. */
    allowRemote: z.boolean().default(true),
    /** ONNX mode: where hub downloads are cached. Default: transformers.js's cache. */
    cacheDir: z.string().optional(),
  })
  .strict()
  .superRefine((options, context) => {
    if (options.mode === 'onnx' && !options.model) {
      context.addIssue({ code: 'custom', path: ['model'], message: 'mode "onnx" needs `model`: a local folder or a hub id' });
    }
    if (options.mode === 'head' && options.model) {
      context.addIssue({ code: 'custom', path: ['model'], message: '`model` is for mode "onnx"; head mode reads `weightsDir`' });
    }
    if (options.mode === 'onnx' && (options.weightsDir || options.embedder)) {
      context.addIssue({ code: 'custom', path: ['mode'], message: '`weightsDir` and `embedder` are for head mode' });
    }
  });

export type BertRouterOptions = z.input<typeof bertRouterOptionsSchema>;
export type ParsedBertRouterOptions = z.output<typeof bertRouterOptionsSchema>;
