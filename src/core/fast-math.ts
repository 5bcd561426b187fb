/**
 * Element-wise float32 math over large arrays with small WebAssembly SIMD kernels (wasm/*.wat),
 * with a plain JavaScript fallback where WebAssembly SIMD is missing.
 */
import { instantiateKernel, WASM_PAGE_BYTES, type WasmMemory } from './wasm-runtime.js';
import { EXP_AFFINE_WASM_BASE64 } from './wasm/exp-affine.wasm.js';

/** The exports of wasm/exp-affine.wat (addresses are byte offsets into its memory). */
export interface ExpExports {
  expAffine(values: number, count: number, offset: number, slope: number, out: number): void;
}

/** One instance for the process; its memory grows to the largest call (2 x 4 bytes per value) and stays. */
let kernel: { exports: ExpExports; memory: WasmMemory } | null | undefined;

function expKernel(): { exports: ExpExports; memory: WasmMemory } | undefined {
  if (kernel === undefined) kernel = instantiateKernel<ExpExports>(EXP_AFFINE_WASM_BASE64, 1) ?? null;
  return kernel ?? undefined;
}

/** The kernel's clamps (float32 -87.3 and 88.3). */
const EXP_LOW = Math.fround(-87.3);
const EXP_HIGH = Math.fround(88.3);

/**
 * `out[i] = exp(offset + slope * values[i])`, in float32: `offset` and `slope` are rounded to
 * float32 and the argument is computed in float32 (so its rounding, ~6e-8 |argument|, adds to the
 * ~2e-7 relative error of the exponential itself). Arguments above 88.3 give +Infinity, below -87.3 give 0 (both
 * within float32 range limits), NaN gives NaN. Returns `out` (default: a new array).
 */
export function expAffine(values: Float32Array, offset: number, slope: number, out: Float32Array = new Float32Array(values.length)): Float32Array {
  if (out.length < values.length) throw new RangeError(`expAffine: out has ${out.length} slots for ${values.length} values`);
  const count = values.length;
  const wasm = expKernel();
  if (!wasm) {
    // The same float32 argument and the same clamps as the kernel.
    const offset32 = Math.fround(offset);
    const slope32 = Math.fround(slope);
    for (let i = 0; i < count; i++) {
      const argument = Math.fround(offset32 + Math.fround(slope32 * values[i]));
      out[i] = argument > EXP_HIGH ? Infinity : argument < EXP_LOW ? 0 : Math.exp(argument);
    }
    return out;
  }
  const padded = Math.ceil(count / 4) * 4;
  const needed = padded * 8;
  const have = wasm.memory.buffer.byteLength;
  if (needed > have) wasm.memory.grow(Math.ceil((needed - have) / WASM_PAGE_BYTES));
  const buffer = wasm.memory.buffer;
  new Float32Array(buffer, 0, count).set(values);
  wasm.exports.expAffine(0, padded, offset, slope, padded * 4);
  out.set(new Float32Array(buffer, padded * 4, count));
  return out;
}
