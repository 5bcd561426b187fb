import { existsSync, readdirSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Embedder } from '../../embedders/types.js';
import { resolveRouterName, ROUTER_NAMES } from '../../routers/registry.js';
import { CliUsageError, listFlag, numberFlag, requireStringFlag, stringFlag } from '../args.js';
import type { CommandSpec, ParsedArgs } from '../args.js';
import { parseCommandArgs, processIo, readRouterConfig } from '../shared.js';
import type { CliCommand, CliIo } from '../shared.js';

/** The routers that can be trained here, and how. */
const TRAINERS: Readonly<Record<string, { describe: string; run(options: Record<string, unknown>, io: CliIo): Promise<Record<string, unknown>> }>> = Object.freeze({
  mf: {
    describe: 'matrix factorisation on prompt embeddings (trainMf)',
    run: async (options) => {
      const { trainMf } = await import('../../routers/mf/train.js');
      const result = await trainMf(options as Parameters<typeof trainMf>[0]);
      return {
        output: result.output,
        models: result.models.length,
        train_examples: result.trainExamples,
        validation_examples: result.validationExamples,
        validation_accuracy: result.validationAccuracy,
        epochs: result.epochsRun,
        dropped_contaminated: result.droppedContaminated,
        seconds: result.totalSeconds,
      };
    },
  },
  sw_ranking: {
    describe: 'battle index with tiers for similarity-weighted Elo (buildSwRankingIndex)',
    run: async (options, io) => {
      const { buildSwRankingIndex } = await import('../../routers/sw_ranking/train.js');
      let embedder: Embedder | undefined;
      if (typeof options.embedder === 'string') {
        const { createEmbedder } = await import('../../embedders/registry.js');
        const { withDiskCache } = await import('../../embedders/disk-cache.js');
        embedder = withDiskCache(await createEmbedder(options.embedder));
      }
      const onProgress = (message: string) => {
        io.stderr.write(`${message}\n`);
      };
      const result = await buildSwRankingIndex({ onProgress, ...options, ...(embedder ? { embedder } : {}) } as unknown as Parameters<typeof buildSwRankingIndex>[0]).finally(
        () => embedder?.dispose(),
      );
      return { output: result.dir, battles_read: result.battlesRead, battles_kept: result.battlesKept, dropped_contaminated: result.decontamination?.dropped ?? 0 };
    },
  },
  bert: {
    describe: 'classification head over a frozen encoder (trainBert)',
    run: async (options) => {
      const { trainBert } = await import('../../routers/bert/train.js');
      const result = await trainBert(options as Parameters<typeof trainBert>[0]);
      return { output: result.output, architecture: result.chosen, label_counts: result.labelCounts, candidates: result.candidates };
    },
  },
  ridge: {
    describe: 'two ridge-regression heads over a frozen encoder, multiple-choice and open prompts (trainRidge)',
    run: async (options) => {
      const { trainRidge } = await import('../../routers/ridge/train.js');
      const result = await trainRidge(options as Parameters<typeof trainRidge>[0]);
      return { output: result.output, train_rows: result.trainRows, dropped_contaminated: result.droppedContaminated };
    },
  },
});

const spec: CommandSpec = {
  name: 'train',
  summary: 'train a router from battles or correctness/score tables and write its weights folder',
  usage: 'routellm train <router> --data <file.jsonl...> --output <dir> [flags]',
  positionals: [{ name: '<router>', description: `one of ${Object.keys(TRAINERS).join(', ')}`, required: true }],
  flags: [
    { name: 'data', type: 'list', value: '<file.jsonl...>', description: 'training files: battles (prompt, model_a, model_b, winner) or score tables (prompt, correct|scores)' },
    { name: 'output', type: 'string', value: '<dir>', description: 'weights folder to write (use it with --weights)' },
    { name: 'overwrite', type: 'boolean', description: 'replace an existing, non-empty output folder' },
    { name: 'embedder', type: 'string', value: '<id>', description: 'prompt embedder (default use-lite)' },
    { name: 'seed', type: 'number', value: '<n>', description: 'seed (default 0)' },
    { name: 'epochs', type: 'number', value: '<n>', description: 'most epochs (mf, bert)' },
    { name: 'num-tiers', type: 'number', value: '<n>', description: 'number of model tiers (sw_ranking, bert)' },
    { name: 'mmlu-gold', type: 'boolean', description: 'also train on the MMLU gold split (1,500 questions; MMLU is then reported on MMLU-rest)' },
    { name: 'decontaminate', type: 'string', value: '<true|false>', description: 'drop prompts within cosine 0.95 of a benchmark prompt (default: the trainer\'s)' },
    { name: 'data-dir', type: 'string', value: '<dir>', description: 'folder holding evals/ (for decontamination and the gold split)' },
    { name: 'strong-model', type: 'string', value: '<name>', description: 'bert: the strong class (with --weak-model; default: from the tiers); ridge: the strong model of the targets' },
    { name: 'weak-model', type: 'string', value: '<name>', description: 'bert: the weak class; ridge: the weak model of the targets' },
    { name: 'config', type: 'string', value: '<file.json|.yaml>', description: "router name -> that trainer's options (flags win)" },
    { name: 'json', type: 'boolean', description: 'print a JSON summary' },
  ],
  notes:
    'The weights are written to a temporary folder beside --output and moved into place when training succeeds.\n' +
    'Example: routellm train mf --data ../shared/data/train/arena-battles.jsonl --output my-mf && routellm route "hi" --router mf --weights my-mf',
};

function trainingOptions(router: string, args: ParsedArgs, config: Record<string, unknown>, output: string): Record<string, unknown> {
  const options: Record<string, unknown> = { ...config, data: listFlag(args, 'data'), output };
  const embedder = stringFlag(args, 'embedder');
  if (embedder !== undefined) options.embedder = embedder;
  const seed = numberFlag(args, 'seed');
  if (seed !== undefined) {
    if (router === 'ridge') throw new CliUsageError('--seed: ridge has no randomness (closed-form fit).', '--seed');
    options.seed = seed;
  }
  const epochs = numberFlag(args, 'epochs');
  if (epochs !== undefined) {
    if (router === 'sw_ranking' || router === 'ridge') throw new CliUsageError(`--epochs: ${router} has no epochs (${router === 'ridge' ? 'closed-form fit' : 'it stores battles'}).`, '--epochs');
    options.epochs = epochs;
  }
  const tiers = numberFlag(args, 'num-tiers');
  if (tiers !== undefined) {
    if (router === 'mf' || router === 'ridge') throw new CliUsageError(`--num-tiers: ${router} does not use tiers.`, '--num-tiers');
    options.numTiers = tiers;
  }
  if (args.flags['mmlu-gold']) options.mmluGold = true;
  const decontaminate = stringFlag(args, 'decontaminate');
  if (decontaminate !== undefined) {
    if (!['true', 'false'].includes(decontaminate)) throw new CliUsageError(`--decontaminate must be true or false, got "${decontaminate}".`, '--decontaminate');
    options.decontaminate = decontaminate === 'true';
  }
  const dataDir = stringFlag(args, 'data-dir');
  if (dataDir !== undefined) options.dataDir = dataDir;
  for (const [flag, key] of [['strong-model', 'strongModel'], ['weak-model', 'weakModel']] as const) {
    const value = stringFlag(args, flag);
    if (value === undefined) continue;
    if (router !== 'bert' && router !== 'ridge') throw new CliUsageError(`--${flag}: only bert and ridge training take the pair (${router} learns every model in the data).`, `--${flag}`);
    options[key] = value;
  }
  return options;
}

/** Runs `routellm train`. */
export async function runTrain(argv: string[], io: CliIo = processIo): Promise<number> {
  const args = parseCommandArgs(argv, spec, io);
  if (!args) return 0;
  if (args.positionals.length === 0) throw new CliUsageError(`Missing the router to train. Usage: ${spec.usage}`);
  if (args.positionals.length > 1) throw new CliUsageError(`Unexpected argument "${args.positionals[1]}". Usage: ${spec.usage}`);
  const requested = args.positionals[0];
  const router = resolveRouterName(requested);
  if (!router) throw new CliUsageError(`Unknown router "${requested}". Trainable routers: ${Object.keys(TRAINERS).join(', ')}.`);
  const trainer = TRAINERS[router];
  if (!trainer) {
    const reason = router === 'random' ? 'the random router has nothing to train' : `${router} has no training in this library (point it at a model server or ONNX folder instead)`;
    throw new CliUsageError(`Cannot train ${router}: ${reason}. Trainable routers: ${Object.keys(TRAINERS).join(', ')}; all routers: ${ROUTER_NAMES.join(', ')}.`);
  }
  const data = listFlag(args, 'data');
  if (!data) throw new CliUsageError(`Missing required flag --data. Usage: ${spec.usage}`, '--data');
  for (const file of data) {
    if (!existsSync(file) || !statSync(file).isFile()) throw new CliUsageError(`--data: ${file} is not a file.`, '--data');
  }
  const output = path.resolve(requireStringFlag(args, 'output', spec));
  if (!existsSync(path.dirname(output))) throw new CliUsageError(`--output: the folder ${path.dirname(output)} does not exist.`, '--output');
  const exists = existsSync(output);
  if (exists && !statSync(output).isDirectory()) throw new CliUsageError(`--output: ${output} is a file, expected a folder.`, '--output');
  if (exists && readdirSync(output).length > 0 && !args.flags.overwrite) {
    throw new CliUsageError(`--output: ${output} is not empty; pass --overwrite to replace it.`, '--output');
  }
  const config = await readRouterConfig(stringFlag(args, 'config'));
  const temporary = `${output}.${process.pid}.partial`;
  const options = trainingOptions(router, args, config[router] ?? {}, temporary);
  try {
    const summary = await trainer.run(options, io);
    summary.output = output;
    if (exists) await rm(output, { recursive: true, force: true });
    await rename(temporary, output);
    if (args.flags.json) io.stdout.write(`${JSON.stringify({ router, ...summary })}\n`);
    else {
      io.stdout.write(`Trained ${router} (${trainer.describe}) -> ${output}\n`);
      for (const [key, value] of Object.entries(summary)) {
        if (key !== 'output') io.stdout.write(`  ${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}\n`);
      }
      io.stdout.write(`Use it: routellm route "<prompt>" --router ${router} --weights ${output}\n`);
    }
    return 0;
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/** `routellm train`. */
export const trainCommand: CliCommand = { name: spec.name, summary: spec.summary, usage: spec.usage, run: (argv) => runTrain(argv) };
