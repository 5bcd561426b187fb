/**
 * What the commands share: the command-module shape, the config file, building a router from the
 * shared flags, reading prompt files, writing outputs atomically, progress bars and exit codes.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DataError } from '../data/errors.js';
import { parseJsonLines, readTextFile } from '../data/jsonl.js';
import { checkMessages, routingText } from '../controller/messages.js';
import { InvalidInputError, InvalidOptionsError, UnknownModelError } from '../errors.js';
import { createRouterForPair, requireRouterDefinition, resolveRouterName, ROUTER_NAMES } from '../routers/registry.js';
import { isPairRouter, type Router } from '../routers/types.js';
import type { ScoringProgress } from '../eval/scoring.js';
import { ProgressBar } from '../train/progress.js';
import { CliUsageError, assertPositionals, formatHelp, numberFlag, parseArgs, requireStringFlag, stringFlag } from './args.js';
import type { CommandSpec, ParsedArgs } from './args.js';

export { describeError, exitCodeOf } from './exit.js';
export { defaultRouterName } from '../routers/registry.js';

/** A `routellm <name>` command: `run` returns the exit code. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** Where a command writes: stdout for results, stderr for notes and progress. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

/** The process streams. */
export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr };

/**
 * The start of every command: parses `argv` against `spec`; on `--help` prints the help and
 * returns `undefined` (the command then exits 0); otherwise checks there are at most
 * `maxPositionals` positionals (unchecked when omitted) and returns the parsed arguments.
 */
export function parseCommandArgs(argv: readonly string[], spec: CommandSpec, io: CliIo, maxPositionals?: number): ParsedArgs | undefined {
  const args = parseArgs(argv, spec);
  if (args.help) {
    io.stdout.write(formatHelp(spec));
    return undefined;
  }
  if (maxPositionals !== undefined) assertPositionals(args, spec, maxPositionals);
  return args;
}

/** Router name -> that router's options, from `--config`. */
export type RouterConfig = Record<string, Record<string, unknown>>;

/**
 * Reads a `--config` file (YAML by its extension, else JSON). Returns undefined for an empty file;
 * throws `CliUsageError` when it cannot be read or parsed, or is not a mapping (`shape` completes
 * that message).
 */
export async function readConfigMapping(file: string, shape: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CliUsageError(`--config: cannot read ${file} (no such file).`, '--config');
  }
  const yaml = /\.ya?ml$/i.test(file);
  let value: unknown;
  try {
    value = yaml ? (await import('yaml')).parse(text) : JSON.parse(text);
  } catch (error) {
    throw new CliUsageError(`--config: ${file} is not valid ${yaml ? 'YAML' : 'JSON'}: ${(error as Error).message}`, '--config');
  }
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new CliUsageError(`--config: ${file} ${shape}`, '--config');
  return value as Record<string, unknown>;
}

/** A `--config` file: each router's options, and the `server` entry of a deployment file. */
export interface ConfigFile {
  routers: RouterConfig;
  /** The `server` entry (`routellm serve`'s settings); empty where the file has none or the command reads none. */
  server: Record<string, unknown>;
}

/**
 * Reads `--config <file.json|.yaml>`: a mapping from router name to that router's options (each
 * validated later by the router's own schema), plus, with `withServer`, a `server` entry (the
 * deployment settings `routellm serve` reads). Unknown names and non-object entries are errors
 * naming the file.
 */
export async function readConfigFile(file: string | undefined, withServer: boolean): Promise<ConfigFile> {
  const result: ConfigFile = { routers: {}, server: {} };
  if (file === undefined) return result;
  const shape = withServer ? 'must be a mapping of router names (and "server") to objects.' : 'must map router names to option objects, e.g. {"mf": {"weightsDir": "..."}}.';
  const value = await readConfigMapping(file, shape);
  for (const [name, options] of Object.entries(value ?? {})) {
    const canonical = resolveRouterName(name);
    const isServer = withServer && name === 'server';
    if (!canonical && !isServer) {
      const valid = withServer ? `Valid: server, ${ROUTER_NAMES.join(', ')}.` : `Valid routers: ${ROUTER_NAMES.join(', ')}.`;
      throw new CliUsageError(`--config: ${file}: unknown ${withServer ? 'entry' : 'router'} "${name}". ${valid}`, '--config');
    }
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new CliUsageError(`--config: ${file}: the entry for "${name}" must be an object${isServer ? '' : ' of router options'}.`, '--config');
    }
    if (isServer) result.server = options as Record<string, unknown>;
    else result.routers[canonical!] = options as Record<string, unknown>;
  }
  return result;
}

/** Reads a `--config` file of router options only (see `readConfigFile`). */
export async function readRouterConfig(file: string | undefined): Promise<RouterConfig> {
  return (await readConfigFile(file, false)).routers;
}

/** The shared flags as they apply to one router. */
export interface SharedRouterFlags {
  weights?: string;
  strongModel?: string;
  weakModel?: string;
  config: RouterConfig;
  /** The `--config` file's `server` entry, for commands that read a deployment file (`route`); else empty. */
  server: Record<string, unknown>;
  /** The `--config` file, for error messages. */
  configFile?: string;
}

/**
 * `--embed-workers n`: an integer in [0, 64], passed on as `ROUTELLM_EMBED_WORKERS` so every
 * use-lite embedder the command builds (directly or inside a router) runs on n worker threads.
 */
export function applyEmbedWorkersFlag(args: ParsedArgs): void {
  const workers = numberFlag(args, 'embed-workers');
  if (workers === undefined) return;
  if (!Number.isInteger(workers) || workers < 0 || workers > 64) {
    throw new CliUsageError(`--embed-workers must be an integer from 0 to 64, got ${workers}.`, '--embed-workers');
  }
  process.env.ROUTELLM_EMBED_WORKERS = String(workers);
}

/**
 * Reads the shared flags (`--weights`, `--strong-model`, `--weak-model`, `--config`,
 * `--embed-workers`). With `withServer`, `--config` may be a deployment file with a `server` entry
 * (as `routellm serve` reads it), whose `strongModel` / `weakModel` stand in for missing flags.
 */
export async function sharedRouterFlags(args: ParsedArgs, withServer = false): Promise<SharedRouterFlags> {
  applyEmbedWorkersFlag(args);
  const weights = stringFlag(args, 'weights');
  if (weights !== undefined && !(existsSync(weights) && statSync(weights).isDirectory())) {
    throw new CliUsageError(`--weights: ${weights} is not a folder.`, '--weights');
  }
  const configFile = stringFlag(args, 'config');
  const { routers, server } = await readConfigFile(configFile, withServer);
  const fromServer = (key: 'strongModel' | 'weakModel'): string | undefined => {
    const value = server[key];
    if (value === undefined || typeof value === 'string') return value;
    throw new CliUsageError(`--config: ${configFile}: server.${key} must be a model id (a string), got ${JSON.stringify(value)}.`, '--config');
  };
  return {
    weights,
    strongModel: stringFlag(args, 'strong-model') ?? fromServer('strongModel'),
    weakModel: stringFlag(args, 'weak-model') ?? fromServer('weakModel'),
    config: routers,
    server,
    configFile,
  };
}

/** Router options from the config file plus `--weights` (the flag wins); the deployed pair is `createRouterForPair`'s. */
export function routerOptionsFor(router: string, flags: SharedRouterFlags): Record<string, unknown> {
  const definition = requireRouterDefinition(router);
  const result: Record<string, unknown> = { ...(flags.config[definition.name] ?? {}) };
  if (flags.weights !== undefined) {
    if (!definition.weights) throw new CliUsageError(`--weights: the ${definition.name} router has no weights folder.`, '--weights');
    result.weightsDir = flags.weights;
  }
  return result;
}

/**
 * Builds a router from the shared flags. When the deployed pair (`--strong-model`/`--weak-model`)
 * is not known to the router's weights, the router scores its default pair instead, and says so
 * once on stderr; when a pair was asked for, the pair scored is named once too.
 */
export async function buildRouter(name: string, flags: SharedRouterFlags, io: CliIo): Promise<{ router: Router; options: Record<string, unknown> }> {
  const definition = requireRouterDefinition(name);
  const canonical = definition.name;
  const askedPair = flags.strongModel !== undefined || flags.weakModel !== undefined;
  try {
    const built = await createRouterForPair(canonical, routerOptionsFor(canonical, flags), { strongModel: flags.strongModel, weakModel: flags.weakModel });
    if (built.unknownModel !== undefined) notePair(built.router, io, `its weights do not know "${built.unknownModel}"; `);
    else if (askedPair && definition.scoresModelPair) notePair(built.router, io, '');
    else if (askedPair) io.stderr.write(`routellm: ${canonical}: this router does not score a model pair; --strong-model / --weak-model only name the deployed models\n`);
    return { router: built.router, options: built.options };
  } catch (error) {
    if (InvalidOptionsError.isInstance(error) && flags.configFile && flags.config[canonical]) {
      throw new CliUsageError(`--config ${flags.configFile}: ${error.message}`, '--config');
    }
    if (!UnknownModelError.isInstance(error)) throw error;
    const hint = 'Choose the pair with --strong-model and --weak-model (names from that list), or map your names in --config ({"<router>": {"modelMapping": {...}}}).';
    throw new CliUsageError(`${canonical}: ${error.message} ${hint}`, '--strong-model');
  }
}

function notePair(router: Router, io: CliIo, reason: string): void {
  if (isPairRouter(router)) io.stderr.write(`routellm: ${router.name}: ${reason}scoring the pair strong=${router.strongModel} weak=${router.weakModel}\n`);
}

/** One input line of `score` / `embed`: the parsed object and its prompt. */
export interface PromptRecord {
  value: Record<string, unknown>;
  prompt: string;
  line: number;
}

/**
 * Reads a JSON Lines file of objects with a `prompt` string or a `messages` conversation (OpenAI
 * chat format), other fields kept. A conversation is routed on the text `routingText` builds from
 * it (the controller's rule: the last user message, or the last `routeTurns` user and assistant
 * messages). A missing file, a line that is not a JSON object, or one with neither a `prompt`
 * string nor valid `messages` is a `DataError` naming the file and line (exit code 2).
 */
export async function readPromptFile(file: string, options: { routeTurns?: number } = {}): Promise<PromptRecord[]> {
  const records = parseJsonLines(await readTextFile(file), file);
  return records.map((record) => {
    const { prompt, messages } = record.value;
    if (typeof prompt === 'string') return { value: record.value, prompt, line: record.line };
    if (prompt === undefined && messages !== undefined) {
      try {
        return { value: record.value, prompt: routingText(checkMessages(messages), options.routeTurns), line: record.line };
      } catch (error) {
        if (InvalidInputError.isInstance(error)) throw new DataError('invalid', file, `"messages": ${error.message}`, record.line, { cause: error });
        throw error;
      }
    }
    const got = prompt === undefined ? 'missing' : `got ${prompt === null ? 'null' : typeof prompt}`;
    throw new DataError('invalid', file, `each line needs a "prompt" string or a "messages" array of chat messages (prompt ${got})`, record.line);
  });
}

/**
 * The `--input`/`--output`/`--batch-size` flags of `score` and `embed`: both files required, the
 * output's folder checked, the batch size a positive integer (default `defaultBatchSize`), then
 * the input's prompts read.
 */
export async function readPromptJob(args: ParsedArgs, spec: CommandSpec, defaultBatchSize: number): Promise<{ records: PromptRecord[]; output: string; batchSize: number }> {
  const input = requireStringFlag(args, 'input', spec);
  const output = requireStringFlag(args, 'output', spec);
  checkOutputPath(output, '--output');
  const batchSize = numberFlag(args, 'batch-size') ?? defaultBatchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new CliUsageError(`--batch-size must be a positive integer, got ${batchSize}.`, '--batch-size');
  const routeTurns = numberFlag(args, 'route-turns');
  if (routeTurns !== undefined && (!Number.isInteger(routeTurns) || routeTurns < 1)) throw new CliUsageError(`--route-turns must be a positive integer, got ${routeTurns}.`, '--route-turns');
  return { records: await readPromptFile(input, { routeTurns }), output, batchSize };
}

/** Throws a `CliUsageError` naming `flag` unless the output's folder exists. */
export function checkOutputPath(file: string, flag: string): void {
  const folder = path.dirname(path.resolve(file));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new CliUsageError(`${flag}: the folder ${folder} does not exist.`, flag);
  if (existsSync(file) && statSync(file).isDirectory()) throw new CliUsageError(`${flag}: ${file} is a folder, expected a file.`, flag);
}

/** Writes a file atomically: to a temporary file beside it, then renamed; on failure nothing is left. */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, content);
    await rename(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
}

/**
 * The progress of a long command on stderr, as `routellm train` shows it: a bar redrawn in place
 * on a terminal, otherwise a plain line at each 10% and one at the end (so a log or CI shows that
 * the command is alive). Nothing for an empty job.
 */
export function commandProgress(io: CliIo, total: number, label: string): { update(done: number): void; finish(): void } {
  if (total === 0) return { update() {}, finish() {} };
  const bar = new ProgressBar(total, { label, stream: io.stderr });
  return { update: (done) => bar.update(done), finish: () => bar.finish() };
}

/** An `onProgress` for scoring with several routers: one `commandProgress` per router, ended at its last prompt. */
export function routerProgress(io: CliIo, label: (event: ScoringProgress) => string): (event: ScoringProgress) => void {
  const bars = new Map<string, ReturnType<typeof commandProgress>>();
  return (event) => {
    let bar = bars.get(event.router);
    if (!bar) {
      bar = commandProgress(io, event.total, label(event));
      bars.set(event.router, bar);
    }
    bar.update(event.done);
    if (event.done >= event.total) bar.finish();
  };
}
