/**
 * `routellm <command>`: the dispatcher. Each command lives in src/cli/commands/<name>.ts and is
 * loaded only when it runs, so `routellm route` does not load the evaluation code.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../weights-format/paths.js';
import { describeError, exitCodeOf } from './exit.js';
import type { CliCommand } from './shared.js';

interface CommandEntry {
  summary: string;
  load(): Promise<CliCommand>;
}

const COMMANDS: Readonly<Record<string, CommandEntry>> = Object.freeze({
  route: { summary: 'decide strong or weak for one prompt', load: async () => (await import('./commands/route.js')).routeCommand },
  score: { summary: 'add strong win rates to a JSON Lines file of prompts', load: async () => (await import('./commands/score.js')).scoreCommand },
  embed: { summary: 'add embeddings to a JSON Lines file of prompts', load: async () => (await import('./commands/embed.js')).embedCommand },
  calibrate: {
    summary: 'threshold for a share of strong calls',
    load: async () => (await import('./commands/calibrate.js')).calibrateCommand,
  },
  eval: { summary: 'evaluate routers on MT-Bench, MMLU, GSM8K or your file', load: async () => (await import('./commands/eval.js')).evalCommand },
  label: { summary: 'label prompts with both models and an LLM judge', load: async () => (await import('./commands/label.js')).labelCommand },
  train: { summary: 'train a router from battles or correctness tables', load: async () => (await import('./commands/train.js')).trainCommand },
  serve: { summary: 'OpenAI-compatible HTTP server that routes each request', load: async () => (await import('./commands/serve.js')).serveCommand },
});

function version(): string {
  try {
    return JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function mainHelp(): string {
  const lines = [
    'routellm: learned LLM routers. Send each request to a strong or a weak model.',
    '',
    'Usage: routellm <command> [flags]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(10)} ${entry.summary}`),
    '',
    'Shared flags (route, score, calibrate, eval, serve): --weights <dir>, --strong-model <name>, --weak-model <name>, --config <file.json|.yaml>',
    'Run `routellm <command> --help` for a command\'s flags. Exit codes: 0 ok, 2 bad flags or input, 1 other failures.',
    '',
    'First command: routellm route "What is the capital of Australia?" --json',
  ];
  return `${lines.join('\n')}\n`;
}

/** Runs the command line with `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    if (command === 'help' && rest[0] && COMMANDS[rest[0]]) return main([rest[0], '--help']);
    process.stdout.write(mainHelp());
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    process.stderr.write(`routellm: unknown command "${command}". Commands: ${Object.keys(COMMANDS).join(', ')}. See \`routellm --help\`.\n`);
    return 2;
  }
  try {
    const loaded = await entry.load().catch((error: unknown) => {
      if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(`${command}`)) {
        throw new Error(`the ${command} command is not available in this build`);
      }
      throw error;
    });
    return await loaded.run(rest);
  } catch (error) {
    process.stderr.write(`routellm ${command}: ${describeError(error)}\n`);
    return exitCodeOf(error);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`routellm: ${describeError(error)}\n`);
    process.exitCode = 1;
  },
);
