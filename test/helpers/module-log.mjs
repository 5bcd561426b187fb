// Preloaded with NODE_OPTIONS="--import <this file>": appends every module the process loads to
// the file named by ROUTELLM_MODULE_LOG, ES modules as the loader hook below sees them and
// CommonJS ones from require's cache at exit (Node 20's hooks do not see require()).
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const log = process.env.ROUTELLM_MODULE_LOG;

/** The loader hook (run on the hooks thread): notes each URL, then loads it as usual. */
export async function load(url, context, nextLoad) {
  if (log) appendFileSync(log, `${url}\n`);
  return nextLoad(url, context);
}

if (isMainThread && log) {
  register(import.meta.url);
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => appendFileSync(log, `${Object.keys(cache).join('\n')}\n`));
}
