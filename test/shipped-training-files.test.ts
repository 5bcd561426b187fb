/**
 * The build scripts' pinned training files (scripts/shipped-training-files.ts) are the files each
 * shipped manifest records, so a rebuild trains on what the shipped weights were trained on.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BERT_TRAINING_FILES, MF_TRAINING_FILES, RIDGE_TRAINING_FILES, SW_RANKING_TRAINING_FILES } from '../scripts/shipped-training-files.js';
import { shippedWeightsDir } from '../src/weights-format/paths.js';

/** The file sources a shipped manifest records (the MMLU gold split is not a file). */
function recordedFiles(router: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(shippedWeightsDir(router), 'manifest.json'), 'utf8'));
  return (manifest.data.sources as { name: string }[]).filter(({ name }) => name !== 'mmlu-gold').map(({ name }) => `${name}.jsonl`);
}

describe('the training files pinned for each build script', () => {
  it.each([
    ['bert', BERT_TRAINING_FILES],
    ['mf', MF_TRAINING_FILES],
    ['sw_ranking', SW_RANKING_TRAINING_FILES],
    ['ridge', RIDGE_TRAINING_FILES],
  ])('%s: the files its shipped manifest records', (router, files) => {
    expect([...files].sort()).toEqual(recordedFiles(router).sort());
  });
});
