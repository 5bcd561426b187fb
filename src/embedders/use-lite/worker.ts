/**
 * Entry of a `use-lite` worker thread: loads the model from the files in `workerData` (the int16
 * forward pass, or the graph into this thread's own tfjs) and answers `{ id, rows }` messages with
 * `{ id, vectors }` (or `{ id, error }`).
 * Built as its own file (`dist/use-lite-worker.js`) so a bundle can start it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, type BackendPreference } from '../../core/backend.js';
import { int16KernelAvailable } from '../../core/int16-matrix.js';
import { loadUseLiteRunner, type UseLiteRunner } from './runner.js';
import type { WorkerRequest, WorkerResponse, WorkerStart } from './worker-pool.js';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('use-lite worker: start me with new Worker()');
  const start = workerData as WorkerStart;
  let graph: UseLiteRunner;
  try {
    // The graph (exact, or the fallback where wasm SIMD is missing) runs on the backend the main thread chose.
    if (start.exact || !int16KernelAvailable()) await initBackend(start.backend as BackendPreference | undefined);
    graph = await loadUseLiteRunner(start.files, start.exact);
  } catch (error) {
    port.postMessage({ id: -1, error: error instanceof Error ? error.message : String(error) } satisfies WorkerResponse);
    return;
  }
  port.on('message', (request: WorkerRequest) => {
    graph.embedTokens(request.rows).then(
      (vectors) => port.postMessage({ id: request.id, vectors } satisfies WorkerResponse, [vectors.buffer as ArrayBuffer]),
      (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies WorkerResponse),
    );
  });
  port.postMessage({ id: -1 } satisfies WorkerResponse);
}

void main();
