import { z } from 'zod';
import type { Embedder } from '../embedders/types.js';

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
