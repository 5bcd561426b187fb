/**
 * The command line's flag parser and help text. Flags are `--name value`, `--name=value`, or for
 * lists `--name a b c` (values up to the next flag); booleans take no value. Errors name the flag.
 */
import { RouteLLMError } from '../errors.js';

/** A usage error of the command line (bad flag, missing value, unreadable file): exit code 2. */
export class CliUsageError extends RouteLLMError {
  constructor(
    message: string,
    readonly flag?: string,
  ) {
    super(message, { code: 'cli_usage' });
  }
}

/** The kinds of flag values. */
export type FlagType = 'string' | 'number' | 'boolean' | 'list';

/** One flag of a command. */
export interface FlagSpec {
  /** Long name without dashes, e.g. `strong-model`. */
  name: string;
  type: FlagType;
  /** Placeholder in the help, e.g. `<file.jsonl>`. */
  value?: string;
  description: string;
  /** Other accepted spellings, e.g. the Python RouteLLM's (`--routers` for `calibrate --router`); parsed as `name`. */
  aliases?: readonly string[];
  /**
   * For a boolean flag: values that follow one of its aliases are read and ignored (the Python
   * original's `--overwrite-cache mf bert` lists routers; here the flag applies to all of them).
   */
  aliasIgnoresValues?: boolean;
}

/** A positional argument. */
export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
}

/** What a command accepts, for parsing and for `--help`. */
export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  flags: readonly FlagSpec[];
  positionals?: readonly PositionalSpec[];
  /** Extra help text after the flags (examples, notes). */
  notes?: string;
}

/** Parsed arguments: flag values by long name, and positionals in order. */
export interface ParsedArgs {
  flags: Record<string, string | number | boolean | string[] | undefined>;
  positionals: string[];
  help: boolean;
}

/** The flags every command that loads a router accepts. */
export const SHARED_ROUTER_FLAGS: readonly FlagSpec[] = Object.freeze([
  { name: 'weights', type: 'string', value: '<dir>', description: "a router's weights folder other than the shipped one (as written by `routellm train`)" },
  { name: 'strong-model', type: 'string', value: '<name>', description: 'the deployed strong model (scored when the weights know it, directly, through the alias table or the config mapping)' },
  { name: 'weak-model', type: 'string', value: '<name>', description: 'the deployed weak model' },
  { name: 'config', type: 'string', value: '<file.json|.yaml>', description: "router name -> that router's options, validated by its schema" },
  { name: 'embed-workers', type: 'number', value: '<n>', description: 'run the use-lite embedder on n worker threads (0: in the main thread; sets ROUTELLM_EMBED_WORKERS)' },
] satisfies FlagSpec[]);

function looksLikeFlag(token: string): boolean {
  return token.startsWith('--') || (token.startsWith('-') && token.length > 1 && !/^-\d|^-\.\d/.test(token));
}

/** Parses `argv` against a command's spec; throws `CliUsageError` naming the flag on any problem. */
export function parseArgs(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const byName = new Map(spec.flags.flatMap((flag) => [flag.name, ...(flag.aliases ?? [])].map((spelling) => [spelling, flag] as const)));
  const flags: ParsedArgs['flags'] = {};
  const positionals: string[] = [];
  let help = false;
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (onlyPositionals || !looksLikeFlag(token)) {
      positionals.push(token);
      continue;
    }
    if (token === '--') {
      onlyPositionals = true;
      continue;
    }
    if (token === '--help' || token === '-h') {
      help = true;
      continue;
    }
    if (!token.startsWith('--')) throw new CliUsageError(`Unknown flag ${token} for \`routellm ${spec.name}\` (flags are long: --name). See \`routellm ${spec.name} --help\`.`, token);
    const equals = token.indexOf('=');
    const spelled = token.slice(2, equals < 0 ? undefined : equals);
    const inline = equals < 0 ? undefined : token.slice(equals + 1);
    const flag = byName.get(spelled);
    if (!flag) {
      const known = spec.flags.map((entry) => `--${entry.name}`).join(', ');
      throw new CliUsageError(`Unknown flag --${spelled} for \`routellm ${spec.name}\`. Valid flags: ${known || 'none'}, --help.`, `--${spelled}`);
    }
    const name = flag.name;
    if (flag.aliasIgnoresValues && spelled !== name) while (i + 1 < argv.length && !looksLikeFlag(argv[i + 1])) i++;
    if (flags[name] !== undefined && flag.type !== 'list') throw new CliUsageError(`Flag --${name} was given twice.`, `--${name}`);
    if (flag.type === 'boolean') {
      if (inline !== undefined && !['true', 'false'].includes(inline)) {
        throw new CliUsageError(`Flag --${name} takes no value (got "${inline}").`, `--${name}`);
      }
      flags[name] = inline !== 'false';
      continue;
    }
    if (flag.type === 'list') {
      const values = (flags[name] as string[] | undefined) ?? [];
      if (inline !== undefined) values.push(...inline.split(',').filter(Boolean));
      while (i + 1 < argv.length && !looksLikeFlag(argv[i + 1])) values.push(argv[++i]);
      if (values.length === 0) throw new CliUsageError(`Flag --${name} needs at least one value ${flag.value ?? ''}.`.trimEnd(), `--${name}`);
      flags[name] = values;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length || looksLikeFlag(argv[i + 1])) throw new CliUsageError(`Flag --${name} needs a value ${flag.value ?? ''}.`.trimEnd(), `--${name}`);
      value = argv[++i];
    }
    if (flag.type === 'number') {
      const number = Number(value);
      if (value.trim() === '' || !Number.isFinite(number)) throw new CliUsageError(`Flag --${name} needs a number, got "${value}".`, `--${name}`);
      flags[name] = number;
    } else {
      flags[name] = value;
    }
  }
  return { flags, positionals, help };
}

/** The help text of a command, built from its spec. */
export function formatHelp(spec: CommandSpec): string {
  const lines = [`routellm ${spec.name}: ${spec.summary}`, '', `Usage: ${spec.usage}`];
  if (spec.positionals?.length) {
    lines.push('', 'Arguments:');
    for (const positional of spec.positionals) lines.push(`  ${positional.name.padEnd(28)} ${positional.description}`);
  }
  lines.push('', 'Flags:');
  const rows = [...spec.flags, { name: 'help', type: 'boolean', description: 'show this help' } as FlagSpec];
  for (const flag of rows) {
    const left = `--${flag.name}${flag.type === 'boolean' ? '' : ` ${flag.value ?? (flag.type === 'list' ? '<values...>' : '<value>')}`}`;
    lines.push(`  ${left.padEnd(28)} ${flag.description}`);
  }
  if (spec.notes) lines.push('', spec.notes);
  return `${lines.join('\n')}\n`;
}

/** A string flag's value, or the fallback. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** A required string flag: throws `CliUsageError` naming it when missing. */
export function requireStringFlag(args: ParsedArgs, name: string, spec: CommandSpec): string {
  const value = stringFlag(args, name);
  if (value === undefined) throw new CliUsageError(`Missing required flag --${name}. Usage: ${spec.usage}`, `--${name}`);
  return value;
}

/** A number flag's value. */
export function numberFlag(args: ParsedArgs, name: string): number | undefined {
  const value = args.flags[name];
  return typeof value === 'number' ? value : undefined;
}

/** A list flag's values. */
export function listFlag(args: ParsedArgs, name: string): string[] | undefined {
  const value = args.flags[name];
  return Array.isArray(value) ? value : undefined;
}

/** Throws `CliUsageError` when there are more positionals than the command takes. */
export function assertPositionals(args: ParsedArgs, spec: CommandSpec, max: number): void {
  if (args.positionals.length > max) {
    throw new CliUsageError(`Unexpected argument "${args.positionals[max]}" for \`routellm ${spec.name}\`. Usage: ${spec.usage}`);
  }
}
