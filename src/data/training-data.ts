import { battleFromRecord, sourceName } from './battles.js';
import { DataError } from './errors.js';
import { pairKeys, scoreRowsToBattles, weightForSource, type GoldenLabelOptions } from './golden.js';
import { readJsonLines, type JsonLine } from './jsonl.js';
import { canonicalModelName } from './models.js';
import { scoreRowFromRecord } from './scores.js';
import type { Battle, ScoreRow, TrainingFileKind } from './types.js';

/** What one data file gave. */
export interface SourceSummary {
  /** Source label (file name without extension). */
  source: string;
  /** The file read. */
  file: string;
  /** Battles file or score table. */
  kind: TrainingFileKind;
  /** Rows in the file. */
  rows: number;
  /** Battles it gave (after the golden-label rule, its filters and cap). */
  battles: number;
}

/** Everything read from a set of training files. */
export interface TrainingData {
  battles: Battle[];
  /** Score rows of the score-table files (before they were turned into battles). */
  scoreRows: ScoreRow[];
  sources: SourceSummary[];
}

/** Options of `readTrainingData`: the golden-label options apply to score tables. */
export interface ReadTrainingDataOptions extends GoldenLabelOptions {
  /** Drop battles that are ties (both kinds). Default false. */
  dropTies?: boolean;
}

/** Which format a parsed file has: `battles` when the first record has `winner`, `scores` when it has `correct`/`scores`. */
export function detectKind(records: readonly JsonLine[], file: string): TrainingFileKind {
  const first = records[0];
  if (!first) throw new DataError('invalid', file, 'the file has no rows');
  if ('winner' in first.value) return 'battles';
  if ('correct' in first.value || 'scores' in first.value) return 'scores';
  throw new DataError(
    'invalid',
    file,
    'cannot tell the format: expected a battles row (prompt, model_a, model_b, winner) or a score row (prompt, correct|scores)',
    first.line,
  );
}

/**
 * Reads training files of either format (detected per file) into battles. Score tables become
 * battles by the golden-label rule (`scoreRowsToBattles` with these options); battles files keep
 * their rows, filtered by `pairs`/`models` and given `sourceWeights`. Ties are dropped with
 * `dropTies` (or `ties: 'drop'`).
 */
export async function readTrainingData(files: readonly string[], options: ReadTrainingDataOptions = {}): Promise<TrainingData> {
  const battles: Battle[] = [];
  const scoreRows: ScoreRow[] = [];
  const sources: SourceSummary[] = [];
  const dropTies = options.dropTies || options.ties === 'drop';
  const keepsModels = battleFilter(options);
  for (const [fileIndex, file] of files.entries()) {
    const source = sourceName(file);
    const records = await readJsonLines(file);
    const kind = detectKind(records, file);
    let fileBattles: Battle[];
    if (kind === 'battles') {
      const weight = weightForSource(source, options.sourceWeights);
      fileBattles = records
        .map((record) => battleFromRecord(record, file, source))
        .filter((battle) => !dropTies || (battle.winner !== 'tie' && battle.winner !== 'tie (bothbad)'))
        .filter(keepsModels);
      if (weight !== undefined) for (const battle of fileBattles) battle.weight = weight;
    } else {
      const rows = records.map((record) => scoreRowFromRecord(record, file, source));
      for (const row of rows) scoreRows.push(row);
      fileBattles = scoreRowsToBattles(rows, {
        ...options,
        ties: dropTies ? 'drop' : options.ties,
        seed: (options.seed ?? 0) * 1009 + fileIndex,
      });
    }
    for (const battle of fileBattles) battles.push(battle);
    sources.push({ source, file, kind, rows: records.length, battles: fileBattles.length });
  }
  return { battles, scoreRows, sources };
}

/** The `models` / `pairs` filter of battles files, with the names canonicalised once. */
function battleFilter(options: GoldenLabelOptions): (battle: Battle) => boolean {
  const allowedModels = options.models ? new Set(options.models.map(canonicalModelName)) : undefined;
  const allowedPairs = pairKeys(options.pairs);
  return (battle) =>
    (!allowedModels || (allowedModels.has(battle.modelA) && allowedModels.has(battle.modelB))) &&
    (!allowedPairs || allowedPairs.has(`${battle.modelA}\u0000${battle.modelB}`));
}
