/** `routellm eval --models a b c ...`: the evaluation for routing among N models (knob sweep, hull, oracle, AIQ, plot). */
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { withDiskCache } from '../../embedders/disk-cache.js';
import { UnknownModelError } from '../../errors.js';
import { evaluateNModels, formatNModelTable, type NModelRouterSpec } from '../../eval/evaluate-n-models.js';
import { readNModelTable } from '../../eval/n-model-table.js';
import { renderNModelPlotSvg } from '../../eval/n-model-plot.js';
import { readPrices } from '../../eval/prices.js';
import { requireRouterDefinition, ROUTER_DEFINITIONS } from '../../routers/registry.js';
import type { Router } from '../../routers/types.js';
import { CliUsageError, numberFlag, stringFlag, type ParsedArgs } from '../args.js';
import { buildRouter, routerProgress, sharedRouterFlags, writeFileAtomic, type CliIo } from '../shared.js';

/** Runs the N-model evaluation for parsed `eval` arguments that name `--models`. */
export async function runNModelEval(args: ParsedArgs, io: CliIo, routerNames: readonly string[], benchmarkFile: string, models: readonly string[]): Promise<number> {
  if (!/\.jsonl$/i.test(benchmarkFile)) throw new CliUsageError(`--benchmark: with --models, a JSON Lines file with a "correct" or "scores" object per row (and "cost_usd", or --prices), got ${benchmarkFile}.`, '--benchmark');
  const priceSpec = stringFlag(args, 'prices');
  const outputTokens = numberFlag(args, 'output-tokens');
  if (outputTokens !== undefined && !(Number.isInteger(outputTokens) && outputTokens > 0)) throw new CliUsageError(`--output-tokens must be a positive integer, got ${outputTokens}.`, '--output-tokens');
  const costScale = stringFlag(args, 'cost-scale');
  if (costScale !== undefined && costScale !== 'log' && costScale !== 'linear') throw new CliUsageError(`--cost-scale must be log or linear, got ${costScale}.`, '--cost-scale');
  const table = await readNModelTable(benchmarkFile, { models, prices: priceSpec === undefined ? undefined : await readPrices(priceSpec), outputTokens });
  const definitions = routerNames.map(requireRouterDefinition);
  const pairOnly = definitions.filter((definition) => !definition.scoresModels).map((definition) => definition.name);
  if (pairOnly.length > 0) {
    const scoring = ROUTER_DEFINITIONS.filter((definition) => definition.scoresModels).map((definition) => definition.name);
    throw new CliUsageError(`--routers: ${pairOnly.join(', ')} score a model pair only; routing among N models needs a router that scores each model (${scoring.join(', ')}).`, '--routers');
  }
  const flags = await sharedRouterFlags(args);
  if (flags.weights !== undefined && definitions.filter((definition) => definition.weights).length !== 1) {
    throw new CliUsageError('--weights applies to one router: evaluate exactly one router that reads weights with it (or use --config).', '--weights');
  }
  const built: Router[] = [];
  try {
    const specs: NModelRouterSpec[] = [];
    for (const { name } of definitions) {
      const { router } = await buildRouter(name, flags, io);
      built.push(router);
      specs.push({ name, router });
    }
    const onProgress = routerProgress(io, (event) => `scoring ${path.basename(benchmarkFile)} with ${event.router}`);
    const result = await evaluateNModels({ table, routers: specs, costScale, wrapEmbedder: (embedder) => withDiskCache(embedder), onProgress }).catch((error: unknown) => {
      if (UnknownModelError.isInstance(error)) throw new CliUsageError(`${error.message} Evaluate weights that know these models (--weights), or map names in --config.`, '--models');
      throw error;
    });
    const output = stringFlag(args, 'output');
    if (output !== undefined) {
      if (existsSync(output) && !statSync(output).isDirectory()) throw new CliUsageError(`--output: ${output} is a file, expected a folder.`, '--output');
      await mkdir(output, { recursive: true });
      await writeFileAtomic(path.join(output, 'results.json'), `${JSON.stringify({ benchmark: benchmarkFile, ...result }, null, 2)}\n`);
      await writeFileAtomic(path.join(output, 'plot.svg'), renderNModelPlotSvg(result, { title: `Routing among ${table.models.length} models: ${path.basename(benchmarkFile)}` }));
    }
    if (args.flags.json) io.stdout.write(`${JSON.stringify({ benchmark: benchmarkFile, ...result }, null, 2)}\n`);
    else {
      io.stdout.write(`${formatNModelTable(result)}\n`);
      if (output !== undefined) io.stdout.write(`\nWrote ${path.join(output, 'results.json')} and ${path.join(output, 'plot.svg')}\n`);
    }
    return 0;
  } finally {
    for (const router of built) await router.dispose();
  }
}
