import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../src/data/errors.js';
import type { Embedder } from '../src/embedders/types.js';
import { InvalidInputError } from '../src/errors.js';
import {
  evaluateRouters,
  fetchBenchmarkData,
  loadEvalBenchmark,
  renderPlotSvg,
  toResultsJson,
} from '../src/eval/index.js';
import type { EvalBenchmark } from '../src/eval/index.js';
import { BaseRouter } from '../src/routers/base.js';
import type { EmbeddingRouter } from '../src/routers/types.js';
import { benchmarkDataDir, hasBenchmarkData } from './helpers/benchmark-data.js';

const dataDir = benchmarkDataDir;

describe.skipIf(!hasBenchmarkData)('built-in benchmarks', () => {
  // Over 200 draws of 10 seeds, the 10-seed average of random's APGR on MT-Bench (72 prompts) had
  // a standard deviation of 0.021; GSM8K and MMLU-rest have far more prompts.
  it.each([
    ['mt-bench', 72, 0.1],
    ['gsm8k', 1307, 0.03],
    ['mmlu', 12537, 0.02],
  ] as const)('%s: the random router averaged over 10 seeds has APGR 0.5 within noise', async (name, size, tolerance) => {
    const benchmark = await loadEvalBenchmark(name, { dataDir });
    expect(benchmark.prompts).toHaveLength(size);
    const result = await evaluateRouters({ benchmark, routers: ['random'], cacheDir: false });
    const random = result.routers.random;
    expect(random.runs).toBe(10);
    expect(random.points).toHaveLength(11);
    expect(Math.abs(random.apgr! - 0.5)).toBeLessThan(tolerance);
    expect(Math.abs(random.apgrTrapezoid! - 0.5)).toBeLessThan(tolerance);
    expect(result.optimal.apgr).toBeGreaterThan(0.9);
    expect(result.strongScore).toBeGreaterThan(result.weakScore);
  });

  it('labels MMLU as MMLU-rest and uses the data README numbers', async () => {
    const mmlu = await loadEvalBenchmark('mmlu', { dataDir });
    expect(mmlu.label).toMatch(/^MMLU-rest \(12,537/);
    expect(mmlu.unit).toBe('accuracy-percent');
    const mtBench = await loadEvalBenchmark('mt-bench', { dataDir });
    const mean = (values: Float64Array) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(mtBench.strongScores)).toBeCloseTo(9.21, 2);
    expect(mean(mtBench.weakScores)).toBeCloseTo(8.28, 2);
  });

  it('an unknown benchmark and a missing data folder are clear errors', async () => {
    await expect(loadEvalBenchmark('hellaswag', { dataDir })).rejects.toThrow(InvalidInputError);
    await expect(loadEvalBenchmark('hellaswag', { dataDir })).rejects.toThrow(/mt-bench, mmlu, gsm8k/);
    const missing = path.join(os.tmpdir(), 'routellm-no-such-data');
    const error = await loadEvalBenchmark('gsm8k', { dataDir: missing }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toContain(path.join(missing, 'evals', 'gsm8k'));
    expect((error as Error).message).toMatch(/ROUTELLM_DATA_DIR|--data-dir/);
    expect((error as Error).message).toMatch(/github\.com\/lm-sys\/RouteLLM/);
  });
});

describe('benchmarks from a user file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-eval-file-'));

  it('reads CSV with the chosen model columns, and JSON Lines with a scores object', async () => {
    const csv = path.join(dir, 'mine.csv');
    writeFileSync(csv, 'prompt,big,small,other\n"a, quoted prompt",1,0,1\nsecond,True,True,0\nthird,0,1,0\n');
    const benchmark = await loadEvalBenchmark(csv, { strongModel: 'big', weakModel: 'small' });
    expect(benchmark.prompts).toEqual(['a, quoted prompt', 'second', 'third']);
    expect([...benchmark.strongScores]).toEqual([100, 100, 0]);
    expect([...benchmark.weakScores]).toEqual([0, 100, 100]);
    const jsonl = path.join(dir, 'mine.jsonl');
    writeFileSync(jsonl, '{"prompt":"x","scores":{"big":7.5,"small":6}}\n{"prompt":"y","scores":{"big":9,"small":9.5}}\n');
    const graded = await loadEvalBenchmark(jsonl, { strongModel: 'big', weakModel: 'small' });
    expect(graded.unit).toBe('raw');
    expect([...graded.strongScores]).toEqual([7.5, 9]);
    const result = await evaluateRouters({ benchmark: graded, routers: ['random'], randomSeeds: 2 });
    expect(result.strongScore).toBeCloseTo(8.25, 12);
    expect(result.weakScore).toBeCloseTo(7.75, 12);
  });

  it('a missing model column names the file, the model and the columns present', async () => {
    const csv = path.join(dir, 'partial.csv');
    writeFileSync(csv, 'prompt,big\nhello,1\n');
    const error = await loadEvalBenchmark(csv, { strongModel: 'big', weakModel: 'small' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toContain(csv);
    expect((error as Error).message).toMatch(/weak model "small".*columns: prompt, big/);
    const jsonl = path.join(dir, 'partial.jsonl');
    writeFileSync(jsonl, '{"prompt":"x","big":1,"small":0}\n{"prompt":"y","big":1}\n');
    await expect(loadEvalBenchmark(jsonl, { strongModel: 'big', weakModel: 'small' })).rejects.toThrow(/partial\.jsonl:2.*weak model "small"/);
  });
});

class CountingRouter extends BaseRouter implements EmbeddingRouter {
  readonly name = 'counting';
  calls = 0;
  embeddingCalls = 0;
  constructor(readonly embedder: Embedder) {
    super();
  }
  protected async scoreBatch(prompts: readonly string[]): Promise<Float32Array> {
    this.calls += prompts.length;
    return this.strongWinRatesFromEmbeddings(await this.embedder.embed(prompts), prompts.length);
  }
  async strongWinRatesFromEmbeddings(embeddings: Float32Array, count: number): Promise<Float32Array> {
    this.embeddingCalls += count;
    return Float32Array.from({ length: count }, (_, i) => embeddings[i * 2]);
  }
}

describe('evaluateRouters', () => {
  const benchmark: EvalBenchmark = {
    name: 'toy',
    label: 'toy',
    strongModel: 'big',
    weakModel: 'small',
    prompts: ['p0', 'p1', 'p2', 'p3'],
    strongScores: Float64Array.from([100, 100, 100, 100]),
    weakScores: Float64Array.from([0, 0, 100, 100]),
    unit: 'accuracy-percent',
    contaminatedRemoved: 0,
    source: 'memory',
  };
  const embedder: Embedder = {
    id: 'toy',
    dimension: 2,
    async embed(texts) {
      return Float32Array.from(texts.flatMap((text) => [Number(text.slice(1)) < 2 ? 0.9 : 0.1, 0]));
    },
    dispose() {},
  };

  it('feeds embedding routers wrapped embeddings and caches scores on disk', async () => {
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'routellm-score-cache-'));
    const router = new CountingRouter(embedder);
    let wrapped = 0;
    const options = {
      benchmark,
      routers: [{ name: 'counting', router, cacheKey: 'counting-toy' }],
      cacheDir,
      wrapEmbedder: (inner: Embedder) => {
        wrapped++;
        return inner;
      },
    };
    const first = await evaluateRouters(options);
    expect(router.embeddingCalls).toBe(4);
    expect(router.calls).toBe(0);
    expect(wrapped).toBe(1);
    // A perfect router on this toy benchmark: 50% strong calls recover the whole gap.
    expect(first.routers.counting.cpt80).toBeCloseTo(40, 9);
    const second = await evaluateRouters(options);
    expect(router.embeddingCalls).toBe(4);
    expect(second.routers.counting).toEqual(first.routers.counting);
  });

  it('writes results.json in the documented shape and a valid SVG with named axes', async () => {
    const result = await evaluateRouters({ benchmark, routers: ['random'], randomSeeds: 3 });
    const json = toResultsJson(result);
    expect(Object.keys(json).slice(0, 5)).toEqual(['benchmark', 'strong_model', 'weak_model', 'n', 'routers']);
    expect(Object.keys(json.routers.random)).toEqual(['apgr', 'apgr_trapezoid', 'cpt20', 'cpt50', 'cpt80', 'points']);
    expect(Object.keys(json.routers.random.points[0])).toEqual(['threshold', 'strong_pct', 'score']);
    expect(json.routers.random.points.every((point) => point.strong_pct >= 0 && point.strong_pct <= 100)).toBe(true);
    const svg = renderPlotSvg(result);
    expect(svg).toMatch(/^<\?xml[^>]*>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('Calls to the strong model (%)');
    expect(svg).toContain('Accuracy (%)');
    expect(svg.match(/<path class="router"/g)).toHaveLength(1);
    expect(svg.match(/class="model-line"[^>]*stroke-dasharray/g)).toHaveLength(2);
    expect(svg).toContain('class="optimal"');
    const opened = (svg.match(/<(g|svg)[\s>]/g) ?? []).length;
    const closed = (svg.match(/<\/(g|svg)>/g) ?? []).length;
    expect(opened).toBe(closed);
    expect(svg).not.toMatch(/NaN|undefined/);
  });
});

describe.skipIf(!hasBenchmarkData)('fetchBenchmarkData', () => {
  it('downloads a benchmark from a (local) mirror of the original repository into a data folder', async () => {
    const served: string[] = [];
    const files: Record<string, string> = {
      '/evals/mt_bench/judgements.jsonl': readFileSync(path.join(dataDir, 'evals/mt_bench/judgements.jsonl'), 'utf8'),
      '/fastchat/question.jsonl': readFileSync(path.join(dataDir, 'evals/mt_bench/question.jsonl'), 'utf8'),
    };
    const server = createServer((request, response) => {
      served.push(request.url ?? '');
      const body = files[request.url ?? ''];
      response.writeHead(body === undefined ? 404 : 200).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const target = mkdtempSync(path.join(os.tmpdir(), 'routellm-fetch-'));
      const folder = await fetchBenchmarkData('mt-bench', { dataDir: target, baseUrl: `${base}/evals`, questionsUrl: `${base}/fastchat/question.jsonl` });
      expect(folder).toBe(target);
      expect(served).toContain('/evals/mt_bench/contaminated_prompts.jsonl');
      const benchmark = await loadEvalBenchmark('mt-bench', { dataDir: folder });
      // Without the (404) contamination list, all 80 questions stay.
      expect(benchmark.prompts).toHaveLength(80);
      await expect(fetchBenchmarkData('gsm8k', { dataDir: target, baseUrl: `${base}/evals` })).rejects.toThrow(/gsm8k_responses\.csv answered 404/);
    } finally {
      server.close();
    }
  });
});
