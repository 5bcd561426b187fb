import type { Attempted } from './fallback.js';

/** A stream part of either specification version, as far as routing reads it. */
export interface StreamPart {
  type: string;
  error?: unknown;
}

/** Parts a model sends before its answer: nothing the caller reads as content yet. */
const PRELUDE = new Set(['stream-start', 'response-metadata', 'raw']);

/**
 * Reads `stream` up to its first part of content (anything but `stream-start`, metadata and raw
 * chunks). A stream that failed before it (an `error` part, or a read that rejected) is a
 * failure that can still fall back: nothing was sent to the caller. Either way the value is a
 * stream that replays what was read, then reads on (`cancel` cancels the model's stream).
 */
export async function untilFirstPart<Part extends StreamPart>(stream: ReadableStream<Part>): Promise<Attempted<ReadableStream<Part>>> {
  const reader = stream.getReader();
  const read: Part[] = [];
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch (error) {
      return { ok: false, error, value: replay(read, reader, { error }) };
    }
    if (next.done) return { ok: true, value: replay(read, reader) };
    read.push(next.value);
    if (PRELUDE.has(next.value.type)) continue;
    const value = replay(read, reader);
    return next.value.type === 'error' ? { ok: false, error: next.value.error, value } : { ok: true, value };
  }
}

/** `parts`, then the rest of `reader` (or `rejected.error` in place of the rest). */
function replay<Part>(parts: readonly Part[], reader: ReadableStreamDefaultReader<Part>, rejected?: { error: unknown }): ReadableStream<Part> {
  return new ReadableStream<Part>({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      if (rejected) controller.error(rejected.error);
    },
    async pull(controller) {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason).catch(() => undefined),
  });
}
