/**
 * The "Routing among N models" section of docs/results.md, from the results that
 * scripts/build-quality-weights.ts writes to docs/results/n-models/<set>/results.json.
 * scripts/results.ts puts it in the page; run alone, it replaces the section in place:
 *
 *   npx tsx scripts/n-model-results.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NModelEvaluation } from '../src/eval/evaluate-n-models.js';
import { packageRoot } from '../src/weights-format/paths.js';

const SETS = [
  ['routerbench-test', 'RouterBench `*_test` files, union (11 models, real per-answer costs)', 'weights/quality'],
  ['nvidia9-test', 'nvidia9-test (9 open models, scores in [0, 1], size-tier prices)', 'weights/quality/nvidia9'],
  ['arenabench-out-of-fold', 'arena-bench, out-of-fold (16 models, GPT-4 grades 1-10, list prices)', 'weights/quality/arenabench (evaluated out-of-fold)'],
  ['routerbench-arc_challenge_test', 'RouterBench arc_challenge_test alone', 'weights/quality'],
  ['routerbench-mbpp_test', 'RouterBench mbpp_test alone', 'weights/quality'],
  ['routerbench-winogrande_test', 'RouterBench winogrande_test alone', 'weights/quality'],
] as const;

export const N_MODEL_HEADING = '## Routing among N models (cost-quality knob)';

/** The section's text (heading included); empty when no results were written. */
export function nModelSection(): string {
  const rows: string[] = [];
  const plots: string[] = [];
  for (const [name, label, weights] of SETS) {
    const file = path.join(packageRoot(), 'docs', 'results', 'n-models', name, 'results.json');
    if (!existsSync(file)) continue;
    const result = JSON.parse(readFileSync(file, 'utf8')) as NModelEvaluation;
    const router = result.routers.quality;
    const beats = router.aiq > result.singleHull.aiq && router.shareAboveHull >= 0.5;
    rows.push(
      `| ${label} | ${result.prompts} | ${weights} | ${result.costScale} | **${router.aiq.toFixed(4)}** | ${result.singleHull.aiq.toFixed(4)} | ${result.oracle.aiq.toFixed(4)} | ${(100 * router.shareAboveHull).toFixed(0)}% | ${beats ? 'yes' : 'no'} |`,
    );
    plots.push(`[${name}](results/n-models/${name}/plot.svg)`);
  }
  if (rows.length === 0) return '';
  return [
    N_MODEL_HEADING,
    '',
    'The `quality` router predicts each model\'s result from the prompt embedding; `chooseModel` turns the predictions and each',
    "model's expected cost into a choice with one knob (0: cheapest, 1: best predicted). Each curve is the upper convex hull of the",
    'knob sweep (101 values), set against the single models, their convex hull (every random mix of single models) and the oracle',
    "(the knob swept over the true results). **AIQ** (RouterBench's area measure): the mean quality of a hull over mean cost per",
    'request, linear dollars, from the cheapest to the dearest single model; a hull stays flat past its dearest point and counts as',
    'the worst single model below its cheapest. "Above" is the share of that cost range where the router\'s hull is above the',
    "single-model hull. Heads and the knob's cost scale were chosen by cross-validation on the training splits only",
    '(docs/experiments.md, section 14); the first three rows are the held-out sets, the last three the RouterBench test files one by one.',
    'Reproduce: `nice -n 10 npx tsx scripts/build-quality-weights.ts`, or per set `routellm eval --routers quality --benchmark <file>',
    '--models ... [--prices docs/results/prices/<set>.json] --cost-scale <scale> --weights <weights>`.',
    '',
    '| set | prompts | weights | cost scale | router AIQ | single-model hull AIQ | oracle AIQ | router above the hull | beats the hull |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Plots: ${plots.join(', ')}; sweeps, hulls and single-model points in the \`results.json\` beside each plot.`,
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const page = path.join(packageRoot(), 'docs', 'results.md');
  const text = readFileSync(page, 'utf8');
  const start = text.indexOf(N_MODEL_HEADING);
  const section = nModelSection();
  let updated: string;
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + N_MODEL_HEADING.length);
    updated = text.slice(0, start) + section + (next >= 0 ? `\n${text.slice(next)}` : '\n');
  } else {
    const anchor = text.indexOf('## What to expect on your traffic');
    updated = anchor >= 0 ? `${text.slice(0, anchor)}${section}\n\n${text.slice(anchor)}` : `${text}\n${section}\n`;
  }
  writeFileSync(page, updated);
  console.log('Wrote the N-model section of docs/results.md');
}
