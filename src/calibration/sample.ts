/**
 * Making a weights folder's `calibration.json`: a router's scores on a sample of prompts, with the
 * pair they were scored for. `scripts/build-calibration.ts` makes the shipped ones from Arena
 * traffic; `routellm train` makes one for every folder it writes, from the training prompts.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withDiskCache } from '../embedders/disk-cache.js';
import { scorePrompts, weightsChecksum } from '../eval/scoring.js';
import { ProgressBar } from '../train/progress.js';
import type { Router } from '../routers/types.js';
import { CALIBRATION_FILE } from '../weights-format/paths.js';
import type { CalibrationFile } from './index.js';

/** What `calibrationSample` scores. */
export interface CalibrationSampleInput {
  /** The router, built from the weights in `weightsDir` (for the pair to record, when it scores one). */
  router: Router;
  /** The router's canonical name. */
  name: string;
  /** The weights folder the router was built from (its checksum is recorded). */
  weightsDir: string;
  /** The prompts to score. */
  prompts: readonly string[];
  /** Which prompts they are, in words (the file's `prompts` field). */
  description: string;
  /** Show a progress bar with rate and time left on stderr. */
  progress?: boolean;
}

/** Scores the sample (embeddings through the disk cache) and returns the `calibration.json` contents. */
export async function calibrationSample(input: CalibrationSampleInput): Promise<CalibrationFile> {
  const bar = input.progress ? new ProgressBar(input.prompts.length, { label: `${input.name}: calibration sample` }) : undefined;
  const scores = await scorePrompts(input.router, input.prompts, {
    cacheDir: false,
    wrapEmbedder: (embedder) => withDiskCache(embedder),
    onProgress: ({ done }) => bar?.update(done),
  });
  bar?.finish();
  const pair = input.router as { strongModel?: string; weakModel?: string };
  return {
    format: 1,
    router: input.name,
    prompts: input.description,
    count: input.prompts.length,
    ...(pair.strongModel && pair.weakModel ? { strong_model: pair.strongModel, weak_model: pair.weakModel } : {}),
    weights_checksum: weightsChecksum(input.weightsDir),
    created: new Date().toISOString(),
    scores: Array.from(scores, (score) => Math.round(score * 1e6) / 1e6),
  };
}

/** Writes `calibration` as the `calibration.json` of `weightsDir`. */
export async function writeCalibrationSample(weightsDir: string, calibration: CalibrationFile): Promise<string> {
  const file = path.join(weightsDir, CALIBRATION_FILE);
  await writeFile(file, `${JSON.stringify(calibration)}\n`);
  return file;
}
