import { scorePrompts } from '../../eval/scoring.js';
import { resolveRouterName } from '../../routers/registry.js';
import { SHARED_ROUTER_FLAGS, stringFlag } from '../args.js';
import type { CommandSpec } from '../args.js';
import { buildRouter, defaultRouterName, parseCommandArgs, processIo, readPromptJob, sharedRouterFlags, terminalProgress, writeFileAtomic } from '../shared.js';
import type { CliCommand, CliIo } from '../shared.js';

const spec: CommandSpec = {
  name: 'score',
  summary: "add each prompt's strong win rate to a JSON Lines file",
  usage: 'routellm score --router <name> --input <file.jsonl> --output <file.jsonl>',
  flags: [
    { name: 'router', type: 'string', value: '<name>', description: 'router to use (default: the first of ridge, sw_ranking, bert, mf whose weights ship)' },
    {
      name: 'input',
      type: 'string',
      value: '<file.jsonl>',
      description: 'one JSON object per line with a "prompt" string or a "messages" array (OpenAI chat format); other fields are kept',
    },
    { name: 'route-turns', type: 'number', value: '<k>', description: 'for "messages" rows: route on the last k messages (default 1: the last user message), as the server does' },
    { name: 'output', type: 'string', value: '<file.jsonl>', description: 'the input objects in the same order, each with "strong_win_rate" added' },
    { name: 'batch-size', type: 'number', value: '<n>', description: 'prompts per batch (default 64)' },
    ...SHARED_ROUTER_FLAGS,
  ],
  notes: 'The output is written to a temporary file and renamed when complete: a failed run leaves nothing behind.',
};

/** Runs `routellm score`. */
export async function runScore(argv: string[], io: CliIo = processIo): Promise<number> {
  const args = parseCommandArgs(argv, spec, io, 0);
  if (!args) return 0;
  const { records, output, batchSize } = await readPromptJob(args, spec, 64);
  const requested = stringFlag(args, 'router') ?? defaultRouterName();
  const name = resolveRouterName(requested) ?? requested;
  const { router } = await buildRouter(name, await sharedRouterFlags(args), io);
  try {
    const progress = terminalProgress(io, records.length, `scoring with ${name}`);
    const scores = await scorePrompts(
      router,
      records.map((record) => record.prompt),
      { cacheDir: false, batchSize, onProgress: (event) => progress.update(event.done) },
    );
    progress.finish();
    const lines = records.map((record, index) => JSON.stringify({ ...record.value, strong_win_rate: scores[index] }));
    await writeFileAtomic(output, lines.length ? `${lines.join('\n')}\n` : '');
    return 0;
  } finally {
    await router.dispose();
  }
}

/** `routellm score`. */
export const scoreCommand: CliCommand = { name: spec.name, summary: spec.summary, usage: spec.usage, run: (argv) => runScore(argv) };
