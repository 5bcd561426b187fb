/** The MF training loop: battles as examples, Adam epochs over prompt batches, early stopping on the validation loss. */
import { MfTrainer, evaluateMf, initMfParameters, type MfExamples, type MfParameters } from '../../core/models/mf.js';
import type { Battle } from '../../data/types.js';
import { EarlyStopping } from '../../train/early-stopping.js';
import { ProgressBar } from '../../train/progress.js';
import { createRng } from '../../train/random.js';
import { batchIndices } from '../../train/split.js';
import type { TrainMfEvent, TrainMfSettings } from './train.js';

/** Battles as examples: the prompt's row, the winner's and the loser's model index, the weight. */
export function toExamples(battles: readonly Battle[], prompts: readonly string[], models: readonly string[], embeddings: Float32Array, textDim: number): MfExamples {
  const promptIndex = new Map(prompts.map((prompt, i) => [prompt, i]));
  const modelIndex = new Map(models.map((model, i) => [model, i]));
  const count = battles.length;
  const examples: MfExamples = {
    embeddings,
    textDim,
    prompt: new Int32Array(count),
    winner: new Int32Array(count),
    loser: new Int32Array(count),
    weight: new Float32Array(count),
  };
  battles.forEach((battle, i) => {
    const aWins = battle.winner === 'model_a';
    examples.prompt[i] = promptIndex.get(battle.prompt)!;
    examples.winner[i] = modelIndex.get(aWins ? battle.modelA : battle.modelB)!;
    examples.loser[i] = modelIndex.get(aWins ? battle.modelB : battle.modelA)!;
    examples.weight![i] = battle.weight ?? 1;
  });
  return examples;
}

/** What the loop kept: the best epoch's parameters and losses, and why it stopped. */
export interface TrainingOutcome {
  best: MfParameters;
  validation: { loss: number; accuracy: number };
  train: { loss: number; accuracy: number };
  epochsRun: number;
  bestEpoch: number;
  stopReason: 'epochs' | 'early-stopping' | 'time-budget';
}

/** Trains from the initial parameters until the epochs, the patience or the time budget run out. */
export async function runTraining(
  examples: MfExamples,
  trainIndices: number[],
  validationIndices: number[],
  numModels: number,
  parsed: TrainMfSettings,
  emit: (event: TrainMfEvent) => void,
): Promise<TrainingOutcome> {
  const byPrompt = new Map<number, number[]>();
  for (const index of trainIndices) {
    const prompt = examples.prompt[index];
    const list = byPrompt.get(prompt);
    if (list) list.push(index);
    else byPrompt.set(prompt, [index]);
  }
  const trainPrompts = [...byPrompt.keys()].sort((a, b) => a - b);
  const initial = initMfParameters({ numModels, textDim: examples.textDim, dim: parsed.dim }, parsed.seed);
  const trainer = await MfTrainer.create(initial, {
    learningRate: parsed.learningRate,
    weightDecay: parsed.weightDecay,
    noiseStd: parsed.noiseStd,
    seed: parsed.seed + 1,
  });
  const order = createRng(parsed.seed + 2);
  const stopper = new EarlyStopping({ patience: parsed.patience });
  const monitored = validationIndices.length > 0 ? validationIndices : trainIndices;
  const unweighted: MfExamples = { ...examples, weight: undefined };
  let best = initial;
  let bestValidation = { loss: Number.NaN, accuracy: Number.NaN };
  let epochsRun = 0;
  let stopReason: TrainingOutcome['stopReason'] = 'epochs';
  const loopStartedAt = Date.now();
  try {
    for (let epoch = 0; epoch < parsed.epochs; epoch++) {
      const epochStartedAt = Date.now();
      const batches = batchIndices(trainPrompts.length, parsed.batchSize, order);
      const label = `mf: epoch ${epoch + 1}/${parsed.epochs}`;
      // A redrawn bar per epoch on a terminal; in a log, one line per epoch.
      const bar = parsed.progress && process.stderr.isTTY ? new ProgressBar(batches.length, { label }) : undefined;
      let lossSum = 0;
      for (let step = 0; step < batches.length; step++) {
        const prompts = Int32Array.from(batches[step], (position) => trainPrompts[position]);
        const loss = trainer.step(examples, prompts, byPrompt);
        lossSum += loss;
        if (bar && (step % 10 === 0 || step === batches.length - 1)) bar.update(step + 1, `loss ${(lossSum / (step + 1)).toFixed(4)}`);
        if (parsed.onProgress && step % 20 === 0) emit({ phase: 'step', epoch, epochs: parsed.epochs, step, steps: batches.length, loss });
      }
      epochsRun = epoch + 1;
      const current = trainer.parameters();
      const validation = await evaluateMf(current, unweighted, monitored);
      const { improved, stop } = stopper.update(validation.loss, epoch);
      if (improved) {
        best = current;
        bestValidation = { loss: validation.loss, accuracy: validation.accuracy };
      }
      const trainLoss = lossSum / Math.max(1, batches.length);
      const summary = `loss ${trainLoss.toFixed(4)} val loss ${validation.loss.toFixed(4)} val acc ${(validation.accuracy * 100).toFixed(2)}%${improved ? ' *' : ''}`;
      if (bar) bar.finish(summary);
      else if (parsed.progress) process.stderr.write(`${label} done in ${((Date.now() - epochStartedAt) / 1000).toFixed(1)}s ${summary}\n`);
      emit({
        phase: 'epoch',
        epoch,
        epochs: parsed.epochs,
        trainLoss,
        validationLoss: validation.loss,
        validationAccuracy: validation.accuracy,
        improved,
        seconds: (Date.now() - epochStartedAt) / 1000,
      });
      if (stop) {
        stopReason = 'early-stopping';
        break;
      }
      const elapsed = (Date.now() - loopStartedAt) / 1000;
      if (parsed.timeBudgetSeconds !== undefined && epoch + 1 < parsed.epochs && elapsed + elapsed / epochsRun > parsed.timeBudgetSeconds) {
        stopReason = 'time-budget';
        break;
      }
    }
  } finally {
    trainer.dispose();
  }
  const train = await evaluateMf(best, unweighted, trainIndices);
  return { best, validation: bestValidation, train: { loss: train.loss, accuracy: train.accuracy }, epochsRun, bestEpoch: stopper.bestEpoch, stopReason };
}
