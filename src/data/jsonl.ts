import { readFile } from 'node:fs/promises';
import { DataError } from './errors.js';

/** One parsed JSON Lines record and the 1-based line it came from. */
export interface JsonLine {
  value: Record<string, unknown>;
  line: number;
}

/** Reads a UTF-8 file, turning a missing or unreadable file into `DataError('missing')`. */
export async function readTextFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const detail = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, expected a file' : String((error as Error).message);
    throw new DataError('missing', file, detail, undefined, { cause: error });
  }
}

/**
 * Parses JSON Lines text: one JSON object per non-blank line. A line that is not JSON, or not an
 * object, throws `DataError('invalid')` naming the file and line.
 */
export function parseJsonLines(text: string, file: string): JsonLine[] {
  const out: JsonLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new DataError('invalid', file, `not JSON (${(error as Error).message})`, i + 1, { cause: error });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new DataError('invalid', file, 'expected a JSON object on each line', i + 1);
    }
    out.push({ value: value as Record<string, unknown>, line: i + 1 });
  }
  return out;
}

/** Reads and parses a JSON Lines file (see `parseJsonLines`). */
export async function readJsonLines(file: string): Promise<JsonLine[]> {
  return parseJsonLines(await readTextFile(file), file);
}

/** Reads a string field, or throws `DataError('invalid')` naming the file, line and field. */
export function stringField(record: JsonLine, field: string, file: string): string {
  const value = record.value[field];
  if (typeof value !== 'string') {
    const got = value === undefined ? 'missing' : `got ${value === null ? 'null' : typeof value}`;
    throw new DataError('invalid', file, `field "${field}" must be a string (${got})`, record.line);
  }
  return value;
}
