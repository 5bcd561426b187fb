import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DataError } from '../../data/errors.js';
import { withDiskCache } from '../../embedders/disk-cache.js';
import { EVAL_BENCHMARKS, benchmarkCacheDir, fetchBenchmarkData, loadEvalBenchmark, pairwiseBenchmark, resolveBenchmarkName } from '../../eval/benchmarks.js';
import { evaluateRouters } from '../../eval/evaluate.js';
import type { RouterSpec } from '../../eval/evaluate.js';
import type { EvalBenchmark } from '../../eval/benchmarks.js';
import { scoreCacheKey } from '../../eval/scoring.js';
import type { Router } from '../../routers/types.js';
import { renderPlotSvg } from '../../eval/plot.js';
import { formatResultsTable, toResultsJson } from '../../eval/report.js';
import { requireRouterDefinition, ROUTER_NAMES } from '../../routers/registry.js';
import { CliUsageError, SHARED_ROUTER_FLAGS, listFlag, numberFlag, requireStringFlag, stringFlag } from '../args.js';
import type { CommandSpec, ParsedArgs } from '../args.js';
import { buildRouter, parseCommandArgs, processIo, routerProgress, sharedRouterFlags, writeFileAtomic } from '../shared.js';
import type { CliCommand, CliIo } from '../shared.js';

const spec: CommandSpec = {
  name: 'eval',
  summary: 'evaluate routers on MT-Bench, MMLU (MMLU-rest), GSM8K or your own benchmark file: APGR, CPT, plot; or among N models (--models): cost-quality curve, hull, AIQ',
  usage:
    'routellm eval --routers random mf ... --benchmark mt-bench|mmlu|gsm8k|<file.csv|.jsonl> [--data-dir <dir>] [--output <dir>] [--json]\n' +
    '       routellm eval --routers quality ... --benchmark <file.jsonl> --models <a b c ...> [--prices a=in/out,...|<prices.json>] [--output <dir>] [--json]',
  flags: [
    { name: 'routers', type: 'list', value: '<name...>', description: `routers to evaluate (${ROUTER_NAMES.join(', ')})` },
    {
      name: 'benchmark',
      type: 'string',
      value: '<name|file>',
      description: `${EVAL_BENCHMARKS.join(', ')} (MMLU is reported on MMLU-rest, outside the gold split), or a CSV/JSON Lines file: "prompt" plus one score column per model`,
    },
    {
      name: 'outcome',
      type: 'string',
      value: '<scores|pairwise>',
      description: 'scores: APGR on the benchmark\'s own scores (default); pairwise: on each prompt the higher-scored model wins and ties count half, as a pairwise judge would see it',
    },
    { name: 'data-dir', type: 'string', value: '<dir>', description: 'folder holding evals/ (default: ROUTELLM_DATA_DIR; ../shared/data in a source checkout)' },
    { name: 'fetch', type: 'boolean', description: 'download the benchmark from the original RouteLLM repository into the cache folder when it is missing (needs internet)' },
    { name: 'output', type: 'string', value: '<dir>', description: 'write results.json and plot.svg there (created if needed)' },
    { name: 'json', type: 'boolean', description: 'print results.json to stdout instead of the table' },
    { name: 'sweeps', type: 'boolean', description: "also print each router's threshold sweep" },
    { name: 'seeds', type: 'number', value: '<n>', description: 'seeds the random router is averaged over (default 10)' },
    {
      name: 'no-cache',
      type: 'boolean',
      description: "recompute router scores instead of reading the score cache (the Python spelling --overwrite-cache [routers...] does this for every router)",
      aliases: ['overwrite-cache'],
      aliasIgnoresValues: true,
    },
    { name: 'models', type: 'list', value: '<name...>', description: 'route among these models of the benchmark file (N-model evaluation: knob sweep, single models, their hull, oracle, AIQ)' },
    {
      name: 'prices',
      type: 'string',
      value: '<a=in/out,...|file.json>',
      description: "dollars per 1M input/output tokens per model (N-model evaluation); needed when the file has no cost_usd, else they are the policy's view of cost",
    },
    { name: 'cost-scale', type: 'string', value: '<log|linear>', description: "how the knob scales cost across the models (N-model evaluation; default log, the policy's default)" },
    { name: 'output-tokens', type: 'number', value: '<n>', description: 'output tokens per answer for price-based costs (default 300)' },
    ...SHARED_ROUTER_FLAGS,
  ],
  notes:
    '--strong-model/--weak-model pick the two models of the benchmark (columns of your file) and the pair the routers score.\n' +
    'Scores are cached per router, weights checksum and benchmark under <cache dir>/eval-scores; embeddings under <cache dir>/embeddings.',
};

function benchmarkFolder(name: string): string {
  return resolveBenchmarkName(name) === 'mt-bench' ? 'mt_bench' : (resolveBenchmarkName(name) ?? name);
}

/** Runs `routellm eval`. */
export async function runEval(argv: string[], io: CliIo = processIo): Promise<number> {
  const args = parseCommandArgs(argv, spec, io, 0);
  if (!args) return 0;
  const routerNames = listFlag(args, 'routers');
  if (!routerNames) throw new CliUsageError(`Missing required flag --routers. Usage: ${spec.usage}`, '--routers');
  const benchmarkName = requireStringFlag(args, 'benchmark', spec);
  const models = listFlag(args, 'models');
  const outcome = stringFlag(args, 'outcome') ?? 'scores';
  if (outcome !== 'scores' && outcome !== 'pairwise') throw new CliUsageError(`--outcome must be scores or pairwise, got "${outcome}".`, '--outcome');
  if (models && args.flags.outcome !== undefined) throw new CliUsageError('--outcome applies to the strong/weak evaluation, not to --models.', '--outcome');
  if (models) return (await import('./eval-models.js')).runNModelEval(args, io, routerNames, benchmarkName, models);
  for (const flag of ['prices', 'output-tokens', 'cost-scale']) {
    if (args.flags[flag] !== undefined) throw new CliUsageError(`--${flag} applies to the N-model evaluation: name the models with --models.`, `--${flag}`);
  }
  const isFile = /\.(csv|jsonl|json)$/i.test(benchmarkName);
  if (!isFile && !resolveBenchmarkName(benchmarkName)) {
    throw new CliUsageError(
      `--benchmark: unknown benchmark "${benchmarkName}". Valid benchmarks: ${EVAL_BENCHMARKS.join(', ')}, or a .csv/.jsonl file of prompts with per-model scores.`,
      '--benchmark',
    );
  }
  const definitions = routerNames.map(requireRouterDefinition);
  const seeds = numberFlag(args, 'seeds');
  if (seeds !== undefined && (!Number.isInteger(seeds) || seeds < 1)) throw new CliUsageError(`--seeds must be a positive integer, got ${seeds}.`, '--seeds');
  const flags = await sharedRouterFlags(args);
  const withWeights = definitions.filter((definition) => definition.weights);
  if (flags.weights !== undefined && withWeights.length !== 1) {
    throw new CliUsageError('--weights applies to one router: evaluate exactly one router that reads weights with it (or use --config).', '--weights');
  }
  let dataDir = stringFlag(args, 'data-dir');
  if (dataDir !== undefined && !(existsSync(dataDir) && statSync(dataDir).isDirectory())) {
    throw new CliUsageError(`--data-dir: ${dataDir} is not a folder. It should hold evals/mt_bench, evals/mmlu, evals/gsm8k (see --fetch).`, '--data-dir');
  }
  const pair = { strongModel: flags.strongModel, weakModel: flags.weakModel };
  let benchmark;
  try {
    benchmark = await loadEvalBenchmark(benchmarkName, { dataDir, ...pair });
  } catch (error) {
    if (!(DataError.isInstance(error) && error.problem === 'missing') || isFile) throw error;
    const cached = benchmarkCacheDir();
    const canUseCache = dataDir === undefined && !process.env.ROUTELLM_DATA_DIR;
    if (canUseCache && existsSync(path.join(cached, 'evals', benchmarkFolder(benchmarkName)))) {
      dataDir = cached;
    } else if (args.flags.fetch) {
      io.stderr.write(`routellm: ${benchmarkName} not found locally; downloading it from the original RouteLLM repository into ${cached}...\n`);
      dataDir = await fetchBenchmarkData(benchmarkName, {});
    } else {
      throw new CliUsageError(`${error.message}\nOr pass --fetch to download it into ${cached} (needs internet).`, '--data-dir');
    }
    benchmark = await loadEvalBenchmark(benchmarkName, { dataDir, ...pair });
  }
  const specs: RouterSpec[] = [];
  const built: Router[] = [];
  try {
    for (const { name, evaluation } of definitions) {
      if (evaluation === 'seeds') {
        specs.push({ name, options: { ...(flags.config[name] ?? {}) } });
        continue;
      }
      const { router, options } = await buildRouter(name, flags, io);
      built.push(router);
      const cacheKey = scoreCacheKey({ router: name, options, benchmark: `${benchmark.name}:${benchmark.strongModel}:${benchmark.weakModel}`, prompts: benchmark.prompts });
      specs.push({ name, router, cacheKey: args.flags['no-cache'] ? undefined : cacheKey });
    }
    return await evaluateAndReport(args, io, outcome === 'pairwise' ? pairwiseBenchmark(benchmark) : benchmark, specs, seeds);
  } finally {
    for (const router of built) await router.dispose();
  }
}

async function evaluateAndReport(args: ParsedArgs, io: CliIo, benchmark: EvalBenchmark, specs: RouterSpec[], seeds: number | undefined): Promise<number> {
  const result = await evaluateRouters({
    benchmark,
    routers: specs,
    randomSeeds: seeds,
    cacheDir: args.flags['no-cache'] ? false : undefined,
    wrapEmbedder: (embedder) => withDiskCache(embedder),
    onProgress: routerProgress(io, (event) => `scoring ${benchmark.name} with ${event.router}${event.cached ? ' (cached)' : ''}`),
  });
  const json = toResultsJson(result);
  const output = stringFlag(args, 'output');
  if (output !== undefined) {
    if (existsSync(output) && !statSync(output).isDirectory()) throw new CliUsageError(`--output: ${output} is a file, expected a folder.`, '--output');
    await mkdir(output, { recursive: true });
    await writeFileAtomic(path.join(output, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
    await writeFileAtomic(path.join(output, 'plot.svg'), renderPlotSvg(result));
  }
  if (args.flags.json) io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else {
    io.stdout.write(`${formatResultsTable(result, { sweeps: Boolean(args.flags.sweeps) })}\n`);
    if (output !== undefined) io.stdout.write(`\nWrote ${path.join(output, 'results.json')} and ${path.join(output, 'plot.svg')}\n`);
  }
  return 0;
}

/** `routellm eval`. */
export const evalCommand: CliCommand = { name: spec.name, summary: spec.summary, usage: spec.usage, run: (argv) => runEval(argv) };
