import { calibrateThreshold } from '../../calibration/index.js';
import { scorePrompts } from '../../eval/scoring.js';
import { resolveRouterName } from '../../routers/registry.js';
import { CliUsageError, SHARED_ROUTER_FLAGS, numberFlag, requireStringFlag, stringFlag } from '../args.js';
import type { CommandSpec } from '../args.js';
import { buildRouter, parseCommandArgs, processIo, readPromptFile, routerOptionsFor, sharedRouterFlags, commandProgress } from '../shared.js';
import type { CliCommand, CliIo } from '../shared.js';

const spec: CommandSpec = {
  name: 'calibrate',
  summary: 'find the threshold that sends a given share of calls to the strong model',
  usage: 'routellm calibrate --router <name> --strong-model-pct <0..1> [--input prompts.jsonl] [--json]',
  flags: [
    { name: 'router', type: 'string', value: '<name>', description: 'router to calibrate (--routers, the Python spelling, is accepted)', aliases: ['routers'] },
    { name: 'strong-model-pct', type: 'number', value: '<P>', description: 'share of calls to send to the strong model, in [0, 1] (e.g. 0.5)' },
    {
      name: 'input',
      type: 'string',
      value: '<prompts.jsonl>',
      description: "your own traffic: one JSON object per line with a \"prompt\" string (default: the router's shipped sample of general chat prompts)",
    },
    { name: 'json', type: 'boolean', description: 'print one JSON object: router, strong_model_pct, threshold (and what was achieved)' },
    ...SHARED_ROUTER_FLAGS,
  ],
  notes: 'The threshold is the (1 - P) quantile of the router\'s scores on the sample. Use it as router-<name>-<threshold>.',
};

/** Runs `routellm calibrate`. */
export async function runCalibrate(argv: string[], io: CliIo = processIo): Promise<number> {
  const args = parseCommandArgs(argv, spec, io, 0);
  if (!args) return 0;
  const requested = requireStringFlag(args, 'router', spec);
  const name = resolveRouterName(requested) ?? requested;
  const pct = numberFlag(args, 'strong-model-pct');
  if (pct === undefined) throw new CliUsageError(`Missing required flag --strong-model-pct. Usage: ${spec.usage}`, '--strong-model-pct');
  if (pct < 0 || pct > 1) throw new CliUsageError(`--strong-model-pct must be in [0, 1] (0.5 means half of the calls), got ${pct}.`, '--strong-model-pct');
  const flags = await sharedRouterFlags(args);
  const input = stringFlag(args, 'input');
  let calibration;
  if (input !== undefined) {
    const records = await readPromptFile(input);
    if (records.length === 0) throw new CliUsageError(`--input: ${input} has no prompts.`, '--input');
    const { router } = await buildRouter(name, flags, io);
    try {
      const progress = commandProgress(io, records.length, `scoring with ${name}`);
      const scores = await scorePrompts(
        router,
        records.map((record) => record.prompt),
        { cacheDir: false, batchSize: 64, onProgress: (event) => progress.update(event.done) },
      );
      progress.finish();
      calibration = await calibrateThreshold({ router, scores, strongModelPct: pct });
    } finally {
      await router.dispose();
    }
  } else {
    const weightsDir = routerOptionsFor(name, flags).weightsDir as string | undefined;
    calibration = await calibrateThreshold({ router: name, strongModelPct: pct, weightsDir, strongModel: flags.strongModel, weakModel: flags.weakModel });
  }
  if (args.flags.json) {
    io.stdout.write(
      `${JSON.stringify({
        router: name,
        strong_model_pct: pct,
        threshold: calibration.threshold,
        achieved_strong_model_pct: calibration.strongModelPct,
        prompts: calibration.count,
        source: input !== undefined ? 'prompts' : calibration.source,
      })}\n`,
    );
  } else {
    const sample =
      calibration.source === 'uniform'
        ? 'uniform scores (random router)'
        : calibration.source === 'default-sample'
          ? `${calibration.count} prompts of the shipped sample (${calibration.sample})`
          : `${calibration.count} prompts of ${input}`;
    io.stdout.write(
      `Threshold for ${name} sending ${(100 * pct).toFixed(1)}% of calls to the strong model: ${calibration.threshold.toPrecision(6)}\n` +
        `Achieved ${(100 * calibration.strongModelPct).toFixed(1)}% on ${sample}. Model string: router-${name}-${Number(calibration.threshold.toPrecision(6))}\n`,
    );
  }
  return 0;
}

/** `routellm calibrate`. */
export const calibrateCommand: CliCommand = { name: spec.name, summary: spec.summary, usage: spec.usage, run: (argv) => runCalibrate(argv) };
