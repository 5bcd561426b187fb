/**
 * MF router speed: scoring throughput from precomputed embeddings (batch 1, 64, 1,000), decisions
 * per second including use-lite embedding (batch 1 and 64; in-thread and on one worker thread
 * per CPU), and time per training epoch.
 * Baseline for scoring: the unfolded model (project, normalise, score both models) on the same
 * embeddings, so the folding speed-up is a ratio on this machine.
 *
 *   npx tsx bench/mf.bench.ts [--weights DIR] [--prompts 256] [--train-prompts 2000]
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/core/backend.js';
import { MfTrainer, foldMfPair, initMfParameters, mfModelScores, scoreFolded, type MfExamples, type MfParameters } from '../src/core/models/mf.js';
import { resolveDataDir } from '../src/data/evals.js';
import { readJsonLines } from '../src/data/jsonl.js';
import { createUseLiteEmbedder } from '../src/embedders/use-lite/index.js';
import { MfRouter } from '../src/routers/mf/index.js';
import { createRng, gaussian, type Rng } from '../src/train/random.js';
import { batchIndices } from '../src/train/split.js';
import { shippedWeightsDir } from '../src/weights-format/paths.js';
import { readManifest } from '../src/weights-format/weights.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(run: () => void, repeats: number): number {
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      weights: { type: 'string' },
      prompts: { type: 'string', default: '256' },
      'train-prompts': { type: 'string', default: '2000' },
    },
  });
  const backend = await initBackend();
  console.log(`backend: ${backend.name} (${backend.reason})`);
  const weightsDir = values.weights ?? shippedWeightsDir('mf');
  const haveWeights = existsSync(path.join(weightsDir, 'manifest.json'));
  const textDim = 512;
  const rng = createRng(1);
  const parameters = initMfParameters({ numModels: 40, textDim, dim: 128 }, 1);

  console.log('\n## Scoring from embeddings (excludes embedding)');
  const folded = foldMfPair(parameters, 0, 1);
  const router = haveWeights ? await MfRouter.create({ weightsDir, embedder: createUseLiteEmbedder({ cacheSize: 0 }) }) : undefined;
  const routerDim = router ? router.embedder.dimension : textDim;
  const table: string[] = [
    '| batch | router.strongWinRatesFromEmbeddings scores/s | folded core scores/s | unfolded model scores/s | folded / unfolded |',
    '|---|---|---|---|---|',
  ];
  for (const batch of [1, 64, 1000]) {
    const embeddings = Float32Array.from({ length: batch * textDim }, () => gaussian(rng) / Math.sqrt(textDim));
    const calls = Math.max(1, Math.floor(20000 / batch));
    const foldedMs = time(() => {
      for (let c = 0; c < calls; c++) scoreFolded(folded, embeddings, batch);
    }, 5);
    let routerRate = Number.NaN;
    if (router && routerDim === textDim) {
      const samples: number[] = [];
      for (let r = 0; r < 5; r++) {
        const start = performance.now();
        for (let c = 0; c < calls; c++) await router.strongWinRatesFromEmbeddings(embeddings, batch);
        samples.push(performance.now() - start);
      }
      routerRate = (calls * batch) / (median(samples) / 1000);
    }
    const unfoldedCalls = Math.max(1, Math.floor(calls / 50));
    const unfoldedMs = time(() => {
      for (let c = 0; c < unfoldedCalls; c++) mfModelScores(parameters, embeddings, batch);
    }, 3);
    const foldedRate = (calls * batch) / (foldedMs / 1000);
    const unfoldedRate = (unfoldedCalls * batch) / (unfoldedMs / 1000);
    const format = (rate: number) => (Number.isNaN(rate) ? 'n/a' : Math.round(rate).toLocaleString('en'));
    table.push(`| ${batch} | ${format(routerRate)} | ${format(foldedRate)} | ${format(unfoldedRate)} | ${(foldedRate / unfoldedRate).toFixed(0)}x |`);
  }
  await router?.dispose();
  console.log(table.join('\n'));
  console.log('(unfolded = the full model for all 40 models of a random 512 x 128 model; the router needs only the folded pair)');

  if (haveWeights) {
    console.log(`\n## Router decisions including use-lite embedding (weights ${weightsDir})`);
    const dataDir = resolveDataDir();
    const arena = path.join(dataDir, 'train', 'arena-battles.jsonl');
    const count = Number(values.prompts);
    const all = (await readJsonLines(arena)).map((record) => record.value.prompt as string);
    const prompts = [...new Set(all)].slice(0, count);
    const workerCounts = [0, ...(os.cpus().length > 1 ? [os.cpus().length] : [])];
    for (const workers of workerCounts) {
      for (const batch of [1, 64]) {
        const embedder = createUseLiteEmbedder({ cacheSize: 0, workers });
        const router = await MfRouter.create({ weightsDir, embedder });
        await router.strongWinRates(['warm up the model']);
        const sample = batch === 1 ? prompts.slice(0, Math.min(64, prompts.length)) : prompts;
        let embedMs = 0;
        const start = performance.now();
        for (let i = 0; i < sample.length; i += batch) {
          const slice = sample.slice(i, i + batch);
          const embedStart = performance.now();
          const vectors = await embedder.embed(slice);
          embedMs += performance.now() - embedStart;
          await router.strongWinRatesFromEmbeddings(vectors, slice.length);
        }
        const totalMs = performance.now() - start;
        console.log(
          `${workers ? `${workers} worker threads, ` : 'in-thread, '}batch ${batch}: ${(sample.length / (totalMs / 1000)).toFixed(1)} decisions/s over ${sample.length} Arena prompts ` +
            `(embedding ${((embedMs / totalMs) * 100).toFixed(1)}% of the time)`,
        );
        await router.dispose();
        await embedder.dispose();
      }
    }
  } else {
    console.log(`\n(no weights at ${weightsDir}: skipping the embedding measurement)`);
  }

  await benchTraining(rng, parameters, Number(values['train-prompts']), haveWeights ? weightsDir : undefined);
}

/** Time of MF training steps on random data, and the epoch time that implies for the shipped data. */
async function benchTraining(rng: Rng, parameters: MfParameters, trainPrompts: number, weightsDir: string | undefined): Promise<void> {
  const textDim = parameters.textDim;
  console.log('\n## Training');
  const battlesPerPrompt = 7;
  const examples: MfExamples = {
    embeddings: Float32Array.from({ length: trainPrompts * textDim }, () => gaussian(rng) / Math.sqrt(textDim)),
    textDim,
    prompt: new Int32Array(trainPrompts * battlesPerPrompt),
    winner: new Int32Array(trainPrompts * battlesPerPrompt),
    loser: new Int32Array(trainPrompts * battlesPerPrompt),
  };
  const byPrompt = new Map<number, number[]>();
  for (let i = 0; i < trainPrompts * battlesPerPrompt; i++) {
    const prompt = Math.floor(i / battlesPerPrompt);
    examples.prompt[i] = prompt;
    examples.winner[i] = Math.floor(rng() * 40);
    examples.loser[i] = (examples.winner[i] + 1 + Math.floor(rng() * 39)) % 40;
    byPrompt.set(prompt, [...(byPrompt.get(prompt) ?? []), i]);
  }
  const trainer = await MfTrainer.create(parameters, { learningRate: 1e-3, weightDecay: 1e-5, noiseStd: 0.03, seed: 1 });
  const batches = batchIndices(trainPrompts, 64, createRng(2));
  trainer.step(examples, batches[0], byPrompt);
  const start = performance.now();
  for (const batch of batches) trainer.step(examples, batch, byPrompt);
  const epochMs = performance.now() - start;
  trainer.dispose();
  const perStep = epochMs / batches.length;
  console.log(`${trainPrompts} prompts x ${battlesPerPrompt} battles, batch 64 prompts: ${perStep.toFixed(1)} ms/step, ${(epochMs / 1000).toFixed(1)} s/epoch`);
  if (weightsDir) {
    const manifest = await readManifest(weightsDir);
    const shippedPrompts = Number(manifest.data.prompts ?? 0);
    const steps = Math.ceil((shippedPrompts * 0.95) / 64);
    console.log(`shipped data (${shippedPrompts} prompts): ~${((steps * perStep) / 1000).toFixed(0)} s/epoch estimated from ${steps} steps`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
