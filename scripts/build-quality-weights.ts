/**
 * Builds the `quality` router's shipped heads and the N-model results of docs/results.md:
 *
 *   nice -n 10 npx tsx scripts/build-quality-weights.ts [routerbench] [nvidia9] [arenabench]
 *
 * For each set: read the training split (RouterBench: the three `*_train` files, real costs;
 * nvidia9: `nvidia9-train`; arenabench: all 299 prompts, prices from docs/results/prices), embed
 * with use-lite through the disk cache, and choose the head (ridge penalty, or k and prior of the
 * nearest-prompt head) by 5-fold cross-validation by prompt on the training split, maximising the
 * out-of-fold AIQ (with the knob's cost scale, log or linear, chosen the same way). The chosen head is refitted on the whole split and written to `weights/quality`
 * (RouterBench), `weights/quality/nvidia9` or `weights/quality/arenabench`.
 *
 * Then the held-out evaluation, written to docs/results/n-models/<set>/{results.json,plot.svg}:
 * RouterBench on the union of the `*_test` files (and each file alone), nvidia9 on
 * `nvidia9-test`; arenabench out-of-fold only: 10 folds by prompt, each fold scored by a head
 * chosen (5-fold CV) and fitted on the other nine folds alone. No test row is read before the
 * head is fixed. Fold assignments are seeded (CV seed 1, arenabench outer folds seed 100).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { evaluateNModels, formatNModelTable } from '../src/eval/evaluate-n-models.js';
import { renderNModelPlotSvg } from '../src/eval/n-model-plot.js';
import { singleModelPoints } from '../src/eval/cost-quality.js';
import type { NModelTable } from '../src/eval/n-model-table.js';
import { fitQualityHead, type QualityHead } from '../src/routers/quality/head.js';
import type { CostScale } from '../src/policy/index.js';
import { loadQualityHead, saveQualityHead } from '../src/routers/quality/weights.js';
import { shippedWeightsDir } from '../src/weights-format/paths.js';
import { CANDIDATES, choose, concat, embedder, foldsOf, load, predictFolds, predictSplit, type Choice, type Split } from './quality-recipe.js';

const RESULTS = path.join('docs', 'results', 'n-models');

function modelMeans(table: NModelTable): Record<string, number> {
  return Object.fromEntries(singleModelPoints(table).map((p) => [p.model, p.quality]));
}

async function ship(name: string, dir: string, split: Split, prices: string | undefined, note: string): Promise<Choice & { head: QualityHead }> {
  console.log(`${name}: ${split.table.count} training prompts, ${split.table.models.length} models`);
  const { settings, costScale, table } = choose(split, console.log);
  console.log(`${name}: chosen ${JSON.stringify(settings)}, ${costScale} cost scale`);
  const head = fitQualityHead(split.table, split.embeddings, settings);
  await saveQualityHead(dir, head, {
    embedder: { id: embedder.id, dimension: embedder.dimension },
    hyperparameters: { costScale },
    data: { sources: split.files.map((file) => ({ name: path.basename(file, '.jsonl'), file: `train/${file}` })), rows: split.table.count, prices: prices ?? null },
    metrics: { crossValidatedAiq: table[`${JSON.stringify(settings)} ${costScale}`] },
    notes:
      `${note} Made by \`nice -n 10 npx tsx scripts/build-quality-weights.ts ${name}\`: use-lite embeddings (disk cache); the head and the knob's cost scale ` +
      '(hyperparameters.costScale, the scale its results were measured with) chosen by 5-fold cross-validation by prompt (seed 1) on the training split, ' +
      'maximising out-of-fold AIQ; then the head refitted on the whole split.',
    extra: { modelMeans: modelMeans(split.table), crossValidation: table },
  });
  // Evaluate what ships: the head as read back (a kNN head's training prompts are stored as int8 codes).
  return { settings, costScale, head: (await loadQualityHead(dir)).head };
}

async function report(name: string, split: Split, scores: ArrayLike<number>, costScale: CostScale): Promise<void> {
  const result = await evaluateNModels({ table: split.table, routers: [{ name: 'quality', scores }], costScale });
  const dir = path.join(RESULTS, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'results.json'), `${JSON.stringify({ benchmark: split.files, ...result }, null, 2)}\n`);
  writeFileSync(path.join(dir, 'plot.svg'), renderNModelPlotSvg(result, { title: `Routing among ${split.table.models.length} models: ${name}` }));
  console.log(`\n== ${name} (${split.files.join(', ')})\n${formatNModelTable(result)}\n`);
}

const sets = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['routerbench', 'nvidia9', 'arenabench'];
const TASKS = ['arc_challenge', 'mbpp', 'winogrande'];
if (sets.includes('routerbench')) {
  const train = await load(TASKS.map((task) => `routerbench-${task}_train.jsonl`));
  const { head, costScale } = await ship('routerbench', shippedWeightsDir('quality'), train, undefined, 'RouterBench (11 models, correctness 0/1, real per-answer costs).');
  const tests = await Promise.all(TASKS.map((task) => load([`routerbench-${task}_test.jsonl`])));
  const all = concat(tests);
  await report('routerbench-test', all, predictSplit(head, all), costScale);
  for (const [i, test] of tests.entries()) await report(`routerbench-${TASKS[i]}_test`, test, predictSplit(head, test), costScale);
}
if (sets.includes('nvidia9')) {
  const prices = 'docs/results/prices/nvidia9.json';
  const train = await load(['nvidia9-train.jsonl'], prices);
  const { head, costScale } = await ship('nvidia9', path.join(shippedWeightsDir('quality'), 'nvidia9'), train, prices, 'nvidia9 (9 open models, scores in [0, 1]).');
  const test = await load(['nvidia9-test.jsonl'], prices);
  await report('nvidia9-test', test, predictSplit(head, test), costScale);
}
if (sets.includes('arenabench')) {
  const prices = 'docs/results/prices/arenabench.json';
  const all = await load(['arenabench-scores.jsonl'], prices);
  const outer = foldsOf(all.table.count, 10, 100);
  const chosen: Choice[] = [];
  const scores = predictFolds(all, CANDIDATES[0], outer, (train) => {
    const choice = choose(train, () => {});
    chosen.push(choice);
    return choice.settings;
  });
  // One sweep over the pooled out-of-fold scores needs one scale: the one most folds chose on their own training folds.
  const linearVotes = chosen.filter((choice) => choice.costScale === 'linear').length;
  const costScale: CostScale = linearVotes > chosen.length / 2 ? 'linear' : 'log';
  console.log(chosen.map((choice, fold) => `fold ${fold}: ${JSON.stringify(choice.settings)} ${choice.costScale}`).join('\n'));
  await report('arenabench-out-of-fold', all, scores, costScale);
  await ship('arenabench', path.join(shippedWeightsDir('quality'), 'arenabench'), all, prices, 'arena-bench (16 models, GPT-4 grades 1-10 on 299 open-ended prompts; rows lacking a grade of any model dropped).');
}
await embedder.dispose();
