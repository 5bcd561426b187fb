import { Worker } from 'node:worker_threads';
import { backendInfo } from '../../core/backend.js';
import type { GraphModelFiles } from '../../core/use-lite.js';
import { BackendError } from '../../errors.js';

/** What a worker is started with. */
export interface WorkerStart {
  files: GraphModelFiles;
  /** The backend the calling thread was told to use, if any (else the worker picks as usual). */
  backend?: string;
  /** Run the float32 tfjs graph rather than the int16 forward pass. */
  exact: boolean;
}
/** A batch for a worker. */
export interface WorkerRequest {
  id: number;
  rows: number[][];
}
/** A worker's answer; id -1 says the worker is ready, or (with `error`) that it could not start. */
export interface WorkerResponse {
  id: number;
  vectors?: Float32Array;
  error?: string;
}

interface Job {
  rows: number[][];
  resolve(vectors: Float32Array): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  job?: Job;
}

/**
 * Starts the worker entry. From the TypeScript sources (tests, tsx) it is registered through
 * tsx, which the worker thread does not inherit; from the bundle it is `use-lite-worker.js`
 * (or `.cjs`) next to the chunk that holds this code.
 */
function spawnWorker(start: WorkerStart): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL('./worker.ts', here).href;
    const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(bootstrap, { eval: true, workerData: start });
  }
  return new Worker(new URL(here.endsWith('.cjs') ? './use-lite-worker.cjs' : './use-lite-worker.js', here), { workerData: start });
}

/**
 * Worker threads that each hold a copy of the USE-lite model. `embedTokens` queues a batch and
 * resolves when a worker has embedded it; batches run in parallel, one per worker. A worker that
 * dies fails its batch with a `BackendError` and is replaced by the next batch that needs it.
 */
export class UseLiteWorkerPool {
  /** Workers that have loaded the graph and take batches. */
  private readonly slots = new Set<Slot>();
  /** Every live worker thread, loading or ready. */
  private readonly threads = new Set<Worker>();
  /** Workers still loading the graph. */
  private starting = 0;
  private readonly queue: Job[] = [];
  private nextId = 0;
  private disposed = false;

  private constructor(
    private readonly size: number,
    private readonly start: WorkerStart,
  ) {}

  /** Starts `size` workers and waits until each has loaded the graph (the first failure rejects, after stopping the others). */
  static async start(size: number, files: GraphModelFiles, exact = false): Promise<UseLiteWorkerPool> {
    const info = backendInfo();
    const pool = new UseLiteWorkerPool(size, { files, exact, ...(info?.forced ? { backend: info.name } : {}) });
    try {
      await Promise.all(Array.from({ length: size }, () => pool.addWorker()));
    } catch (error) {
      await pool.dispose();
      throw error;
    }
    return pool;
  }

  /** Number of live workers. */
  get workerCount(): number {
    return this.slots.size;
  }

  /** Embeds token rows on the next free worker. */
  embedTokens(rows: readonly ArrayLike<number>[]): Promise<Float32Array> {
    if (this.disposed) return Promise.reject(new BackendError('use-lite workers', 'The use-lite worker pool was disposed.'));
    return new Promise((resolve, reject) => {
      this.queue.push({ rows: rows.map((row) => Array.from(row)), resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker (loading ones too); queued and running batches fail. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const stopped = new BackendError('use-lite workers', 'The use-lite worker pool was disposed.');
    for (const job of this.queue.splice(0)) job.reject(stopped);
    for (const slot of this.slots) slot.job?.reject(stopped);
    this.slots.clear();
    const threads = [...this.threads];
    this.threads.clear();
    await Promise.all(threads.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    if (this.disposed) return;
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      // A busy worker keeps the process alive until its answer arrives; an idle one does not.
      slot.worker.ref();
      slot.worker.postMessage({ id: this.nextId++, rows: job.rows } satisfies WorkerRequest);
    }
    // Replace workers that died, while there is work for them (one replacement per missing worker).
    if (this.queue.length > 0 && this.slots.size + this.starting < this.size) {
      this.addWorker().then(
        () => this.dispatch(),
        (error: Error) => {
          for (const job of this.queue.splice(0)) job.reject(error);
        },
      );
    }
  }

  private addWorker(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = spawnWorker(this.start);
      this.threads.add(worker);
      this.starting++;
      const slot: Slot = { worker };
      let ready = false;
      let dead = false;
      const fail = (message: string, cause?: unknown) => {
        if (dead) return;
        dead = true;
        if (!ready) this.starting--;
        this.slots.delete(slot);
        this.threads.delete(worker);
        const error = new BackendError('use-lite workers', message, { cause });
        if (!ready) reject(error);
        slot.job?.reject(error);
        slot.job = undefined;
        void worker.terminate();
        this.dispatch();
      };
      worker.on('message', (response: WorkerResponse) => {
        if (response.id === -1) {
          if (response.error !== undefined) return fail(`A use-lite worker could not load the model: ${response.error}`);
          ready = true;
          this.starting--;
          if (this.disposed) {
            reject(new BackendError('use-lite workers', 'The use-lite worker pool was disposed.'));
            return;
          }
          this.slots.add(slot);
          worker.unref();
          resolve();
          return;
        }
        const job = slot.job;
        slot.job = undefined;
        worker.unref();
        if (response.error !== undefined) job?.reject(new BackendError('use-lite workers', `use-lite worker failed on a batch: ${response.error}`));
        else job?.resolve(response.vectors!);
        this.dispatch();
      });
      worker.on('error', (error) => fail(`A use-lite worker thread crashed: ${error.message}`, error));
      worker.on('exit', (code) => {
        if (!this.disposed) fail(`A use-lite worker thread exited with code ${code}.`);
      });
    });
  }
}
