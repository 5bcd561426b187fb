import path from 'node:path';
import { DataError } from './errors.js';
import { readJsonLines, stringField, type JsonLine } from './jsonl.js';
import { canonicalModelName } from './models.js';
import { WINNERS, type Battle, type Winner } from './types.js';

/** Options of `readBattles`. */
export interface ReadBattlesOptions {
  /** Source label of every battle. Default: the file name without `.jsonl`. */
  source?: string;
  /** Weight given to every battle (default: the row's own `weight` field, else none). */
  weight?: number;
}

/** The source label of a data file: its base name without `.jsonl` / `.json` / `.csv`. */
export function sourceName(file: string): string {
  return path.basename(file).replace(/\.(jsonl|json|csv)$/i, '');
}

/**
 * Turns one JSON Lines record into a battle: fields `prompt`, `model_a`, `model_b`, `winner`
 * (one of `model_a`, `model_b`, `tie`, `tie (bothbad)`), optional `weight`. Model names go
 * through `canonicalModelName`. Throws `DataError` naming the file and line.
 */
export function battleFromRecord(record: JsonLine, file: string, source: string): Battle {
  const prompt = stringField(record, 'prompt', file);
  const modelA = canonicalModelName(stringField(record, 'model_a', file));
  const modelB = canonicalModelName(stringField(record, 'model_b', file));
  const winner = record.value.winner;
  if (typeof winner !== 'string' || !(WINNERS as readonly string[]).includes(winner)) {
    throw new DataError(
      'invalid',
      file,
      `unknown winner ${JSON.stringify(winner)}: expected one of ${WINNERS.map((w) => JSON.stringify(w)).join(', ')}`,
      record.line,
    );
  }
  const battle: Battle = { prompt, modelA, modelB, winner: winner as Winner, source };
  const weight = record.value.weight;
  if (weight !== undefined) {
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw new DataError('invalid', file, `field "weight" must be a finite number >= 0`, record.line);
    }
    battle.weight = weight;
  }
  return battle;
}

/** Reads a pairwise battles JSON Lines file (the format of `train/arena-battles.jsonl`). */
export async function readBattles(file: string, options: ReadBattlesOptions = {}): Promise<Battle[]> {
  const source = options.source ?? sourceName(file);
  const records = await readJsonLines(file);
  return records.map((record) => {
    const battle = battleFromRecord(record, file, source);
    if (options.weight !== undefined) battle.weight = options.weight;
    return battle;
  });
}
