/**
 * `routellm/train`: the trainers, their option schemas and the shared training pipeline. Every
 * trainer takes the pipeline's options (`trainingOptionsShape`) with the same defaults and returns
 * a `TrainingResult` (`output`, `manifest`, `examples`, `droppedContaminated`, `seconds`, `details`).
 */
export { trainMf, trainMfOptionsSchema, prepareMfData } from '../routers/mf/train.js';
export type { PreparedMfData, TrainMfDetails, TrainMfEvent, TrainMfOptions, TrainMfResult } from '../routers/mf/train.js';
export { trainSwRanking, trainSwRankingOptionsSchema } from '../routers/sw_ranking/train.js';
export type { TrainSwRankingOptions, TrainSwRankingResult } from '../routers/sw_ranking/train.js';
export { buildBattleIndex, loadBattleIndex, saveBattleIndex, WINNER_VALUES } from '../routers/sw_ranking/battle-index.js';
export type { BattleIndex, BattleInput } from '../routers/sw_ranking/battle-index.js';
export { trainBert, trainBertOptionsSchema } from '../routers/bert/train.js';
export type { TrainBertDetails, TrainBertOptions, TrainBertResult } from '../routers/bert/train.js';
export { trainRidge, trainRidgeOptionsSchema } from '../routers/ridge/train.js';
export type { TrainRidgeOptions, TrainRidgeResult } from '../routers/ridge/train.js';
export { trainingOptionsShape, TrainingRun, withTrainingRun } from './pipeline.js';
export type { DecontaminationRecord, TrainingResult, TrainingSettings } from './pipeline.js';
export { ProgressBar } from './progress.js';
export type { ProgressBarOptions } from './progress.js';
export { labelPrompts } from '../label/label.js';
export type { LabelSummary } from '../label/label.js';
export { labelOptionsSchema } from '../label/options.js';
export type { LabelOptions } from '../label/options.js';
export { DEFAULT_JUDGE_TEMPLATE, parseRating, ratingOutcome } from '../label/judge.js';
