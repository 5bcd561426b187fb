/**
 * Ensembles of the shipped routers (issue: routing quality): each router's score is mapped to its
 * quantile on the router's own calibration sample (weights/<router>/calibration.json, 580 Arena
 * prompts), and the ensemble averages those quantiles. Every subset of two or more routers is
 * scored on the validation split (RouterBench `*_test` rows with the benchmark pair) and on the
 * three benchmarks. Run: `npx tsx scripts/experiments/ensemble.ts`.
 *
 * The shipped mf was trained on the RouterBench `*_test` files too, so its validation numbers
 * (and any subset with it) are optimistic: marked with `*`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRouter } from '../../src/routers/registry.js';
import { scorePrompts } from '../../src/eval/scoring.js';
import { withDiskCache } from '../../src/embedders/disk-cache.js';
import { shippedWeightsDir } from '../../src/weights-format/paths.js';
import { evaluateScores, loadBenchmarks, loadRouterBenchTest, pairBenchmark, type ScoredRows } from './features.js';

const ROUTERS = ['sw_ranking', 'mf', 'bert'] as const;

/** Maps a score to the share of calibration scores below it (ties count half). */
function quantileMap(calibration: readonly number[]): (score: number) => number {
  const sorted = [...calibration].sort((a, b) => a - b);
  const below = (value: number, strict: boolean) => {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (strict ? sorted[middle] < value : sorted[middle] <= value) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  return (score) => (below(score, true) + below(score, false)) / 2 / sorted.length;
}

async function main(): Promise<void> {
  const benchmarks: Record<string, ScoredRows> = { validation: pairBenchmark((await loadRouterBenchTest()).rows), ...(await loadBenchmarks()) };
  // quantile scores[router][benchmark]
  const quantiles: Record<string, Record<string, Float64Array>> = {};
  for (const name of ROUTERS) {
    const calibration = JSON.parse(await readFile(path.join(shippedWeightsDir(name), 'calibration.json'), 'utf8')).scores as number[];
    const toQuantile = quantileMap(calibration);
    const router = await createRouter(name);
    quantiles[name] = {};
    for (const [benchmark, data] of Object.entries(benchmarks)) {
      const scores = await scorePrompts(router, data.rows.map((row) => row.prompt), { cacheDir: false, wrapEmbedder: (embedder) => withDiskCache(embedder) });
      quantiles[name][benchmark] = Float64Array.from(scores, toQuantile);
    }
    await router.dispose();
  }
  const subsets: string[][] = [];
  for (let mask = 1; mask < 1 << ROUTERS.length; mask++) subsets.push(ROUTERS.filter((_, index) => mask & (1 << index)));
  console.log(`| routers | ${Object.keys(benchmarks).join(' | ')} |`);
  console.log(`|---|${Object.keys(benchmarks).map(() => '---').join('|')}|`);
  for (const subset of subsets) {
    const cells = Object.entries(benchmarks).map(([benchmark, data]) => {
      const mean = new Float64Array(data.rows.length);
      for (const name of subset) quantiles[name][benchmark].forEach((value, index) => (mean[index] += value / subset.length));
      const metrics = evaluateScores(data, mean);
      return `${metrics.apgr!.toFixed(3)} / ${metrics.cpt50!.toFixed(1)}%`;
    });
    console.log(`| ${subset.join(' + ')}${subset.includes('mf') ? ' *' : ''} | ${cells.join(' | ')} |`);
  }
}

await main();
