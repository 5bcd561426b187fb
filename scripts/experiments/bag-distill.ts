/**
 * Can a cheap embedder stand in for use-lite? (issue: mf >= 300 decisions/s including embedding.)
 * Distils use-lite into a bag of its own SentencePiece pieces: one 512-d vector per piece, a
 * prompt's vector is the normalised mean of its pieces' vectors (~0.1 ms per prompt in plain JS,
 * against ~30 ms for use-lite on this machine). The piece vectors are the ridge least-squares fit
 * of the mean-of-pieces to the use-lite vectors of the training prompts (every distinct `prompt`
 * of train/*.jsonl that is not a benchmark prompt), solved by conjugate gradients. Then the
 * shipped sw_ranking, mf and bert routers score the benchmarks with the bag vectors in place of
 * use-lite's (their weights unchanged) and are compared with themselves on use-lite.
 *
 *   npx tsx scripts/experiments/bag-distill.ts [--iterations 40] [--lambda 1e-3]
 *
 * Needs the use-lite vectors of every prompt in the disk cache (scripts/warm-embeddings.ts).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseCsv } from '../../src/data/csv.js';
import { readJsonLines, readTextFile } from '../../src/data/jsonl.js';
import { withDiskCache } from '../../src/embedders/disk-cache.js';
import type { Embedder } from '../../src/embedders/types.js';
import { createUseLiteEmbedder } from '../../src/embedders/use-lite/index.js';
import { loadEvalBenchmark } from '../../src/eval/benchmarks.js';
import { evaluateRouters } from '../../src/eval/evaluate.js';
import { createRouter, type RouterName } from '../../src/routers/registry.js';
import { defaultDataDir } from '../../src/weights-format/paths.js';

const DIM = 512;

async function promptsOf(dataDir: string): Promise<{ train: string[]; evals: string[] }> {
  const train = new Set<string>();
  for (const file of (await readdir(path.join(dataDir, 'train'))).filter((name) => name.endsWith('.jsonl'))) {
    for (const record of await readJsonLines(path.join(dataDir, 'train', file))) {
      if (typeof record.value.prompt === 'string') train.add(record.value.prompt);
    }
  }
  const evals = new Set<string>();
  const mmluDir = path.join(dataDir, 'evals', 'mmlu', 'responses');
  const csvFiles = [...(await readdir(mmluDir)).map((name) => path.join(mmluDir, name)), path.join(dataDir, 'evals', 'gsm8k', 'gsm8k_responses.csv')];
  for (const file of csvFiles.filter((name) => name.endsWith('.csv'))) {
    for (const record of parseCsv(await readTextFile(file), file).records) evals.add(record.prompt);
  }
  for (const record of await readJsonLines(path.join(dataDir, 'evals', 'mt_bench', 'question.jsonl'))) evals.add((record.value.turns as string[])[0]);
  return { train: [...train].filter((prompt) => !evals.has(prompt)), evals: [...evals] };
}

/** A prompt as sparse mean-of-pieces weights. */
interface Bag {
  ids: Int32Array;
  weights: Float32Array;
}

function toBag(tokens: readonly number[]): Bag {
  const counts = new Map<number, number>();
  for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
  return { ids: Int32Array.from(counts.keys()), weights: Float32Array.from(counts.values(), (count) => count / tokens.length) };
}

/** Normalised mean-of-pieces vectors of `bags` under the piece table. */
function bagVectors(table: Float32Array, bags: readonly Bag[]): Float32Array {
  const out = new Float32Array(bags.length * DIM);
  const sum = new Float64Array(DIM);
  bags.forEach(({ ids, weights }, row) => {
    sum.fill(0);
    for (let k = 0; k < ids.length; k++) {
      const offset = ids[k] * DIM;
      for (let d = 0; d < DIM; d++) sum[d] += weights[k] * table[offset + d];
    }
    let norm = 0;
    for (let d = 0; d < DIM; d++) norm += sum[d] * sum[d];
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < DIM; d++) out[row * DIM + d] = sum[d] / norm;
  });
  return out;
}

function meanCosine(left: Float32Array, right: Float32Array): number {
  let total = 0;
  const rows = left.length / DIM;
  for (let row = 0; row < rows; row++) {
    let dot = 0;
    for (let d = 0; d < DIM; d++) dot += left[row * DIM + d] * right[row * DIM + d];
    total += dot;
  }
  return total / rows;
}

/** Ridge least squares (A^T A + lambda I) X = A^T Y by conjugate gradients, every column at once. */
function fitTable(bags: readonly Bag[], targets: Float32Array, pieces: number, lambda: number, iterations: number, report: (iteration: number, table: Float32Array) => void): Float32Array {
  const size = pieces * DIM;
  const normal = (direction: Float32Array) => {
    const out = new Float32Array(size);
    const row = new Float64Array(DIM);
    for (const { ids, weights } of bags) {
      row.fill(0);
      for (let k = 0; k < ids.length; k++) for (let d = 0, o = ids[k] * DIM; d < DIM; d++) row[d] += weights[k] * direction[o + d];
      for (let k = 0; k < ids.length; k++) for (let d = 0, o = ids[k] * DIM; d < DIM; d++) out[o + d] += weights[k] * row[d];
    }
    for (let i = 0; i < size; i++) out[i] += lambda * direction[i];
    return out;
  };
  const columnDots = (a: Float32Array, b: Float32Array) => {
    const dots = new Float64Array(DIM);
    for (let i = 0; i < size; i++) dots[i % DIM] += a[i] * b[i];
    return dots;
  };
  const table = new Float32Array(size);
  const residual = new Float32Array(size);
  bags.forEach(({ ids, weights }, row) => {
    for (let k = 0; k < ids.length; k++) for (let d = 0, o = ids[k] * DIM; d < DIM; d++) residual[o + d] += weights[k] * targets[row * DIM + d];
  });
  const direction = residual.slice();
  let residualNorms = columnDots(residual, residual);
  for (let iteration = 1; iteration <= iterations; iteration++) {
    const product = normal(direction);
    const curvature = columnDots(direction, product);
    for (let i = 0; i < size; i++) {
      const step = residualNorms[i % DIM] / (curvature[i % DIM] || 1);
      table[i] += step * direction[i];
      residual[i] -= step * product[i];
    }
    const next = columnDots(residual, residual);
    for (let i = 0; i < size; i++) direction[i] = residual[i] + (next[i % DIM] / (residualNorms[i % DIM] || 1)) * direction[i];
    residualNorms = next;
    report(iteration, table);
  }
  return table;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { iterations: { type: 'string', default: '40' }, lambda: { type: 'string', default: '1e-3' } } });
  const useLite = createUseLiteEmbedder({ cacheSize: 0 });
  const cached = withDiskCache(useLite);
  const { train, evals } = await promptsOf(defaultDataDir());
  const heldOut = evals.filter((_, index) => index % 5 === 0);
  const tokens = async (prompts: string[]) => Promise.all(prompts.map((prompt) => useLite.tokenize(prompt)));
  const [trainBags, heldOutBags] = [(await tokens(train)).map(toBag), (await tokens(heldOut)).map(toBag)];
  const [trainTargets, heldOutTargets] = [await cached.embed(train), await cached.embed(heldOut)];
  console.log(`distilling on ${train.length} training prompts; held out: every 5th benchmark prompt (${heldOut.length})`);
  const started = performance.now();
  const table = fitTable(trainBags, trainTargets, 8002, Number(values.lambda), Number(values.iterations), (iteration, current) => {
    if (iteration % 10 !== 0) return;
    const fit = meanCosine(bagVectors(current, trainBags.slice(0, 3000)), trainTargets.subarray(0, 3000 * DIM));
    const held = meanCosine(bagVectors(current, heldOutBags), heldOutTargets);
    console.log(`iteration ${iteration} (${((performance.now() - started) / 1000).toFixed(0)} s): mean cosine to use-lite, training ${fit.toFixed(3)}, held out ${held.toFixed(3)}`);
  });

  let tokenizeMs = 0;
  let bagMs = 0;
  let embedded = 0;
  // Reports the id of use-lite so the shipped routers accept it; only this script builds it.
  const bag: Embedder = {
    id: 'use-lite',
    dimension: DIM,
    async embed(texts) {
      let clock = performance.now();
      const bags = (await tokens([...texts])).map(toBag);
      tokenizeMs += performance.now() - clock;
      clock = performance.now();
      const vectors = bagVectors(table, bags);
      bagMs += performance.now() - clock;
      embedded += texts.length;
      return vectors;
    },
    dispose() {},
  };
  console.log('\n| benchmark | router | use-lite APGR / CPT(50%) | bag APGR / CPT(50%) |\n|---|---|---|---|');
  for (const name of ['mt-bench', 'mmlu', 'gsm8k']) {
    const benchmark = await loadEvalBenchmark(name);
    for (const routerName of ['sw_ranking', 'mf', 'bert'] as RouterName[]) {
      const specs = [
        { name: 'use-lite', router: await createRouter(routerName, { embedder: cached } as never) },
        { name: 'bag', router: await createRouter(routerName, { embedder: bag } as never) },
      ];
      const result = await evaluateRouters({ benchmark, routers: specs, cacheDir: false });
      const cell = (key: string) => `${result.routers[key].apgr!.toFixed(3)} / ${result.routers[key].cpt50!.toFixed(1)}%`;
      console.log(`| ${result.label} | ${routerName} | ${cell('use-lite')} | ${cell('bag')} |`);
      for (const spec of specs) await spec.router.dispose();
    }
  }
  console.log(`\nbag embedder: ${((tokenizeMs + bagMs) / embedded).toFixed(3)} ms per prompt (tokenize ${(tokenizeMs / embedded).toFixed(3)}, mean of pieces ${(bagMs / embedded).toFixed(3)})`);
  await useLite.dispose();
}

await main();
