/**
 * Routing-quality experiment: a format-gated scorer. Multiple-choice prompts (two or more
 * lettered options) are scored by a ridge fit of the exact-pair gap (strong correct - weak
 * correct), chosen on the exact-pair validation split; every other prompt by a ridge fit of an
 * open-ended signal chosen on the proxy pair (nvidia9-test, held out). Each branch's score is
 * mapped to its quantile among the training prompts of that branch, so the two share one scale.
 * Run: `npx tsx scripts/experiments/gated.ts`.
 */
import type { ScoreRow } from '../../src/data/index.js';
import { createRng } from '../../src/train/random.js';
import { difficulty, embedAll, evaluateScores, loadArenaValidation, loadExperiment, pairBenchmark, pairGap, weakFails } from './features.js';
import { isMultipleChoice } from '../../src/routers/ridge/features.js';
import { DIM, featureVector, predict, ridge } from './ridge.js';

const { training, benchmarks, trainEmbeddings, isValidation } = await loadExperiment();
const isProxy = training.map((row) => row.source === 'nvidia9-test');
const arena = await loadArenaValidation();

type Target = (row: ScoreRow) => number | undefined;

const features = new Map<boolean, Float64Array[]>();
const trainFeatures = (useText: boolean) =>
  features.get(useText) ?? features.set(useText, training.map((row, i) => featureVector(trainEmbeddings, i * DIM, row.prompt, useText))).get(useText)!;

function fit(target: Target, useText: boolean, lambda: number) {
  const all = trainFeatures(useText);
  const xs: Float64Array[] = [];
  const ys: number[] = [];
  training.forEach((row, i) => {
    const y = isValidation[i] || isProxy[i] ? undefined : target(row);
    if (y !== undefined) (xs.push(all[i]), ys.push(y));
  });
  const beta = ridge(xs, ys, new Array(xs.length).fill(1), lambda);
  return { beta, useText, name: `λ=${lambda}${useText ? ' +text' : ''}` };
}
type Fit = ReturnType<typeof fit>;

async function scorer(fitted: Fit, prompts: readonly string[]): Promise<Float64Array> {
  const embeddings = await embedAll(prompts);
  return predict(fitted.beta, prompts.map((prompt, i) => featureVector(embeddings, i * DIM, prompt, fitted.useText)));
}

/** Quantile of each value within a sorted reference sample. */
function quantiles(values: Float64Array, reference: Float64Array): Float64Array {
  const sorted = Float64Array.from(reference).sort();
  return values.map((value) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] <= value) lo = mid + 1;
      else hi = mid;
    }
    return lo / sorted.length;
  });
}

const validationRows = training.filter((_, i) => isValidation[i]);
const proxyRows = training.filter((_, i) => isProxy[i]);
const proxy = { rows: proxyRows, strongModel: 'llama-3.1-nemotron-51b-instruct', weakModel: 'mistral-7b-instruct-v0.3' };
const lambdas = [1, 10, 100, 1000];

// Branch A (multiple choice): exact-pair gap, chosen on the multiple-choice validation rows.
const mcValidation = pairBenchmark(validationRows.filter((row) => isMultipleChoice(row.prompt)));
let bestA: { fit: Fit; apgr: number } | undefined;
for (const useText of [false, true]) {
  for (const lambda of lambdas) {
    const fitted = fit(pairGap, useText, lambda);
    const apgr = evaluateScores(mcValidation, await scorer(fitted, mcValidation.rows.map((row) => row.prompt))).apgr ?? 0;
    console.log(`A pair gap ${fitted.name}: multiple-choice validation (${mcValidation.rows.length}) ${apgr.toFixed(3)}`);
    if (!bestA || apgr > bestA.apgr) bestA = { fit: fitted, apgr };
  }
}
// Branch B (everything else): open-ended signals, chosen on the proxy pair.
let bestB: { fit: Fit; apgr: number; target: string } | undefined;
for (const [target, fn] of Object.entries({ 'weak fails': weakFails, difficulty, 'pair gap': pairGap })) {
  for (const useText of [false, true]) {
    for (const lambda of lambdas) {
      const fitted = fit(fn, useText, lambda);
      const apgr = evaluateScores(proxy, await scorer(fitted, proxyRows.map((row) => row.prompt))).apgr ?? 0;
      console.log(`B ${target} ${fitted.name}: proxy ${apgr.toFixed(3)}`);
      if (!bestB || apgr > bestB.apgr) bestB = { fit: fitted, apgr, target };
    }
  }
}
console.log(`chosen: A pair gap ${bestA!.fit.name} (${bestA!.apgr.toFixed(3)}), B ${bestB!.target} ${bestB!.fit.name} (${bestB!.apgr.toFixed(3)})`);

// Reference samples for the quantile maps: the training prompts of each branch.
const trainPrompts = training.filter((_, i) => !isValidation[i] && !isProxy[i]).map((row) => row.prompt);
const referenceA = await scorer(bestA!.fit, trainPrompts.filter(isMultipleChoice));
const referenceB = await scorer(bestB!.fit, trainPrompts.filter((prompt) => !isMultipleChoice(prompt)));
async function gated(prompts: readonly string[]): Promise<Float64Array> {
  const a = quantiles(await scorer(bestA!.fit, prompts), referenceA);
  const b = quantiles(await scorer(bestB!.fit, prompts), referenceB);
  return Float64Array.from(prompts, (prompt, i) => (isMultipleChoice(prompt) ? a[i] : b[i]));
}
const sets = { validation: pairBenchmark(validationRows), proxy, arena, ...benchmarks };
const cells: string[] = [];
for (const [name, set] of Object.entries(sets)) {
  const prompts = set.rows.map((row) => row.prompt);
  const metrics = evaluateScores(set, await gated(prompts));
  const share = prompts.filter(isMultipleChoice).length / prompts.length;
  cells.push(`${name} ${metrics.apgr?.toFixed(3)} / ${metrics.cpt50?.toFixed(1)}% (multiple choice ${(100 * share).toFixed(0)}%)`);
}
console.log(`gated: ${cells.join(' | ')}`);

// --- A third, maths head (experiment only): prompts that are not multiple-choice and hold two or
// more numbers. Validation for it: the maths-gated rows of the proxy set plus a held-out fifth of
// open7-gsm8k-train with its best model (MetaMath-Mistral-7B) against Mistral-7B-v0.1.
const isMaths = (prompt: string) => !isMultipleChoice(prompt) && (prompt.match(/\d+(?:[.,]\d+)?/g)?.length ?? 0) >= 2;
const mathsRng = createRng(5);
const isMathsHeldOut = training.map((row) => row.source === 'open7-gsm8k-train' && mathsRng() < 0.2);
const mathsProxy = { rows: proxyRows.filter((row) => isMaths(row.prompt)), strongModel: proxy.strongModel, weakModel: proxy.weakModel };
const gsmProxy = { rows: training.filter((_, i) => isMathsHeldOut[i]), strongModel: 'meta-math/MetaMath-Mistral-7B', weakModel: 'mistralai/Mistral-7B-v0.1' };
console.log(`maths validation: proxy ${mathsProxy.rows.length}, gsm8k-train ${gsmProxy.rows.length}`);
function fitOn(target: Target, useText: boolean, lambda: number, rowFilter: (row: ScoreRow) => boolean) {
  const all = trainFeatures(useText);
  const xs: Float64Array[] = [];
  const ys: number[] = [];
  training.forEach((row, i) => {
    const y = isValidation[i] || isProxy[i] || isMathsHeldOut[i] || !rowFilter(row) ? undefined : target(row);
    if (y !== undefined) (xs.push(all[i]), ys.push(y));
  });
  return { beta: ridge(xs, ys, new Array(xs.length).fill(1), lambda), useText, name: `λ=${lambda}${useText ? ' +text' : ''} (n=${xs.length})` };
}
let bestM: { fit: Fit; apgr: number; target: string } | undefined;
for (const [target, fn] of Object.entries({ 'weak fails': weakFails, difficulty, 'pair gap': pairGap })) {
  for (const rowsKind of ['all rows', 'maths rows'] as const) {
    for (const useText of [false, true]) {
      for (const lambda of lambdas) {
        const fitted = fitOn(fn, useText, lambda, rowsKind === 'all rows' ? () => true : (row) => isMaths(row.prompt));
        if (fitted.name.endsWith('(n=0)')) continue;
        const a = evaluateScores(mathsProxy, await scorer(fitted, mathsProxy.rows.map((row) => row.prompt))).apgr ?? 0;
        const b = evaluateScores(gsmProxy, await scorer(fitted, gsmProxy.rows.map((row) => row.prompt))).apgr ?? 0;
        const gsm = evaluateScores(benchmarks.gsm8k, await scorer(fitted, benchmarks.gsm8k.rows.map((row) => row.prompt))).apgr ?? 0;
        console.log(`M ${target} on ${rowsKind} ${fitted.name}: maths proxy ${a.toFixed(3)}, gsm8k-train proxy ${b.toFixed(3)}, mean ${((a + b) / 2).toFixed(3)} | GSM8K ${gsm.toFixed(3)}`);
        if (!bestM || (a + b) / 2 > bestM.apgr) bestM = { fit: fitted, apgr: (a + b) / 2, target: `${target} on ${rowsKind}` };
      }
    }
  }
}
console.log(`chosen maths head: ${bestM!.target} ${bestM!.fit.name} (${bestM!.apgr.toFixed(3)})`);
const referenceM = await scorer(bestM!.fit, trainPrompts.filter(isMaths));
async function gated3(prompts: readonly string[]): Promise<Float64Array> {
  const two = await gated(prompts);
  const m = quantiles(await scorer(bestM!.fit, prompts), referenceM);
  return Float64Array.from(prompts, (prompt, i) => (isMaths(prompt) ? m[i] : two[i]));
}
const cells3: string[] = [];
for (const [name, set] of Object.entries(sets)) {
  const metrics = evaluateScores(set, await gated3(set.rows.map((row) => row.prompt)));
  cells3.push(`${name} ${metrics.apgr?.toFixed(3)} / ${metrics.cpt50?.toFixed(1)}%`);
}
console.log(`gated with a maths head: ${cells3.join(' | ')}`);
