import type { Embedder } from '../embedders/types.js';
import { ProgressBar } from './progress.js';

/** Options of `embedPrompts`. */
export interface EmbedPromptsOptions {
  /** Prompts per `embed()` call. Default 256. */
  chunk?: number;
  /** Shows a progress bar on stderr with this label. */
  progressLabel?: string;
  /** Called after each chunk with the number of prompts embedded so far. */
  onProgress?: (done: number, total: number) => void;
}

/** Embeds prompts chunk by chunk into one row-major `prompts.length x dimension` array (the trainers' embedding step). */
export async function embedPrompts(embedder: Embedder, prompts: readonly string[], options: EmbedPromptsOptions = {}): Promise<Float32Array> {
  const chunk = options.chunk ?? 256;
  const out = new Float32Array(prompts.length * embedder.dimension);
  const bar = options.progressLabel !== undefined ? new ProgressBar(prompts.length, { label: options.progressLabel }) : undefined;
  for (let start = 0; start < prompts.length; start += chunk) {
    const slice = prompts.slice(start, start + chunk);
    out.set(await embedder.embed(slice), start * embedder.dimension);
    bar?.update(start + slice.length);
    options.onProgress?.(start + slice.length, prompts.length);
  }
  bar?.finish();
  return out;
}
