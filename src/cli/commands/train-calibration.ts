/**
 * What `routellm train` adds to the weights folder after training so that `route`, `score` and
 * `serve` work on it as on the shipped weights: `calibration.json`, the router's scores on the
 * training prompts, for the pair the folder serves by default (routers that score a model pair).
 */
import { calibrationSample, writeCalibrationSample } from '../../calibration/sample.js';
import { DEFAULT_STRONG_MODEL, DEFAULT_WEAK_MODEL } from '../../data/models.js';
import { readTrainingData } from '../../data/training-data.js';
import { UnknownModelError } from '../../errors.js';
import type { RouterDefinition } from '../../routers/definition.js';
import type { Router } from '../../routers/types.js';
import { pairFromBattles, type ModelPair } from '../../train/default-pair.js';

/** Most prompts scored for the sample (the first distinct ones, in file order). */
export const CALIBRATION_PROMPTS = 1000;

/** What was recorded. */
export interface TrainedCalibration {
  /** The pair the folder serves by default, for routers that score one. */
  pair?: ModelPair;
  /** How the pair was chosen. */
  pairSource?: 'flags' | 'benchmark pair' | 'win rates in the data';
  /** Number of prompts scored. */
  count: number;
}

/** Builds the router on the new weights for `pair`, or for the benchmarks' pair and else the data's. */
async function buildForPair(
  definition: RouterDefinition,
  weightsDir: string,
  asked: Partial<ModelPair>,
  fromData: () => ModelPair | undefined,
): Promise<{ router: Router; pairSource?: TrainedCalibration['pairSource'] }> {
  if (!definition.scoresModelPair) return { router: await definition.create({ weightsDir }) };
  if (asked.strongModel !== undefined || asked.weakModel !== undefined) {
    return { router: await definition.create({ weightsDir, ...asked }), pairSource: 'flags' };
  }
  try {
    return { router: await definition.create({ weightsDir, strongModel: DEFAULT_STRONG_MODEL, weakModel: DEFAULT_WEAK_MODEL }), pairSource: 'benchmark pair' };
  } catch (error) {
    const chosen = UnknownModelError.isInstance(error) ? fromData() : undefined;
    if (!chosen) throw error;
    return { router: await definition.create({ weightsDir, ...chosen }), pairSource: 'win rates in the data' };
  }
}

/**
 * Scores the distinct prompts of `data` (at most `CALIBRATION_PROMPTS`) with the router trained into
 * `weightsDir` and writes its `calibration.json`. For a pair router the pair is `asked` (the
 * --strong-model/--weak-model flags), else the benchmarks' pair when the weights know it, else the
 * data's strongest and weakest frequent models (`pairFromBattles`).
 */
export async function calibrateTrainedWeights(
  definition: RouterDefinition,
  weightsDir: string,
  data: readonly string[],
  asked: Partial<ModelPair>,
  progress: boolean,
): Promise<TrainedCalibration> {
  const { battles } = await readTrainingData(data);
  const prompts = [...new Set(battles.map((battle) => battle.prompt))].slice(0, CALIBRATION_PROMPTS);
  const { router, pairSource } = await buildForPair(definition, weightsDir, asked, () => pairFromBattles(battles));
  try {
    const files = data.join(', ');
    const calibration = await calibrationSample({
      router,
      name: definition.name,
      weightsDir,
      prompts,
      description: `the first ${prompts.length} distinct prompts of the training files (${files}), in file order`,
      progress,
    });
    await writeCalibrationSample(weightsDir, calibration);
    const pair = calibration.strong_model && calibration.weak_model ? { strongModel: calibration.strong_model, weakModel: calibration.weak_model } : undefined;
    return { ...(pair ? { pair, pairSource } : {}), count: prompts.length };
  } finally {
    await router.dispose();
  }
}
