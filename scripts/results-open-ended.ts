/**
 * The results page's open-ended validation section: each shipped router on the arenabench prompts
 * graded for both benchmark models (open-ended Chatbot Arena first turns). A router that never
 * trained on them is scored once with its shipped weights; one whose weights were fitted on them
 * (the ridge router's open head) gets out-of-fold scores instead: the whole router, with its open
 * head refitted on the other nine folds with its manifest's settings (its other heads never saw
 * these prompts). Spread: over the ten folds (folds by prompt), and over 200 bootstrap resamples
 * of the prompts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { withDiskCache } from '../src/embedders/disk-cache.js';
import { scorePrompts } from '../src/eval/scoring.js';
import { createRouter } from '../src/routers/registry.js';
import type { RidgeExtra } from '../src/routers/ridge/weights.js';
import { shippedWeightsDir } from '../src/weights-format/paths.js';
import { pairBenchmark } from './experiments/features.js';
import { apgrOn, bootstrapSd, noiseFloorOn, FOLDS, foldsFor, gatedOutOfFold, loadGatedRouter, loadOpenEnded, mean, sd, type OpenEndedSet } from './experiments/open-ended-folds.js';

interface Row {
  router: string;
  how: string;
  apgr: number;
  foldSd: number;
  bootstrap: number;
  /** APGR of the same scores in the pairwise view (`set.pairwise`). */
  pairwise: number;
}

function spread(set: OpenEndedSet, scores: ArrayLike<number>, folds: number[]): { foldSd: number; bootstrap: number } {
  const perFold = Array.from({ length: FOLDS }, (_, fold) => {
    const held = set.rows.flatMap((_, i) => (folds[i] === fold ? [i] : []));
    return apgrOn(pairBenchmark(held.map((i) => set.rows[i])), held.map((i) => scores[i]));
  });
  return { foldSd: sd(perFold), bootstrap: bootstrapSd(set, scores) };
}

/** The markdown section (and one line per router on the console). */
export async function openEndedSection(routers: readonly string[], dataDir?: string): Promise<string> {
  const set = await loadOpenEnded(dataDir);
  const folds = foldsFor(set.rows.length, 0);
  const rows: Row[] = [];
  for (const name of routers) {
    if (name === 'random') continue;
    const open = name === 'ridge' ? (JSON.parse(readFileSync(path.join(shippedWeightsDir('ridge'), 'manifest.json'), 'utf8')).extra as RidgeExtra).heads.open : undefined;
    if (open?.sources?.includes('arenabench-scores')) {
      const router = await loadGatedRouter(dataDir);
      const runs = [0, 1, 2].map((repeat) => gatedOutOfFold(set, router, open, foldsFor(set.rows.length, repeat)));
      rows.push({
        router: name,
        how: `out-of-fold (open head refitted per fold, mean of 3 fold draws)`,
        apgr: mean(runs.map((run) => apgrOn(set.benchmark, run.scores))),
        pairwise: mean(runs.map((run) => apgrOn(set.pairwise, run.scores))),
        ...spread(set, runs[0].scores, folds),
      });
      continue;
    }
    const router = await createRouter(name);
    try {
      const scores = await scorePrompts(router, set.prompts, { cacheDir: false, wrapEmbedder: (embedder) => withDiskCache(embedder) });
      rows.push({ router: name, how: 'shipped weights (never trained on these prompts)', apgr: apgrOn(set.benchmark, scores), pairwise: apgrOn(set.pairwise, scores), ...spread(set, scores, folds) });
    } finally {
      await router.dispose();
    }
  }
  const noise = noiseFloorOn(set.benchmark);
  const pairwiseNoise = noiseFloorOn(set.pairwise);
  for (const row of rows) console.log(`open-ended: ${row.router} APGR ${row.apgr.toFixed(3)}, pairwise ${row.pairwise.toFixed(3)} (${row.how})`);
  return [
    `${set.rows.length} open-ended Chatbot Arena first turns (\`train/arenabench-scores.jsonl\`) graded 1-10 by a GPT-4 judge for both`,
    'gpt-4-1106-preview and Mixtral-8x7B-Instruct. This is the validation set the default router was chosen on (docs/experiments.md,',
    'sections 11 and 13); weights fitted on it are reported out-of-fold only. Folds are by prompt (10 folds).',
    '',
    '| router | how it was scored | APGR | sd over folds | bootstrap sd | above random by | pairwise view |',
    '|---|---|---|---|---|---|---|',
    `| random (${noise.draws} draws) | one seed per draw | ${noise.apgrMean.toFixed(3)} | | ${noise.apgrSd.toFixed(3)} (over draws) | | ${pairwiseNoise.apgrMean.toFixed(3)} ± ${pairwiseNoise.apgrSd.toFixed(3)} |`,
    ...rows.map(
      (row) =>
        `| ${row.router} | ${row.how} | ${row.apgr.toFixed(3)} | ${row.foldSd.toFixed(3)} | ${row.bootstrap.toFixed(3)} | ${((row.apgr - 0.5) / noise.apgrSd).toFixed(1)} sd | ${row.pairwise.toFixed(3)} |`,
    ),
    '',
    '"sd over folds" is the spread of the APGR of each fold of ~29 prompts alone; "bootstrap sd" the spread of the whole-set APGR when',
    'the prompts are resampled: read differences under ~2 bootstrap sd (about 0.05) as noise. "pairwise view": the same scores when each',
    "prompt only says which answer graded higher (ties half), as a pairwise judge reports it (`routellm eval --outcome pairwise`); not used",
    'to choose. A router can do well by grade and be near chance in this view: the grade rewards finding the prompts the weak model',
    'botches badly, the pairwise view every prompt where it loses at all (docs/experiments.md, section 16).',
  ].join('\n');
}
