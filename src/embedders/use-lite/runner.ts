import { UseLiteGraph, type GraphModelFiles } from '../../core/use-lite.js';
import { UseLiteInt16 } from '../../core/use-lite-int16.js';

/** What runs the model on token rows: the tfjs graph, the int16 forward pass, or the worker pool. */
export interface UseLiteRunner {
  embedTokens(rows: readonly ArrayLike<number>[]): Promise<Float32Array>;
  dispose(): void | Promise<void>;
}

/**
 * Loads the model in this thread: the int16 WebAssembly forward pass, or the float32 tfjs graph
 * when `exact` is set or WebAssembly SIMD is missing.
 */
export async function loadUseLiteRunner(files: GraphModelFiles, exact: boolean): Promise<UseLiteRunner> {
  const fast = exact ? undefined : UseLiteInt16.load(files);
  if (!fast) return UseLiteGraph.load(files);
  return {
    embedTokens: async (rows) => fast.embedTokens(rows),
    dispose: () => fast.dispose(),
  };
}
