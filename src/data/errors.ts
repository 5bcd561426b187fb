import { RouteLLMError } from '../errors.js';

/** Why a data file or folder could not be used. */
export type DataProblem = 'missing' | 'invalid';

/**
 * A data file or folder that is missing, or a row that cannot be read. `path` is the file (or
 * folder) and `line` the 1-based line (or CSV record) when one is to blame.
 */
export class DataError extends RouteLLMError {
  constructor(
    readonly problem: DataProblem,
    readonly path: string,
    detail: string,
    readonly line?: number,
    options: { cause?: unknown } = {},
  ) {
    super(`Data ${problem}: ${line === undefined ? path : `${path}:${line}`}: ${detail}`, {
      code: `data_${problem}`,
      ...options,
    });
  }
}
