import { MissingPeerDependencyError } from './errors.js';

const NOT_FOUND_CODES = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);

/**
 * Runs `load` (a dynamic `import()` of the optional peer `packageName`) and turns "package not
 * found" into a `MissingPeerDependencyError` that names the package to install and what needs it.
 * Any other failure (a broken install, an error inside the package) passes through unchanged.
 */
export async function importOptionalPeer<T>(packageName: string, neededBy: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    if (code && NOT_FOUND_CODES.has(code) && String(message).includes(packageName)) {
      throw new MissingPeerDependencyError(packageName, neededBy, { cause: error });
    }
    throw error;
  }
}
