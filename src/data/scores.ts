import { DataError } from './errors.js';
import { readJsonLines, stringField, type JsonLine } from './jsonl.js';
import { canonicalModelName } from './models.js';
import { sourceName } from './battles.js';
import type { ScoreRow } from './types.js';

/** Options of `readScoreRows`. */
export interface ReadScoreRowsOptions {
  /** Source label of every row. Default: the file name without `.jsonl`. */
  source?: string;
}

/**
 * Turns one JSON Lines record into a score row: `prompt` plus a results object, `correct`
 * (RouterBench: model -> 0/1, booleans accepted) or `scores` (model -> number); a `null` result
 * means the model has no result for that prompt and is left out. Model names go
 * through `canonicalModelName`. Throws `DataError` naming the file and line.
 */
export function scoreRowFromRecord(record: JsonLine, file: string, source: string): ScoreRow {
  const prompt = stringField(record, 'prompt', file);
  const field = record.value.correct !== undefined ? 'correct' : 'scores';
  const results = record.value[field];
  if (typeof results !== 'object' || results === null || Array.isArray(results)) {
    throw new DataError('invalid', file, 'expected a "correct" or "scores" object (model -> number)', record.line);
  }
  const scores: Record<string, number> = {};
  for (const [model, raw] of Object.entries(results as Record<string, unknown>)) {
    if (raw === null) continue;
    const value = typeof raw === 'boolean' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new DataError('invalid', file, `${field}[${JSON.stringify(model)}] must be a finite number, got ${JSON.stringify(raw)}`, record.line);
    }
    scores[canonicalModelName(model)] = value;
  }
  return { prompt, scores, source };
}

/** Reads a correctness or score table in JSON Lines (RouterBench `correct`, open7/nvidia9 `scores`). */
export async function readScoreRows(file: string, options: ReadScoreRowsOptions = {}): Promise<ScoreRow[]> {
  const source = options.source ?? sourceName(file);
  const records = await readJsonLines(file);
  return records.map((record) => scoreRowFromRecord(record, file, source));
}
