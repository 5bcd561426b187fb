/**
 * The training files (under `<data dir>/train/`) of each shipped weights folder, as its manifest
 * records them (`data.sources`; the MMLU gold split comes from `mmluGold`, not a file). The build
 * scripts read these lists instead of the folder: a file added to train/ later (the arena-bench
 * files) changed what a rebuild trained on (bert's Elo tiers put gpt-4-1106-preview in the weak
 * class and kept 27 labelled battles of 4,610). test/shipped-training-files.test.ts holds each
 * list equal to its manifest.
 */

/** The score tables of the first round without their test splits: bert's and ridge's files share them. */
const FIRST_ROUND_TRAIN_TABLES: readonly string[] = Object.freeze([
  'nvidia9-train.jsonl',
  'open7-MATH_prealgebra.jsonl',
  'open7-arc_challenge_train.jsonl',
  'open7-arc_easy_train.jsonl',
  'open7-gsm8k-train.jsonl',
  'open7-humaneval_train.jsonl',
  'open7-javascript.jsonl',
  'open7-mbpp.jsonl',
  'routerbench-arc_challenge_train.jsonl',
  'routerbench-mbpp_train.jsonl',
  'routerbench-winogrande_train.jsonl',
]);

/** scripts/build-bert-weights.ts: every train file of the first round but the test splits. */
export const BERT_TRAINING_FILES: readonly string[] = Object.freeze(['arena-battles.jsonl', ...FIRST_ROUND_TRAIN_TABLES]);

/** scripts/build-mf-weights.ts: every train file of the first round, test splits included. */
export const MF_TRAINING_FILES: readonly string[] = Object.freeze([
  'arena-battles.jsonl',
  'nvidia9-test.jsonl',
  'nvidia9-train.jsonl',
  'open7-MATH_prealgebra.jsonl',
  'open7-arc_challenge_test.jsonl',
  'open7-arc_challenge_train.jsonl',
  'open7-arc_easy_test.jsonl',
  'open7-arc_easy_train.jsonl',
  'open7-gsm8k-train.jsonl',
  'open7-humaneval_test.jsonl',
  'open7-humaneval_train.jsonl',
  'open7-javascript.jsonl',
  'open7-mbpp.jsonl',
  'routerbench-arc_challenge_test.jsonl',
  'routerbench-arc_challenge_train.jsonl',
  'routerbench-mbpp_test.jsonl',
  'routerbench-mbpp_train.jsonl',
  'routerbench-winogrande_test.jsonl',
  'routerbench-winogrande_train.jsonl',
]);

/** scripts/build-sw-ranking-weights.ts (its `--sources` default): the Arena battles and RouterBench's train splits. */
export const SW_RANKING_TRAINING_FILES: readonly string[] = Object.freeze([
  'arena-battles.jsonl',
  'routerbench-arc_challenge_train.jsonl',
  'routerbench-mbpp_train.jsonl',
  'routerbench-winogrande_train.jsonl',
]);

/** scripts/build-ridge-weights.ts: every score table but the test splits and the battle files (scripts/ridge-recipe.ts names each head's sources). */
export const RIDGE_TRAINING_FILES: readonly string[] = Object.freeze(['arenabench-scores.jsonl', ...FIRST_ROUND_TRAIN_TABLES]);
