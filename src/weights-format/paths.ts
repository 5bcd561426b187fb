import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError } from '../data/errors.js';

let root: string | undefined;

/** The folder of the routellm package itself (where package.json, weights/ live), from src or dist. */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, 'utf8')).name === 'routellm') return (root = dir);
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('routellm: cannot find the package root from ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** File name of the calibration sample inside a router's weights folder: its scores on a default sample, for the pair they were scored for. */
export const CALIBRATION_FILE = 'calibration.json';

/** The shipped weights folder of one router (`weights/<router>`). */
export function shippedWeightsDir(router: string): string {
  return path.join(packageRoot(), 'weights', router);
}

/** The cache folder: `ROUTELLM_CACHE_DIR`, else `$XDG_CACHE_HOME/routellm`, else `~/.cache/routellm`. */
export function cacheDir(): string {
  if (process.env.ROUTELLM_CACHE_DIR) return path.resolve(process.env.ROUTELLM_CACHE_DIR);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'routellm');
}

/** Whether routellm runs from a source checkout (its `src/` beside package.json), not from an installed package. */
function isSourceCheckout(): boolean {
  return existsSync(path.join(packageRoot(), 'src', 'index.ts'));
}

/**
 * The data folder: `ROUTELLM_DATA_DIR`, else, in a source checkout, `../shared/data` beside it (the
 * layout of this repository). An installed package has no default: a `DataError` names the variable
 * and the `--data-dir` flag (only what needs benchmark or training data asks).
 */
export function defaultDataDir(): string {
  if (process.env.ROUTELLM_DATA_DIR) return path.resolve(process.env.ROUTELLM_DATA_DIR);
  if (isSourceCheckout()) return path.resolve(packageRoot(), '..', 'shared', 'data');
  throw new DataError(
    'missing',
    'ROUTELLM_DATA_DIR',
    'no data folder is configured: set ROUTELLM_DATA_DIR, or pass --data-dir (dataDir in the library), to the folder that holds evals/ and train/',
  );
}
