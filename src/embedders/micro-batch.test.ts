import { describe, expect, it } from 'vitest';
import { InvalidInputError, InvalidOptionsError } from '../errors.js';
import { withMicroBatching } from './micro-batch.js';
import { applyServerEmbeddingDefaults } from './server-defaults.js';
import type { Embedder } from './types.js';

/** A 2-d embedder whose vector is (text length, first char code); records the size of every call. */
function recordingEmbedder(failOn?: string): Embedder & { calls: number[] } {
  const calls: number[] = [];
  return {
    id: 'recording',
    dimension: 2,
    calls,
    async embed(texts) {
      calls.push(texts.length);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (failOn !== undefined && texts.includes(failOn)) throw new Error(`cannot embed ${failOn}`);
      return Float32Array.from(texts.flatMap((text) => [text.length, text.charCodeAt(0) || 0]));
    },
    dispose: () => undefined,
  };
}

const expected = (texts: string[]) => Float32Array.from(texts.flatMap((text) => [text.length, text.charCodeAt(0) || 0]));

describe('withMicroBatching', () => {
  it('merges concurrent calls into one inner call and gives each caller its own rows', async () => {
    const inner = recordingEmbedder();
    const batched = withMicroBatching(inner, { windowMs: 20 });
    expect(batched.id).toBe('recording');
    const groups = [['a'], ['bb', 'ccc'], [], ['dddd']];
    const results = await Promise.all(groups.map((group) => batched.embed(group)));
    expect(inner.calls).toEqual([4]);
    results.forEach((vectors, index) => expect(vectors).toEqual(expected(groups[index])));
    // Later calls form a new batch.
    expect(await batched.embed(['e'])).toEqual(expected(['e']));
    expect(inner.calls).toEqual([4, 1]);
  });

  it('sends a batch as soon as it reaches maxTexts, never splitting a call', async () => {
    const inner = recordingEmbedder();
    const batched = withMicroBatching(inner, { windowMs: 1000, maxTexts: 3 });
    const pending = Promise.all([batched.embed(['a', 'b']), batched.embed(['c', 'd']), batched.embed(['e']), batched.embed(['f', 'g', 'h', 'i'])]);
    // [a b] waits; [c d] would pass 3 so [a b] goes; [c d] + [e] reach 3 and go; [f g h i] alone.
    // All three leave in this turn of the event loop, before the window's timer can fire.
    await new Promise((resolve) => setImmediate(resolve));
    expect(inner.calls).toEqual([2, 3, 4]);
    const results = await pending;
    expect(results[3]).toEqual(expected(['f', 'g', 'h', 'i']));
    await batched.dispose();
    expect(inner.calls).toEqual([2, 3, 4]);
  });

  it('fails a bad call alone, and fails every call of a merged batch the inner embedder fails', async () => {
    const inner = recordingEmbedder('boom');
    const batched = withMicroBatching(inner, { windowMs: 10 });
    const bad = batched.embed(['fine', 3] as unknown as string[]);
    const good = batched.embed(['ok']);
    await expect(bad).rejects.toBeInstanceOf(InvalidInputError);
    expect(await good).toEqual(expected(['ok']));
    const failing = [batched.embed(['boom']), batched.embed(['innocent'])];
    for (const call of failing) await expect(call).rejects.toThrow(/cannot embed boom/);
    expect(await batched.embed(['after'])).toEqual(expected(['after']));
  });

  it('sends waiting calls on dispose, and rejects bad options', async () => {
    const inner = recordingEmbedder();
    const batched = withMicroBatching(inner, { windowMs: 1000 });
    const waiting = batched.embed(['x']);
    await batched.dispose();
    expect(await waiting).toEqual(expected(['x']));
    expect(() => withMicroBatching(inner, { windowMs: -1 })).toThrow(InvalidOptionsError);
    expect(() => withMicroBatching(inner, { maxTexts: 0 })).toThrow(/maxTexts/);
  });

  it('disposes the inner embedder only after the merged calls in flight are answered', async () => {
    const events: string[] = [];
    const inner = recordingEmbedder();
    const slow: Embedder = {
      ...inner,
      embed: async (texts) => {
        const vectors = await inner.embed(texts);
        events.push('embedded');
        return vectors;
      },
      dispose: () => {
        events.push('disposed');
      },
    };
    const batched = withMicroBatching(slow, { maxTexts: 1 });
    const sent = batched.embed(['y']);
    await batched.dispose();
    expect(events).toEqual(['embedded', 'disposed']);
    expect(await sent).toEqual(expected(['y']));
  });
});

describe('applyServerEmbeddingDefaults', () => {
  it('runs use-lite off the event loop when there is a second core, and merges concurrent prompts; explicit settings win', () => {
    const environment: NodeJS.ProcessEnv = {};
    applyServerEmbeddingDefaults(environment, 2);
    expect(environment).toEqual({ ROUTELLM_EMBED_WORKERS: '1', ROUTELLM_EMBED_BATCH_MS: '2' });
    const many: NodeJS.ProcessEnv = {};
    applyServerEmbeddingDefaults(many, 32);
    expect(many.ROUTELLM_EMBED_WORKERS).toBe('4');
    const single: NodeJS.ProcessEnv = {};
    applyServerEmbeddingDefaults(single, 1);
    expect(single).toEqual({ ROUTELLM_EMBED_BATCH_MS: '2' });
    const chosen: NodeJS.ProcessEnv = { ROUTELLM_EMBED_WORKERS: '0', ROUTELLM_EMBED_BATCH_MS: '7' };
    applyServerEmbeddingDefaults(chosen, 8);
    expect(chosen).toEqual({ ROUTELLM_EMBED_WORKERS: '0', ROUTELLM_EMBED_BATCH_MS: '7' });
  });
});
