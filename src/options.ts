import { z } from 'zod';
import { InvalidOptionsError } from './errors.js';
import { pythonOptionsHint } from './python-options.js';

/**
 * Validates `value` against `schema`; a failure throws `InvalidOptionsError` whose message is
 * zod's readable report, prefixed by what was being validated.
 */
export function parseOptions<Schema extends z.ZodType>(schema: Schema, value: unknown, subject: string): z.output<Schema> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const unrecognized = result.error.issues.flatMap((issue) => (issue.code === 'unrecognized_keys' ? issue.keys : []));
    const hint = pythonOptionsHint(unrecognized);
    throw new InvalidOptionsError(subject, z.prettifyError(result.error) + (hint ? `\n${hint}` : ''));
  }
  return result.data;
}
