import { calibrateThreshold } from '../../calibration/index.js';
import { InvalidInputError, InvalidOptionsError, WeightsError } from '../../errors.js';
import type { ModelRouteResult } from '../../controller/model-choice.js';
import type { ControllerOptions } from '../../controller/options.js';
import type { ChoicePolicy } from '../../policy/index.js';
import { resolveRouterName } from '../../routers/registry.js';
import { assertThreshold } from '../../routers/base.js';
import { CliUsageError, SHARED_ROUTER_FLAGS, numberFlag, stringFlag } from '../args.js';
import type { CommandSpec, ParsedArgs } from '../args.js';
import { assertNoPairFlags, buildModelRouter, defaultModelRouterName, deploymentOf, MODELS_FLAGS, modelsFlag, modelSubsetFlag, POLICY_FLAGS, policyFlag, pricesFlag } from '../models.js';
import { buildRouter, defaultRouterName, parseCommandArgs, processIo, routerOptionsFor, sharedRouterFlags } from '../shared.js';
import type { CliCommand, CliIo, SharedRouterFlags } from '../shared.js';

const spec: CommandSpec = {
  name: 'route',
  summary: 'decide whether one prompt goes to the strong or the weak model',
  usage: [
    'routellm route "<prompt>" [--router mf] [--threshold T] [--json]',
    '       routellm route "<prompt>" --models a b c --prices a=30,b=2,c=0.6 [--knob K | --within-best M] [--json]',
    '       routellm route "<prompt>" --config deploy.yaml [--models a c] [--knob K | --within-best M] [--json]',
  ].join('\n'),
  positionals: [{ name: '<prompt>', description: 'the prompt to route ("-" reads it from stdin)', required: true }],
  flags: [
    { name: 'router', type: 'string', value: '<name>', description: 'router to use (default: the first of ridge, sw_ranking, bert, mf whose weights ship)' },
    { name: 'threshold', type: 'number', value: '<T>', description: "strong when the strong win rate >= T (default: the router's calibrated threshold for 50% strong calls)" },
    { name: 'json', type: 'boolean', description: 'print one JSON object: router, strong_win_rate, threshold, decision (among N models: router, knob, model, models, scores, expected_cost_usd)' },
    ...MODELS_FLAGS,
    ...POLICY_FLAGS,
    ...SHARED_ROUTER_FLAGS,
  ],
  notes: [
    'A deployment file (the --config that routellm serve reads) whose "server" entry names models routes among them with server.prices',
    '(--prices adds or replaces entries); --models then chooses a subset of them for this prompt, as a request\'s "models" field does on',
    'the server: deployed names only, each once; one model pins the choice (the router is not asked).',
    'Examples: routellm route "What is 2 + 2?" --json',
    '          routellm route "What is 2 + 2?" --router random --models gpt-4o claude-3-5-haiku-latest llama-8b --prices gpt-4o=2.5/10,claude-3-5-haiku-latest=0.8/4,llama-8b=0.1 --knob 0.3 --json',
    '          routellm route "What is 2 + 2?" --router random --config deploy.yaml --models gpt-4o llama-8b --knob 0.3 --json',
  ].join('\n'),
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Runs `routellm route`. */
export async function runRoute(argv: string[], io: CliIo = processIo): Promise<number> {
  const args = parseCommandArgs(argv, spec, io, 1);
  if (!args) return 0;
  if (args.positionals.length === 0) throw new CliUsageError(`Missing the prompt. Usage: ${spec.usage}`);
  const prompt = args.positionals[0] === '-' ? await readStdin() : args.positionals[0];
  const flags = await sharedRouterFlags(args, true);
  if (args.flags.models !== undefined || flags.server.models !== undefined) return routeAmongModels(args, prompt, flags, io);
  const requested = stringFlag(args, 'router') ?? defaultRouterName();
  const name = resolveRouterName(requested) ?? requested;
  let threshold = numberFlag(args, 'threshold');
  if (threshold !== undefined) {
    try {
      assertThreshold(threshold);
    } catch {
      throw new CliUsageError(`--threshold must be a number in [0, 1], got ${threshold}.`, '--threshold');
    }
  }
  const { router } = await buildRouter(name, flags, io);
  try {
    if (threshold === undefined) {
      const weightsDir = routerOptionsFor(name, flags).weightsDir as string | undefined;
      try {
        const pair = router as { strongModel?: string; weakModel?: string };
        threshold = (await calibrateThreshold({ router: name, strongModelPct: 0.5, weightsDir, strongModel: pair.strongModel, weakModel: pair.weakModel })).threshold;
      } catch (error) {
        if (!WeightsError.isInstance(error) && !InvalidInputError.isInstance(error)) throw error;
        throw new CliUsageError(`No default threshold for ${name}: ${error.message}. Pass --threshold T.`, '--threshold');
      }
    }
    const strongWinRate = await router.strongWinRate(prompt);
    const decision = strongWinRate >= threshold ? 'strong' : 'weak';
    if (args.flags.json) {
      io.stdout.write(`${JSON.stringify({ router: name, strong_win_rate: strongWinRate, threshold, decision })}\n`);
    } else {
      io.stdout.write(
        `${decision} (router ${name}: strong win rate ${strongWinRate.toFixed(4)} ${decision === 'strong' ? '>=' : '<'} threshold ${threshold.toFixed(4)})\n`,
      );
    }
    return 0;
  } finally {
    await router.dispose();
  }
}

/**
 * `routellm route` among N models: the models of `--models`, or those deployed in `--config`'s
 * `server` entry with `--models` choosing a subset for this prompt; prints the choice and scores.
 */
async function routeAmongModels(args: ParsedArgs, prompt: string, flags: SharedRouterFlags, io: CliIo): Promise<number> {
  assertNoPairFlags(args, ['threshold', 'strong-model', 'weak-model']);
  const deployment = deploymentOf(flags);
  const models = deployment?.models ?? modelsFlag(args)!;
  const subset = deployment && modelSubsetFlag(args, models, flags.configFile);
  const prices = deployment
    ? { ...(deployment.options.prices as object | undefined), ...pricesFlag(args, models, false, `server.models of ${flags.configFile}`) }
    : pricesFlag(args, models, true);
  const policy = policyFlag(args);
  const router = await buildModelRouter(stringFlag(args, 'router') ?? defaultModelRouterName(), flags);
  try {
    // Loaded here, not at the top: the Controller brings the provider SDKs, which strong/weak routing never needs.
    const { Controller } = await import('../../controller/controller.js');
    let controller: InstanceType<typeof Controller>;
    try {
      controller = new Controller({ routers: [router], ...deployment?.options, models, prices } as ControllerOptions);
    } catch (error) {
      // The deployment's fields are the Controller's options: its schema checks them, the message names the file.
      if (!InvalidOptionsError.isInstance(error) || !deployment) throw error;
      throw new CliUsageError(`--config ${flags.configFile}: server: ${error.message}`, '--config');
    }
    try {
      const [choice] = await controller.chooseBatch([prompt], { router: router.name, policy, models: subset });
      io.stdout.write(`${args.flags.json ? JSON.stringify(choice) : describeChoice(choice, policy)}\n`);
      return 0;
    } finally {
      await controller.dispose();
    }
  } finally {
    await router.dispose();
  }
}

function describeChoice(choice: ModelRouteResult, policy: ChoicePolicy): string {
  if (choice.models.length === 1) return `${choice.model} (the one model of --models: the router was not asked)`;
  const policyText = 'knob' in policy ? `knob ${policy.knob}` : `within ${policy.withinBest} of the best`;
  const scores = choice.models.map((model) => `${model} ${choice.scores[model].toFixed(4)}`).join(', ');
  return `${choice.model} (router ${choice.router}, ${policyText}; scores: ${scores})`;
}

/** `routellm route`. */
export const routeCommand: CliCommand = { name: spec.name, summary: spec.summary, usage: spec.usage, run: (argv) => runRoute(argv) };
