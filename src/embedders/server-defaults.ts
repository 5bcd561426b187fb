import os from 'node:os';

/**
 * Embedding defaults for a long-running server (`routellm serve`), as environment variables that
 * every use-lite embedder it builds reads; a value already set (by a flag or the user) wins:
 *
 * - `ROUTELLM_EMBED_WORKERS`: with more than one core, the model runs on worker threads (one per
 *   core beyond the first, at most 4), so the event loop keeps answering (`/health`, streams)
 *   while prompts are embedded.
 * - `ROUTELLM_EMBED_BATCH_MS` = 2: concurrent requests' prompts are merged into batches.
 */
export function applyServerEmbeddingDefaults(environment: NodeJS.ProcessEnv = process.env, cores = os.availableParallelism()): void {
  if (!environment.ROUTELLM_EMBED_WORKERS?.trim() && cores > 1) environment.ROUTELLM_EMBED_WORKERS = String(Math.min(cores - 1, 4));
  if (!environment.ROUTELLM_EMBED_BATCH_MS?.trim()) environment.ROUTELLM_EMBED_BATCH_MS = '2';
}
