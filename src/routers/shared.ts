/** Pieces shared by the routers' option handling. */
import { z } from 'zod';
import { findModel } from '../data/models.js';
import type { Embedder } from '../embedders/types.js';
import { UnknownModelError } from '../errors.js';

/** Router option holding an `Embedder` object (an object with id, dimension and embed()). */
export const embedderSchema = z.custom<Embedder>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Embedder).embed === 'function' &&
    typeof (value as Embedder).id === 'string' &&
    Number.isInteger((value as Embedder).dimension),
  { message: 'expected an Embedder (an object with id, dimension and embed())' },
);

/** Position of `name` (a model name, an alias, or a key of `mapping`) in `models`; throws `UnknownModelError`. */
export function resolveModel(models: readonly string[], name: string, mapping: Readonly<Record<string, string>> = {}): number {
  const index = findModel(models, name, mapping);
  if (index < 0) throw new UnknownModelError(name, models);
  return index;
}
