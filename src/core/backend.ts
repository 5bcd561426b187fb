/**
 * Backend selection for the scoring core. This folder (src/core) is the only place in the
 * library that imports TensorFlow.js.
 *
 * Order in `auto` mode: `@tensorflow/tfjs-node-gpu` (CUDA), `@tensorflow/tfjs-node` (native CPU),
 * both optional peers found at run time; then the wasm backend (SIMD when the runtime has it);
 * then the plain JavaScript `cpu` backend. `ROUTELLM_BACKEND` or the `backend` option forces one.
 *
 * TensorFlow.js itself is imported on the first `initBackend()` / `getTf()`, not when the library
 * is imported: about 0.45 s that code paths without tensors (the CLI's help, the random router,
 * calibration from given scores, the server's plumbing) never pay.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfConverter from '@tensorflow/tfjs-converter';
import type * as TfWasm from '@tensorflow/tfjs-backend-wasm';
import { BackendError } from '../errors.js';
import { registerTrainingGradients } from './gradients.js';

/**
 * The TensorFlow.js pieces routellm runs: tfjs-core (ops, optimisers), the converter's graph
 * loader (USE-lite's exact graph; imported on its first call) and the cpu backend; wasm is
 * imported when it is tried.
 */
export type Tfjs = typeof TfCore & { loadGraphModel: typeof TfConverter.loadGraphModel };
type TF = Tfjs;

/** A backend the user can ask for. `auto` picks the fastest one installed. */
export type BackendPreference = 'auto' | 'node-gpu' | 'node' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'node-gpu', 'node', 'wasm', 'cpu'];

/** What is running and why. */
export interface BackendInfo {
  /** The backend in use. */
/** The backend in use. */
  name: Exclude<BackendPreference, 'auto'>;
  /** The tfjs backend name (`tensorflow`, `wasm`, `cpu`). */
  tfjsBackend: string;
  /** Why this one was chosen, and what was tried before it. */
  reason: string;
  /** Whether it was forced by an option or `ROUTELLM_BACKEND`. */
  forced: boolean;
}

const requireFromHere = createRequire(import.meta.url);
const NATIVE_PACKAGES = { 'node-gpu': '@tensorflow/tfjs-node-gpu', node: '@tensorflow/tfjs-node' } as const;

let current: BackendInfo | undefined;
let wasmPathsSet = false;
let tf: TF | undefined;
let loading: Promise<TF> | undefined;

/** Imports TensorFlow.js once (production mode: no per-op checks). */
function loadTf(): Promise<TF> {
  loading ??= (async () => {
    // `require`, not `import()`: these are CommonJS bundles of up to 1.2 MB, and an ESM import scans
    // each for its export names first (about 0.3 s of a CLI start, where require takes 0.1 s).
    const core = requireFromHere('@tensorflow/tfjs-core') as typeof TfCore;
    // Loading the package registers the cpu backend with tfjs-core.
    requireFromHere('@tensorflow/tfjs-backend-cpu');
    core.enableProdMode();
    registerTrainingGradients(core);
    // The converter (about 0.1 s to load) only loads USE-lite's exact graph: loaded on that first call.
    const loadGraphModel: Tfjs['loadGraphModel'] = (...args) => (requireFromHere('@tensorflow/tfjs-converter') as typeof TfConverter).loadGraphModel(...args);
    tf = { ...core, loadGraphModel };
    return tf;
  })();
  return loading;
}

function readPreference(explicit?: BackendPreference): { preference: BackendPreference; forced: boolean } {
  if (explicit && explicit !== 'auto') return { preference: explicit, forced: true };
  const fromEnv = process.env.ROUTELLM_BACKEND?.trim().toLowerCase();
  if (fromEnv && fromEnv !== 'auto') {
    if (!(BACKEND_PREFERENCES as readonly string[]).includes(fromEnv)) {
      throw new BackendError(
        fromEnv,
        `ROUTELLM_BACKEND="${fromEnv}" is not a backend. Use one of: ${BACKEND_PREFERENCES.join(', ')}.`,
      );
    }
    return { preference: fromEnv as BackendPreference, forced: true };
  }
  return { preference: 'auto', forced: false };
}

async function tryNative(kind: 'node-gpu' | 'node'): Promise<string | undefined> {
  const pkg = NATIVE_PACKAGES[kind];
  try {
    // A present but broken install throws a plain Error, not MODULE_NOT_FOUND: catch everything.
    requireFromHere(pkg);
  } catch (error) {
    const missing = (error as { code?: string }).code === 'MODULE_NOT_FOUND';
    return missing ? `${pkg} is not installed` : `${pkg} failed to load: ${(error as Error).message}`;
  }
  const ok = await (await loadTf()).setBackend('tensorflow').catch(() => false);
  return ok ? undefined : `${pkg} loaded but its 'tensorflow' backend did not start`;
}

const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Runs `start` and removes the rethrowing `uncaughtException` / `unhandledRejection` listeners it added.
 * The wasm backend's Emscripten glue installs listeners that rethrow every error: they override an
 * application's own handlers (a server that logs and carries on would die) and make Node print the
 * glue's whole minified source line with any uncaught error. Node's defaults are kept instead.
 */
async function withoutProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  // As a plain EventEmitter: process's own typings overload listeners() per event name.
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(PROCESS_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  try {
    return await start();
  } finally {
    for (const event of PROCESS_EVENTS) {
      for (const listener of emitter.listeners(event)) {
        // Only the glue's rethrowing listeners: an application's own handler added meanwhile stays.
        if (!before.get(event)!.has(listener) && /\bthrow\b/.test(String(listener))) {
          emitter.removeListener(event, listener as (...args: unknown[]) => void);
        }
      }
    }
  }
}

async function tryWasm(): Promise<string | undefined> {
  try {
    const tfjs = await loadTf();
    if (!wasmPathsSet) {
      // Importing the package registers the 'wasm' backend with tfjs.
      const { setWasmPaths } = requireFromHere('@tensorflow/tfjs-backend-wasm') as typeof TfWasm;
      const entry = requireFromHere.resolve('@tensorflow/tfjs-backend-wasm');
      setWasmPaths(path.dirname(entry) + path.sep);
      wasmPathsSet = true;
    }
    // After a failed setBackend('wasm'), getBackend() still says 'wasm': trust the boolean only.
    const ok = await withoutProcessHandlers(() => tfjs.setBackend('wasm'));
    return ok ? undefined : 'the wasm backend failed to start';
  } catch (error) {
    return `the wasm backend failed to start: ${(error as Error).message}`;
  }
}

async function select(preference: BackendPreference, forced: boolean): Promise<BackendInfo> {
  const tfjs = await loadTf();
  const tried: string[] = [];
  const candidates: Exclude<BackendPreference, 'auto'>[] =
    preference === 'auto' ? ['node-gpu', 'node', 'wasm', 'cpu'] : [preference];
  for (const name of candidates) {
    let failure: string | undefined;
    if (name === 'node-gpu' || name === 'node') failure = await tryNative(name);
    else if (name === 'wasm') failure = await tryWasm();
    else failure = (await tfjs.setBackend('cpu')) ? undefined : 'the cpu backend failed to start';
    if (failure === undefined) {
      const reason = forced
        ? 'forced by the backend option or ROUTELLM_BACKEND'
        : tried.length
          ? `auto: ${tried.join('; ')}`
          : 'auto: first choice available';
      return { name, tfjsBackend: tfjs.getBackend(), reason, forced };
    }
    if (forced) {
      const install =
        name === 'node' || name === 'node-gpu'
          ? ` Install it with \`npm install ${NATIVE_PACKAGES[name]}@^4.22.0\` (it downloads libtensorflow at install time).`
          : '';
      throw new BackendError(name, `Backend "${name}" was asked for but ${failure}.${install}`);
    }
    tried.push(failure);
  }
  throw new BackendError(preference, `No tensor backend could be started: ${tried.join('; ')}`);
}

/**
 * Starts (or switches) the tensor backend. Safe to call many times and concurrently: without an
 * argument it keeps the backend already running. Returns what runs and why.
 */
export function initBackend(preference?: BackendPreference): Promise<BackendInfo> {
  const run = queue.then(() => initNow(preference));
  queue = run.catch(() => undefined);
  return run;
}

let queue: Promise<unknown> = Promise.resolve();

async function initNow(preference?: BackendPreference): Promise<BackendInfo> {
  const tfjs = await loadTf();
  const running = current && tfjs.getBackend() === current.tfjsBackend ? current : undefined;
  if (running && preference === undefined) return running;
  const { preference: wanted, forced } = readPreference(preference);
  if (running && (wanted === running.name || (wanted === 'auto' && !running.forced))) return running;
  const info = await select(wanted, forced);
  await tfjs.ready();
  current = info;
  return info;
}


/** The backend in use, or undefined before the first `initBackend()`. */
export function backendInfo(): BackendInfo | undefined {
  return current;
}

/** The TensorFlow.js namespace, after the backend is ready. For use inside src/core only. */
export async function getTf(): Promise<TF> {
  await initBackend();
  return tf!;
}

/**
 * The TensorFlow.js namespace for synchronous code that runs only after `getTf()` (tensors
 * exist). For use inside src/core only.
 */
export function loadedTf(): TF {
  if (!tf || !current) throw new BackendError('auto', 'the tensor backend is not started yet: call initBackend() (or getTf()) first');
  return tf;
}

/** Number of live tensors: for leak tests. */
export function liveTensorCount(): number {
  return current && tf ? tf.memory().numTensors : 0;
}
