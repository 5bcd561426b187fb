import { scorePrompts } from '../../eval/scoring.js';
import { resolveRouterName } from '../../routers/registry.js';
import { SHARED_ROUTER_FLAGS, stringFlag } from '../args.js';
import type { CommandSpec, ParsedArgs } from '../args.js';
import { assertNoPairFlags, buildModelRouter, defaultModelRouterName, modelsFlag } from '../models.js';
import { buildRouter, defaultRouterName, parseCommandArgs, processIo, readPromptJob, sharedRouterFlags, commandProgress, writeFileAtomic } from '../shared.js';
import type { CliCommand, CliIo, PromptRecord } from '../shared.js';

const spec: CommandSpec = {
  name: 'score',
  summary: "add each prompt's strong win rate to a JSON Lines file",
  usage: 'routellm score --router <name> [--models a b c] --input <file.jsonl> --output <file.jsonl>',
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
    { name: 'models', type: 'list', value: '<ids...>', description: 'add "scores": {model: predicted quality} for these models (at least two) instead of "strong_win_rate"' },
    ...SHARED_ROUTER_FLAGS,
  ],
  notes: 'The output is written to a temporary file and renamed when complete: a failed run leaves nothing behind.',
};

/** Runs `routellm score`. */
export async function runScore(argv: string[], io: CliIo = processIo): Promise<number> {
  const args = parseCommandArgs(argv, spec, io, 0);
  if (!args) return 0;
  const { records, output, batchSize } = await readPromptJob(args, spec, 64);
  const models = modelsFlag(args);
  if (models) return scoreModels(args, records, models, output, batchSize, io);
  const requested = stringFlag(args, 'router') ?? defaultRouterName();
  const name = resolveRouterName(requested) ?? requested;
  const { router } = await buildRouter(name, await sharedRouterFlags(args), io);
  try {
    const progress = commandProgress(io, records.length, `scoring with ${name}`);
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

/** `routellm score --models ...`: each row gets `"scores": {model: score}`. */
async function scoreModels(args: ParsedArgs, records: PromptRecord[], models: string[], output: string, batchSize: number, io: CliIo): Promise<number> {
  assertNoPairFlags(args, ['strong-model', 'weak-model']);
  const router = await buildModelRouter(stringFlag(args, 'router') ?? defaultModelRouterName(), await sharedRouterFlags(args));
  try {
    const progress = commandProgress(io, records.length, `scoring ${models.length} models with ${router.name}`);
    const lines: string[] = [];
    for (let start = 0; start < records.length; start += batchSize) {
      const batch = records.slice(start, start + batchSize);
      const scores = await router.modelScores(
        batch.map((record) => record.prompt),
        models,
      );
      for (const [row, record] of batch.entries()) {
        const own = Object.fromEntries(models.map((model, column) => [model, scores[row * models.length + column]]));
        lines.push(JSON.stringify({ ...record.value, scores: own }));
      }
      progress.update(start + batch.length);
    }
    progress.finish();
    await writeFileAtomic(output, lines.length ? `${lines.join('\n')}\n` : '');
    return 0;
  } finally {
    await router.dispose();
  }
}

/** `routellm score`. */
export const scoreCommand: CliCommand = { name: spec.name, summary: spec.summary, usage: spec.usage, run: (argv) => runScore(argv) };
