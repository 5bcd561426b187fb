import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LabelSummary } from '../../label/label.js';
import { CliUsageError, numberFlag, requireStringFlag, stringFlag } from '../args.js';
import type { CommandSpec } from '../args.js';
import { parseCommandArgs, processIo, readConfigMapping } from '../shared.js';
import type { CliCommand, CliIo } from '../shared.js';

const ROLES = ['strong', 'weak', 'judge'] as const;

const spec: CommandSpec = {
  name: 'label',
  summary: 'answer prompts with the strong and the weak model, grade with a judge, write battles for `routellm train`',
  usage: 'routellm label --input <prompts.jsonl> --output <battles.jsonl> --strong-model M --weak-model M --judge-model M [flags]',
  flags: [
    { name: 'input', type: 'string', value: '<file.jsonl>', description: 'one JSON object per line with a "prompt" string or a "messages" array' },
    { name: 'output', type: 'string', value: '<file.jsonl>', description: 'battles (prompt, model_a = strong, model_b = weak, winner, rating), appended; a re-run skips what it holds' },
    { name: 'answers', type: 'string', value: '<file.jsonl>', description: 'answers of both models, reused by re-runs (default <output>.answers.jsonl)' },
    { name: 'strong-model', type: 'string', value: '<id>', description: 'the strong model; its answer is the reference' },
    { name: 'weak-model', type: 'string', value: '<id>', description: 'the weak model; its answer is graded' },
    { name: 'judge-model', type: 'string', value: '<id>', description: 'the judge' },
    { name: 'base-url', type: 'string', value: '<url>', description: 'one OpenAI-compatible server for every model without its own endpoint' },
    { name: 'api-key', type: 'string', value: '<key>', description: 'key for --base-url and the per-role URLs (default: OPENAI_API_KEY; ANTHROPIC_API_KEY for claude models); never written' },
    ...ROLES.map((role) => ({ name: `${role}-base-url`, type: 'string' as const, value: '<url>', description: `OpenAI-compatible server of the ${role} model` })),
    { name: 'config', type: 'string', value: '<file.json|.yaml>', description: 'label options: endpoints, prices ($ per 1M tokens), template, weakWinsFrom...; flags win' },
    { name: 'template', type: 'string', value: '<file>', description: 'judge prompt with {question}, {reference}, {answer} (default: the built-in single-answer grading)' },
    { name: 'concurrency', type: 'number', value: '<n>', description: 'prompts labelled at once (default 8)' },
    { name: 'limit', type: 'number', value: '<n>', description: 'label at most the first n distinct prompts' },
    { name: 'max-cost', type: 'number', value: '<usd>', description: 'start no new prompt once this many dollars are spent (needs prices)' },
    { name: 'max-tokens', type: 'number', value: '<n>', description: 'max_tokens of the answers' },
    { name: 'max-retries', type: 'number', value: '<n>', description: 'retries per call on 429, 5xx and connection errors, with backoff (default 5)' },
    { name: 'json', type: 'boolean', description: 'print the summary as JSON' },
  ],
  notes: [
    'Rule: the judge rates the weak answer 1-5 against the strong one; a rating >= 4 (weakWinsFrom) is a battle the weak model wins, a lower one the strong model wins.',
    'A re-run skips prompts labelled for the same models, judge and template (no request) and reuses stored answers; failures go to <output>.failed.jsonl and are retried by the next run.',
    'Exit code 1 when a prompt failed (the rest is written).',
    'Example: routellm label --input prompts.jsonl --output labels.jsonl --strong-model gpt-4o --weak-model gpt-4o-mini --judge-model gpt-4o',
  ].join('\n'),
};

/** Runs `routellm label`. */
export async function runLabel(argv: string[], io: CliIo = processIo): Promise<number> {
  const args = parseCommandArgs(argv, spec, io, 0);
  if (!args) return 0;
  const configFile = stringFlag(args, 'config');
  const config = (configFile ? await readConfigMapping(configFile, 'must be a mapping of label options, e.g. {"prices": {...}, "endpoints": {...}}.') : undefined) ?? {};
  const input = requireStringFlag(args, 'input', spec);
  if (!existsSync(input) || !statSync(input).isFile()) throw new CliUsageError(`--input: ${input} is not a file.`, '--input');
  const output = path.resolve(requireStringFlag(args, 'output', spec));
  if (!existsSync(path.dirname(output))) throw new CliUsageError(`--output: the folder ${path.dirname(output)} does not exist.`, '--output');
  const models = Object.fromEntries(ROLES.map((role) => [role, stringFlag(args, `${role}-model`) ?? (config[`${role}Model`] as string | undefined)]));
  for (const role of ROLES) if (!models[role]) throw new CliUsageError(`Missing required flag --${role}-model. Usage: ${spec.usage}`, `--${role}-model`);
  const endpoints = { ...((config.endpoints as Record<string, unknown> | undefined) ?? {}) };
  const apiKey = stringFlag(args, 'api-key');
  for (const role of ROLES) {
    // A per-role URL wins over the config's endpoint; --base-url only fills models without one.
    const url = stringFlag(args, `${role}-base-url`) ?? (models[role]! in endpoints ? undefined : stringFlag(args, 'base-url'));
    if (url !== undefined) endpoints[models[role]!] = { baseURL: url, ...(apiKey ? { apiKey } : {}) };
  }
  const templateFile = stringFlag(args, 'template');
  const options: Record<string, unknown> = {
    ...config,
    input,
    output,
    strongModel: models.strong,
    weakModel: models.weak,
    judgeModel: models.judge,
    endpoints,
    progress: true,
  };
  const optional: [string, unknown][] = [
    ['answers', stringFlag(args, 'answers')],
    ['concurrency', numberFlag(args, 'concurrency')],
    ['limit', numberFlag(args, 'limit')],
    ['maxCost', numberFlag(args, 'max-cost')],
    ['maxTokens', numberFlag(args, 'max-tokens')],
    ['maxRetries', numberFlag(args, 'max-retries')],
    ['template', templateFile === undefined ? undefined : await readTemplate(templateFile)],
  ];
  for (const [key, value] of optional) if (value !== undefined) options[key] = value;
  // Loaded once the flags are checked, so a usage error answers without loading the providers.
  const { labelPrompts } = await import('../../label/label.js');
  const summary = await labelPrompts(options as Parameters<typeof labelPrompts>[0]);
  io.stdout.write(args.flags.json ? `${JSON.stringify(summary)}\n` : describeSummary(summary));
  return summary.failed > 0 ? 1 : 0;
}

async function readTemplate(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new CliUsageError(`--template: cannot read ${file}.`, '--template');
  }
}

function describeSummary(summary: LabelSummary): string {
  const judged = summary.outcomes.strong + summary.outcomes.weak;
  const share = (count: number) => (judged > 0 ? `${((100 * count) / judged).toFixed(1)}%` : '-');
  const lines = [
    `Labelled ${summary.labelled} prompts -> ${summary.output} (${summary.alreadyLabelled} already labelled, ${summary.failed} failed, ${summary.skipped} skipped by --max-cost; ${summary.prompts} distinct of ${summary.inputRows} rows)`,
    `  outcomes: strong wins ${summary.outcomes.strong} (${share(summary.outcomes.strong)}), weak as good ${summary.outcomes.weak} (${share(summary.outcomes.weak)}); ratings ${JSON.stringify(summary.ratings)}`,
    `  requests: ${summary.requests}; tokens: ${JSON.stringify(summary.tokens)}${summary.costUsd === undefined ? '' : `; cost: $${summary.costUsd.toFixed(4)}`}; ${summary.seconds.toFixed(1)}s`,
    `  answers: ${summary.answers}`,
  ];
  if (summary.failed > 0) lines.push(`  failures: ${summary.failures} (run again to retry them)`);
  lines.push(`Next: routellm train sw_ranking --data ${summary.output} --output my-router`);
  return `${lines.join('\n')}\n`;
}

/** `routellm label`. */
export const labelCommand: CliCommand = { name: spec.name, summary: spec.summary, usage: spec.usage, run: (argv) => runLabel(argv) };
