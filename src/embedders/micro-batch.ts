import { z } from 'zod';
import { parseOptions } from '../options.js';
import { assertTextArray, type Embedder } from './types.js';

/** Options of `withMicroBatching`. */
export const microBatchOptionsSchema = z
  .object({
    /**
     * How long (ms) the first waiting call holds its texts for others to join. A server's concurrent
     * requests arrive within a few ms of each other; 0 still merges the calls made in the same
     * tick. Default 2.
     */
    windowMs: z.number().min(0).max(1000).default(2),
    /** A batch is sent at once when it holds this many texts (a call is never split). Default 64. */
    maxTexts: z.number().int().min(1).max(100_000).default(64),
  })
  .strict();

/** Options of `withMicroBatching` (see `microBatchOptionsSchema`). */
export type MicroBatchOptions = z.input<typeof microBatchOptionsSchema>;

/** Callers resolved between yields to the event loop. */
const RESOLVE_SLICE = 4;

interface Waiting {
  texts: readonly string[];
  resolve(vectors: Float32Array): void;
  reject(error: unknown): void;
}

/**
 * Wraps an embedder so that concurrent `embed()` calls are merged into one call of the inner
 * embedder: the first call waits up to `windowMs` for others, and the merged batch goes out at once
 * when it reaches `maxTexts`. Each caller gets its own rows back, in its input order. A batched
 * model (USE-lite) costs less per text in one call of many than in many calls of one, so a server
 * under concurrency gets batches without any change to its request code.
 *
 * Input is checked per call (a bad call fails alone); a failure of the merged call fails every call
 * in it. `dispose()` sends the calls still waiting, waits for every merged call in flight, then disposes
 * the inner embedder.
 */
export function withMicroBatching(inner: Embedder, options: MicroBatchOptions = {}): Embedder {
  const settings = parseOptions(microBatchOptionsSchema, options, 'micro-batching options');
  let waiting: Waiting[] = [];
  let waitingTexts = 0;
  let timer: NodeJS.Timeout | undefined;
  /** Merged calls sent to the inner embedder and not yet answered. */
  const inFlight = new Set<Promise<unknown>>();

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = waiting;
    waiting = [];
    waitingTexts = 0;
    if (batch.length === 0) return;
    const texts = batch.length === 1 ? batch[0].texts : batch.flatMap((call) => call.texts);
    const sent = Promise.resolve()
      .then(() => inner.embed(texts))
      .then(
      (vectors) => {
        // Each caller's work after its vectors runs as soon as they are resolved; a few callers at
        // a time, with the event loop free in between, keep a server answering (/health, streams).
        const deliver = (first: number, row: number) => {
          const end = Math.min(first + RESOLVE_SLICE, batch.length);
          for (let index = first; index < end; index++) {
            const rows = batch[index].texts.length;
            batch[index].resolve(vectors.slice(row * inner.dimension, (row + rows) * inner.dimension));
            row += rows;
          }
          if (end < batch.length) setImmediate(() => deliver(end, row));
        };
        deliver(0, 0);
      },
      (error: unknown) => {
        for (const call of batch) call.reject(error);
      },
    );
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  };

  return {
    id: inner.id,
    dimension: inner.dimension,
    embed(texts: readonly string[]): Promise<Float32Array> {
      try {
        assertTextArray(texts);
      } catch (error) {
        return Promise.reject(error);
      }
      if (texts.length === 0) return Promise.resolve(new Float32Array(0));
      // A call that would push the batch past the bound goes in the next one.
      if (waitingTexts > 0 && waitingTexts + texts.length > settings.maxTexts) flush();
      const result = new Promise<Float32Array>((resolve, reject) => waiting.push({ texts, resolve, reject }));
      waitingTexts += texts.length;
      if (waitingTexts >= settings.maxTexts) flush();
      else if (!timer) timer = setTimeout(flush, settings.windowMs);
      return result;
    },
    async dispose(): Promise<void> {
      flush();
      // The inner embedder is freed only once no merged call is using it.
      await Promise.allSettled([...inFlight]);
      await inner.dispose();
    },
  };
}
