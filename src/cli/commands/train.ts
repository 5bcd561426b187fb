import { existsSync, readdirSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RouterDefinition, TrainerFlag } from '../../routers/definition.js';
import { routerDefinition, ROUTER_DEFINITIONS, ROUTER_NAMES } from '../../routers/registry.js';
import { CliUsageError, listFlag, numberFlag, requireStringFlag, stringFlag } from '../args.js';
import type { CommandSpec, ParsedArgs } from '../args.js';
import { parseCommandArgs, processIo, readRouterConfig } from '../shared.js';
import type { CliCommand, CliIo } from '../shared.js';
import { calibrateTrainedWeights } from './train-calibration.js';

const TRAINABLE = ROUTER_DEFINITIONS.filter((definition) => definition.trainer).map((definition) => definition.name);

const spec: CommandSpec = {
  name: 'train',
  summary: 'train a router from battles or correctness/score tables and write its weights folder',
  usage: 'routellm train <router> --data <file.jsonl...> --output <dir> [flags]',
  positionals: [{ name: '<router>', description: `one of ${TRAINABLE.join(', ')}`, required: true }],
  flags: [
    { name: 'data', type: 'list', value: '<file.jsonl...>', description: 'training files: battles (prompt, model_a, model_b, winner) or score tables (prompt, correct|scores)' },
    { name: 'output', type: 'string', value: '<dir>', description: 'weights folder to write (use it with --weights)' },
    { name: 'overwrite', type: 'boolean', description: 'replace an existing, non-empty output folder' },
    { name: 'embedder', type: 'string', value: '<id>', description: 'prompt embedder (default use-lite)' },
    { name: 'seed', type: 'number', value: '<n>', description: 'seed (default 0)' },
    { name: 'epochs', type: 'number', value: '<n>', description: 'most epochs (mf, bert)' },
    { name: 'num-tiers', type: 'number', value: '<n>', description: 'number of model tiers (sw_ranking, bert)' },
    { name: 'mmlu-gold', type: 'boolean', description: 'also train on the MMLU gold split (1,500 questions; MMLU is then reported on MMLU-rest)' },
    { name: 'decontaminate', type: 'string', value: '<true|false|auto>', description: 'drop prompts within cosine 0.95 of a benchmark prompt (default auto: only with --data-dir or ROUTELLM_DATA_DIR)' },
    { name: 'data-dir', type: 'string', value: '<dir>', description: 'folder holding evals/ (for decontamination and the gold split)' },
    { name: 'strong-model', type: 'string', value: '<name>', description: 'mf, sw_ranking: the pair the folder serves by default (default: the benchmark pair if in the data, else the highest win rate); bert: the strong class (default: from the tiers); ridge: the strong model of the targets' },
    { name: 'weak-model', type: 'string', value: '<name>', description: 'bert: the weak class; ridge: the weak model of the targets' },
    { name: 'config', type: 'string', value: '<file.json|.yaml>', description: "router name -> that trainer's options (flags win)" },
    { name: 'json', type: 'boolean', description: 'print a JSON summary' },
  ],
  notes:
    'The weights are written to a temporary folder beside --output and moved into place when training succeeds, with a\n' +
    "calibration.json (the router's scores on up to 1,000 training prompts, for the pair it serves) so route, score and serve\n" +
    'find a threshold.\n' +
    'Example: routellm train mf --data arena-battles.jsonl --output my-mf && routellm route "hi" --router mf --weights my-mf'
};

/** The trainer's options from the flags; an optional flag the trainer does not take is refused with its reason. */
function trainingOptions(definition: RouterDefinition, args: ParsedArgs, config: Record<string, unknown>, output: string): Record<string, unknown> {
  const router = definition.name;
  const refuses: Partial<Record<TrainerFlag, string>> = definition.trainer?.refuses ?? {};
  // The CLI always shows progress; the library call is silent unless asked.
  const options: Record<string, unknown> = { progress: true, ...config, data: listFlag(args, 'data'), output };
  const embedder = stringFlag(args, 'embedder');
  if (embedder !== undefined) options.embedder = embedder;
  const optional: [TrainerFlag, string, string, unknown][] = [
    ['seed', 'seed', 'seed', numberFlag(args, 'seed')],
    ['epochs', 'epochs', 'epochs', numberFlag(args, 'epochs')],
    ['numTiers', 'num-tiers', 'numTiers', numberFlag(args, 'num-tiers')],
    ['pair', 'strong-model', 'strongModel', stringFlag(args, 'strong-model')],
    ['pair', 'weak-model', 'weakModel', stringFlag(args, 'weak-model')],
  ];
  for (const [key, flag, option, value] of optional) {
    // A pair router learns every model: its pair flags choose the folder's default pair (train-calibration.ts).
    if (value === undefined || (key === 'pair' && definition.scoresModelPair)) continue;
    const reason = refuses[key];
    if (reason !== undefined) throw new CliUsageError(`--${flag}: ${router} ${reason}.`, `--${flag}`);
    options[option] = value;
  }
  if (args.flags['mmlu-gold']) options.mmluGold = true;
  const decontaminate = stringFlag(args, 'decontaminate');
  if (decontaminate !== undefined) {
    if (!['true', 'false', 'auto'].includes(decontaminate)) throw new CliUsageError(`--decontaminate must be true, false or auto, got "${decontaminate}".`, '--decontaminate');
    options.decontaminate = decontaminate === 'auto' ? 'auto' : decontaminate === 'true';
  }
  const dataDir = stringFlag(args, 'data-dir');
  if (dataDir !== undefined) options.dataDir = dataDir;
  return options;
}

/** Runs `routellm train`. */
export async function runTrain(argv: string[], io: CliIo = processIo): Promise<number> {
  const args = parseCommandArgs(argv, spec, io);
  if (!args) return 0;
  if (args.positionals.length === 0) throw new CliUsageError(`Missing the router to train. Usage: ${spec.usage}`);
  if (args.positionals.length > 1) throw new CliUsageError(`Unexpected argument "${args.positionals[1]}". Usage: ${spec.usage}`);
  const requested = args.positionals[0];
  const definition = routerDefinition(requested);
  if (!definition) throw new CliUsageError(`Unknown router "${requested}". Trainable routers: ${TRAINABLE.join(', ')}.`);
  const router = definition.name;
  const trainer = definition.trainer;
  if (!trainer) {
    throw new CliUsageError(`Cannot train ${router}: ${definition.untrainable ?? 'no trainer'}. Trainable routers: ${TRAINABLE.join(', ')}; all routers: ${ROUTER_NAMES.join(', ')}.`);
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
  const options = trainingOptions(definition, args, config[router] ?? {}, temporary);
  try {
    const result = await trainer.train(options);
    const asked = { strongModel: stringFlag(args, 'strong-model'), weakModel: stringFlag(args, 'weak-model') };
    const calibration = await calibrateTrainedWeights(definition, temporary, data, definition.scoresModelPair ? asked : {}, true);
    const summary = {
      output,
      examples: result.examples,
      ...trainer.summary(result.details),
      dropped_contaminated: result.droppedContaminated,
      ...(calibration.pair ? { default_pair: `${calibration.pair.strongModel} / ${calibration.pair.weakModel} (${calibration.pairSource})` } : {}),
      calibration_prompts: calibration.count,
      seconds: Math.round(result.seconds * 10) / 10,
    };
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
