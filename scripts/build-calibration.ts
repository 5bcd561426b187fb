/**
 * Builds `weights/<router>/calibration.json` for every router whose shipped weights exist: the
 * router's scores on a default sample of general chat prompts (the first user turn of each
 * distinct prompt in ../shared/data/train/arena-battles.jsonl, real Chatbot Arena traffic), so
 * `calibrateThreshold()` and `routellm calibrate` work without the user's own prompts.
 *
 *   npx tsx scripts/build-calibration.ts [--routers mf sw_ranking bert ridge] [--data-dir <dir>]
 *
 * The random router needs no file: its scores are uniform, so its threshold is 1 - p.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CALIBRATION_FILE, thresholdFromScores } from '../src/calibration/index.js';
import type { CalibrationFile } from '../src/calibration/index.js';
import { readJsonLines } from '../src/data/jsonl.js';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL } from '../src/data/models.js';
import { calibrationSample } from '../src/calibration/sample.js';
import { resolveDataDir } from '../src/data/evals.js';
import { createRouter } from '../src/routers/registry.js';
import { writeFileAtomic } from '../src/cli/shared.js';
import { shippedWeightsDir } from '../src/weights-format/paths.js';
import { flagValues } from './flags.js';

const CANDIDATES = ['mf', 'sw_ranking', 'bert', 'ridge'];

async function main(): Promise<void> {
  const dataDir = resolveDataDir(flagValues('data-dir')?.[0]);
  const file = path.join(dataDir, 'train', 'arena-battles.jsonl');
  const prompts = [...new Set((await readJsonLines(file)).map((record) => record.value.prompt).filter((prompt): prompt is string => typeof prompt === 'string'))];
  const description = `the first user turn of the ${prompts.length} distinct prompts of train/arena-battles.jsonl (Chatbot Arena, April-September 2023), in file order`;
  const routers = flagValues('routers') ?? CANDIDATES;
  for (const name of routers) {
    const dir = shippedWeightsDir(name);
    if (!existsSync(path.join(dir, 'manifest.json'))) {
      console.log(`${name}: no shipped weights in ${dir}; skipped`);
      continue;
    }
    const started = Date.now();
    const router = await createRouter(name);
    try {
      // Routers without a pair record the benchmarks' pair: the one their shipped weights were trained for.
      const calibration: CalibrationFile = {
        strong_model: DEFAULT_STRONG_MODEL,
        weak_model: DEFAULT_WEAK_MODEL,
        ...(await calibrationSample({ router, name, weightsDir: dir, prompts, description })),
      };
      const target = path.join(dir, CALIBRATION_FILE);
      const previous = existsSync(target) ? (JSON.parse(readFileSync(target, 'utf8')) as Partial<CalibrationFile>) : undefined;
      const unchanged =
        previous?.weights_checksum === calibration.weights_checksum &&
        previous?.prompts === calibration.prompts &&
        JSON.stringify(previous?.scores) === JSON.stringify(calibration.scores);
      if (!unchanged) await writeFileAtomic(target, `${JSON.stringify(calibration)}\n`);
      const half = thresholdFromScores(calibration.scores, 0.5);
      console.log(
        `${name}: ${prompts.length} prompts scored in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
          `50% strong threshold ${half.threshold.toFixed(5)} (achieves ${(100 * half.strongModelPct).toFixed(1)}%) -> ${target}${unchanged ? ' (unchanged)' : ''}`,
      );
    } finally {
      await router.dispose();
    }
  }
}

await main();
