import { z } from 'zod';
import { InvalidOptionsError } from './errors.js';

/**
 * Validates `value` against `schema`; a failure throws `InvalidOptionsError` whose message is
 * zod's readable report, prefixed by what was being validated.
 */
export function parseOptions<Schema extends z.ZodType>(schema: Schema, value: unknown, subject: string): z.output<Schema> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new InvalidOptionsError(subject, z.prettifyError(result.error));
  return result.data;
}
