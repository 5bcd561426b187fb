/**
 * Rebuilds the shipped head of the bert router (weights/bert) from ../shared/data:
 *
 *   npx tsx scripts/build-bert-weights.ts [--data-dir DIR] [--output DIR] [--exclude file.jsonl,...]
 *     [--class-weights auto|balanced|none] [--architecture auto|linear|mlp] [--seed N] [--rank-within-source]
 *
 * Training files: `BERT_TRAINING_FILES` (scripts/shipped-training-files.ts, the files the shipped
 * manifest records; not whatever train/ holds now) less `--exclude`, plus the MMLU gold split. Classes from the Elo tiers of all battles (tiers 0-1 strong, tier 2
 * weak, as the paper); use-lite embeddings through the shared disk cache; decontaminated against
 * MMLU-rest, GSM8K and MT-Bench (cosine >= 0.95). Seed 0.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../src/data/evals.js';
import { trainBert } from '../src/routers/bert/train.js';
import { shippedWeightsDir } from '../src/weights-format/index.js';
import { BERT_TRAINING_FILES } from './shipped-training-files.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    output: { type: 'string' },
    exclude: { type: 'string', default: '' },
    seed: { type: 'string', default: '0' },
    'class-weights': { type: 'string', default: 'auto' },
    architecture: { type: 'string', default: 'auto' },
    'rank-within-source': { type: 'boolean', default: false },
    'strong-model': { type: 'string' },
    'weak-model': { type: 'string' },
  },
});

const dataDir = resolveDataDir(values['data-dir']);
const trainDir = path.join(dataDir, 'train');
const excluded = new Set(values.exclude!.split(',').filter(Boolean));
const files = BERT_TRAINING_FILES.filter((file) => !excluded.has(file)).map((file) => path.join(trainDir, file));
const output = values.output ?? shippedWeightsDir('bert');
process.stderr.write(`build-bert-weights: ${files.length} files -> ${output}\n`);
const started = Date.now();
const result = await trainBert({
  data: files,
  output,
  mmluGold: true,
  dataDir,
  embedder: 'use-lite',
  progress: true,
  seed: Number(values.seed),
  classWeights: values['class-weights'] as 'auto' | 'balanced' | 'none',
  architecture: values.architecture as 'auto' | 'linear' | 'mlp',
  rankWithinSource: values['rank-within-source'],
  ...(values['strong-model'] || values['weak-model'] ? { strongModel: values['strong-model'], weakModel: values['weak-model'] } : {}),
  notes: `Reproduce: npx tsx scripts/build-bert-weights.ts${process.argv.slice(2).map((arg) => ` ${arg}`).join('')}.` + (excluded.size ? ` Files left out: ${[...excluded].join(', ')}.` : ''),
});
const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(
  JSON.stringify(
    {
      output: result.output,
      seconds: Number(seconds),
      chosen: result.details.chosen,
      candidates: result.details.candidates,
      labelCounts: result.details.labelCounts,
      strong: result.details.classes.strong,
      weak: result.details.classes.weak,
      metrics: result.manifest.metrics,
      excluded: [...excluded],
    },
    null,
    2,
  ),
);
