/** A seeded source of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * A small, fast seeded PRNG (mulberry32). The same seed gives the same sequence on every platform.
 * Any finite number works as a seed (it is hashed to 32 bits).
 */
export function createRng(seed: number): Rng {
  return mulberry32(hashSeed(seed));
}

/** The mulberry32 generator started from a raw 32-bit state (no seed hashing). */
export function mulberry32(initialState: number): Rng {
  let state = initialState | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashSeed(seed: number): number {
  let h = Math.floor(seed) ^ 0x9e3779b9;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** A uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** A standard normal sample (Box-Muller). */
export function gaussian(rng: Rng): number {
  let u = rng();
  while (u <= Number.EPSILON) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Shuffles `items` in place (Fisher-Yates) and returns it. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const swap = items[i];
    items[i] = items[j];
    items[j] = swap;
  }
  return items;
}

/** A shuffled copy of `items`. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  return shuffleInPlace([...items], rng);
}

/** `count` distinct indices from [0, n), in random order (all of them when count >= n). */
export function sampleIndices(n: number, count: number, rng: Rng): number[] {
  const indices = Array.from({ length: n }, (_, i) => i);
  if (count >= n) return shuffleInPlace(indices, rng);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const swap = indices[i];
    indices[i] = indices[j];
    indices[j] = swap;
  }
  return indices.slice(0, count);
}
