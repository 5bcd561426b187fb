/** Pieces shared by the routers' option handling. */
import { findModel } from '../data/models.js';
import { UnknownModelError } from '../errors.js';

/** Position of `name` (a model name, an alias, or a key of `mapping`) in `models`; throws `UnknownModelError`. */
export function modelPosition(models: readonly string[], name: string, mapping: Readonly<Record<string, string>> = {}): number {
  const index = findModel(models, name, mapping);
  if (index < 0) throw new UnknownModelError(name, models);
  return index;
}
