import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import { importTransformers, loadedTransformers } from '../../embedders/transformers/local-model.js';
import { WeightsError } from '../../errors.js';
import type { RatingBackend } from './backend.js';
import { RATING_LABELS, ratingDistributionFromLogits } from './labels.js';
import type { ResolvedCausalLLMOptions } from './options.js';
import { renderCompletionPrompt, renderUserMessage, type ConversationTurn } from './prompt.js';
import type { CausalLLMRouterStats } from './stats.js';

/** How the five labels are read from the model: a shared token prefix, then one distinct token per label. */
export interface LabelPlan {
  /** Tokens the five labels share (empty when each label is one token), appended to every prompt. */
  prefix: number[];
  /** The token of each label (rating 1 first) at the position after the prefix. */
  labelTokenIds: number[];
}

/**
 * The label plan for a tokenizer: the five labels are encoded; their longest common token prefix
 * is appended to the prompt and the next token of each label is read at the last position. With
 * added tokens `[[1]]`..`[[5]]` (the original checkpoint) the prefix is empty and the five label
 * tokens are read at the first generated position. Returns `undefined` when the five labels do
 * not differ at one position (e.g. a tokenizer that splits `[[1]]` and `[[2]]` differently).
 */
export function planLabels(encode: (text: string) => number[]): LabelPlan | undefined {
  const sequences = RATING_LABELS.map((label) => encode(label));
  let shared = 0;
  while (sequences.every((sequence) => sequence.length > shared && sequence[shared] === sequences[0][shared])) shared++;
  const labelTokenIds = sequences.map((sequence) => sequence[shared]);
  if (labelTokenIds.some((id) => id === undefined) || new Set(labelTokenIds).size !== 5) return undefined;
  return { prefix: sequences[0].slice(0, shared), labelTokenIds };
}

/**
 * Rates conversations with a causal LM in ONNX through @huggingface/transformers: the prompt is
 * rendered with the tokenizer's chat template when it has one (else `completionFormat`), the
 * label prefix is appended, and the five label logits at the last position go through a softmax.
 * Batches are right-padded, so each prompt's last position sees exactly its own tokens and a
 * batch gives the same numbers as single prompts.
 */
export class LocalRatingBackend implements RatingBackend {
  private constructor(
    private readonly options: ResolvedCausalLLMOptions,
    private readonly stats: CausalLLMRouterStats,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
    readonly plan: LabelPlan,
  ) {}

  /** Loads the tokenizer and the model from `options.modelPath` (a local folder, or a hub id when online). */
  static async load(options: ResolvedCausalLLMOptions, stats: CausalLLMRouterStats): Promise<LocalRatingBackend> {
    const modelPath = options.modelPath!;
    const isFolder = existsSync(modelPath) && statSync(modelPath).isDirectory();
    const location = isFolder ? path.resolve(modelPath) : modelPath;
    const { AutoModelForCausalLM, AutoTokenizer } = await importTransformers();
    let tokenizer: PreTrainedTokenizer;
    let model: PreTrainedModel;
    try {
      tokenizer = await AutoTokenizer.from_pretrained(location, { local_files_only: isFolder });
      model = await AutoModelForCausalLM.from_pretrained(location, {
        local_files_only: isFolder,
        dtype: options.dtype,
        device: 'cpu',
      });
    } catch (error) {
      const problem = isFolder || existsSync(modelPath) ? 'corrupt' : 'missing';
      throw new WeightsError(problem, modelPath, `cannot load a causal LM: ${(error as Error).message}`, { cause: error });
    }
    const plan = planLabels((text) => tokenizer.encode(text, { add_special_tokens: false }));
    if (!plan) {
      await model.dispose();
      throw new WeightsError(
        'mismatch',
        modelPath,
        `the tokenizer does not tell the labels ${RATING_LABELS.join(' ')} apart at one token position; add them as tokens`,
      );
    }
    return new LocalRatingBackend(options, stats, tokenizer, model, plan);
  }

  async rate(conversations: readonly (readonly ConversationTurn[])[]): Promise<(Float64Array | undefined)[]> {
    const prompts = conversations.map((turns) => this.promptIds(turns));
    // Batches of similar lengths waste less on padding; results go back in input order.
    const order = prompts.map((_, index) => index).sort((a, b) => prompts[a].length - prompts[b].length);
    const results: Float64Array[] = new Array(prompts.length);
    for (let start = 0; start < order.length; start += this.options.batchSize) {
      const indices = order.slice(start, start + this.options.batchSize);
      const ratings = await this.rateIds(indices.map((index) => prompts[index]));
      indices.forEach((index, position) => (results[index] = ratings[position]));
    }
    this.stats.requests += conversations.length;
    return results;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }

  /** Token ids of the rendered prompt, label prefix included. */
  promptIds(turns: readonly ConversationTurn[]): number[] {
    const { systemPrompt, template, completionFormat } = this.options;
    const userMessage = renderUserMessage(template, turns);
    let ids: number[];
    if (this.tokenizer.chat_template) {
      const withSystem = systemPrompt
        ? [
            { role: 'system', content: systemPrompt },
            { role: 'user', content: userMessage },
          ]
        : [{ role: 'user', content: userMessage }];
      let text: string;
      try {
        text = this.tokenizer.apply_chat_template(withSystem, { add_generation_prompt: true, tokenize: false }) as string;
      } catch {
        // Some chat templates reject a system turn: fold it into the user turn.
        const merged = systemPrompt ? `${systemPrompt}\n\n${userMessage}` : userMessage;
        text = this.tokenizer.apply_chat_template([{ role: 'user', content: merged }], {
          add_generation_prompt: true,
          tokenize: false,
        }) as string;
      }
      ids = this.tokenizer.encode(text, { add_special_tokens: false });
    } else {
      ids = this.tokenizer.encode(renderCompletionPrompt(completionFormat, systemPrompt, userMessage));
    }
    const budget = this.options.maxInputTokens - this.plan.prefix.length;
    if (ids.length > budget) {
      // Keep the start (instruction) and the end (the cue to answer); drop the middle of the request.
      const head = Math.floor(budget / 2);
      ids = [...ids.slice(0, head), ...ids.slice(ids.length - (budget - head))];
    }
    return [...ids, ...this.plan.prefix];
  }

  private async rateIds(batch: number[][]): Promise<Float64Array[]> {
    const rows = batch.length;
    const width = Math.max(...batch.map((ids) => ids.length));
    const padId = BigInt(this.tokenizer.pad_token_id ?? this.tokenizer.eos_token_id ?? 0);
    const inputIds = new BigInt64Array(rows * width).fill(padId);
    const attentionMask = new BigInt64Array(rows * width);
    batch.forEach((ids, row) => {
      ids.forEach((id, column) => {
        inputIds[row * width + column] = BigInt(id);
        attentionMask[row * width + column] = 1n;
      });
    });
    const { Tensor } = loadedTransformers();
    const inputs = {
      input_ids: new Tensor('int64', inputIds, [rows, width]),
      attention_mask: new Tensor('int64', attentionMask, [rows, width]),
    };
    const outputs = (await this.model(inputs)) as Record<string, Tensor | undefined>;
    try {
      let logits = outputs.logits;
      if (!logits) throw new WeightsError('mismatch', this.options.modelPath!, 'the model has no "logits" output');
      if (logits.type !== 'float32') logits = logits.to('float32');
      const [, steps, vocabulary] = logits.dims;
      if (steps !== width) {
        throw new WeightsError('mismatch', this.options.modelPath!, `expected logits for all ${width} positions, got ${steps}`);
      }
      const data = logits.data as Float32Array;
      return batch.map((ids, row) => {
        // Right padding: the last real position of each row is ids.length - 1.
        const offset = (row * steps + ids.length - 1) * vocabulary;
        return ratingDistributionFromLogits(this.plan.labelTokenIds.map((id) => data[offset + id]));
      });
    } finally {
      for (const tensor of Object.values(outputs)) tensor?.dispose?.();
      inputs.input_ids.dispose();
      inputs.attention_mask.dispose();
    }
  }
}
