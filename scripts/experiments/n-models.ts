/**
 * Routing among N models with the `quality` heads (docs/experiments.md, "N models"): one cost
 * scale of the knob held fixed (log or linear), optionally a wider set of nearest-prompt heads,
 * the head chosen by cross-validated AIQ on the training split as scripts/build-quality-weights.ts
 * does, then scored once on the held-out split (arenabench: out-of-fold, nested).
 *
 *   nice -n 10 npx tsx scripts/experiments/n-models.ts <routerbench|nvidia9|arenabench> <log|linear> [wide]
 */
import { areaMeasure, knobSweep, shareAbove, singleModelPoints, singleModelRange, upperHull } from '../../src/eval/cost-quality.js';
import type { CostScale } from '../../src/policy/index.js';
import { fitQualityHead, type QualityHeadSettings } from '../../src/routers/quality/head.js';
import { CANDIDATES, choose, concat, embedder, foldsOf, load, predictFolds, predictSplit, type Split } from '../quality-recipe.js';

const [which = 'arenabench', scale = 'log', wide] = process.argv.slice(2) as [string, CostScale, string?];
const candidates: QualityHeadSettings[] = wide
  ? [...CANDIDATES, ...[25, 50, 100].flatMap((k) => [20, 50].map((prior) => ({ kind: 'knn' as const, k, prior })))]
  : CANDIDATES;
const sweep = { costScale: scale };
const quiet = () => {};

function report(name: string, split: Split, scores: Float32Array): void {
  const singles = singleModelPoints(split.table);
  const range = singleModelRange(singles);
  const hull = upperHull(singles);
  const curve = upperHull(knobSweep(split.table, scores, undefined, sweep));
  console.log(`${name} [${scale}${wide ? ', wide' : ''}]: AIQ ${areaMeasure(curve, range).toFixed(4)} vs hull ${areaMeasure(hull, range).toFixed(4)}; above the hull on ${(100 * shareAbove(curve, hull, range)).toFixed(0)}% of the costs`);
}

if (which === 'arenabench') {
  const all = await load(['arenabench-scores.jsonl'], 'docs/results/prices/arenabench.json');
  const chosen: string[] = [];
  const scores = predictFolds(all, candidates[0], foldsOf(all.table.count, 10, 100), (train) => {
    const { settings } = choose(train, quiet, [scale], candidates);
    chosen.push(JSON.stringify(settings));
    return settings;
  });
  console.log(chosen.join(' '));
  report('arenabench out-of-fold', all, scores);
} else {
  const tasks = ['arc_challenge', 'mbpp', 'winogrande'];
  const [trainFiles, testFiles, prices] =
    which === 'routerbench'
      ? [tasks.map((t) => `routerbench-${t}_train.jsonl`), tasks.map((t) => `routerbench-${t}_test.jsonl`), undefined]
      : [['nvidia9-train.jsonl'], ['nvidia9-test.jsonl'], 'docs/results/prices/nvidia9.json'];
  const train = await load(trainFiles, prices);
  const { settings } = choose(train, console.log, [scale], candidates);
  const head = fitQualityHead(train.table, train.embeddings, settings);
  const tests = await Promise.all(testFiles.map((file) => load([file], prices)));
  const test = tests.length > 1 ? concat(tests) : tests[0];
  console.log(`chosen ${JSON.stringify(settings)}`);
  report(`${which} test`, test, predictSplit(head, test));
}
await embedder.dispose();
