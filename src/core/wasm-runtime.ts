/**
 * The few WebAssembly JS API calls the SIMD kernels of src/core need. The project's TypeScript
 * libraries (ES2022 + Node, no DOM) do not declare the WebAssembly global, so its used part is typed
 * here.
 */

/** A WebAssembly linear memory (64 KiB pages). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}

/** Bytes per WebAssembly page. */
export const WASM_PAGE_BYTES = 65536;

const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
const compiled = new Map<string, object | null>();

/**
 * Compiles a kernel module (base64 bytes, cached per module) or returns undefined where the runtime
 * cannot: no WebAssembly, or no SIMD (validation fails).
 */
function compile(base64: string): object | undefined {
  if (!compiled.has(base64)) {
    try {
      compiled.set(base64, api ? new api.Module(Buffer.from(base64, 'base64')) : null);
    } catch {
      compiled.set(base64, null);
    }
  }
  return compiled.get(base64) ?? undefined;
}

/** Whether the kernel in `base64` can run here. */
export function kernelAvailable(base64: string): boolean {
  return compile(base64) !== undefined;
}

/**
 * A new instance of a kernel module importing `env.memory`, with a memory of `pages` pages
 * (growable up to `maximumPages`). Returns undefined where the kernel cannot run.
 */
export function instantiateKernel<Exports>(base64: string, pages: number, maximumPages?: number): { exports: Exports; memory: WasmMemory } | undefined {
  if (!compile(base64) || !api) return undefined;
  const memory = new api.Memory(maximumPages === undefined ? { initial: pages } : { initial: pages, maximum: maximumPages });
  return instantiateOn<Exports>(base64, memory);
}

/**
 * A new instance of a kernel module on an existing memory (so that kernels read each other's
 * results in place). Returns undefined where the kernel cannot run.
 */
export function instantiateOn<Exports>(base64: string, memory: WasmMemory): { exports: Exports; memory: WasmMemory } | undefined {
  const module = compile(base64);
  if (!module || !api) return undefined;
  const instance = new api.Instance(module, { env: { memory } });
  return { exports: instance.exports as Exports, memory };
}
