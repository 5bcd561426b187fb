import { DataError } from './errors.js';

/** A parsed CSV file: the header and one record per data row, keyed by header name. */
export interface CsvTable {
  header: string[];
  records: Record<string, string>[];
  /** 1-based line on which each record starts (for error messages). */
  lines: number[];
}

/**
 * Parses RFC 4180 CSV: fields separated by commas, records by CRLF or LF; a field in double quotes
 * may hold commas, line breaks and doubled quotes (`""`). A leading UTF-8 BOM is ignored. The first
 * record is the header. Throws `DataError('invalid')` on an unterminated quote, a stray quote, or
 * a record whose field count differs from the header's.
 */
export function parseCsv(text: string, file = '<csv>'): CsvTable {
  const rows: { fields: string[]; line: number }[] = [];
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let fields: string[] = [];
  let recordLine = 1;
  let field = '';
  let fieldStarted = false;
  const length = text.length;
  const endRecord = () => {
    fields.push(field);
    rows.push({ fields, line: recordLine });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  while (position < length) {
    const char = text[position];
    if (char === '"' && !fieldStarted) {
      const quoteLine = line;
      let value = '';
      let from = position + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote < 0) throw new DataError('invalid', file, 'unterminated quoted field', quoteLine);
        value += text.slice(from, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          from = quote + 2;
          continue;
        }
        position = quote + 1;
        break;
      }
      line += countNewlines(value);
      field = value;
      fieldStarted = true;
      const next = text[position];
      if (position < length && next !== ',' && next !== '\n' && next !== '\r') {
        throw new DataError('invalid', file, `unexpected character ${JSON.stringify(next)} after a closing quote`, line);
      }
      continue;
    }
    if (char === ',') {
      fields.push(field);
      field = '';
      fieldStarted = false;
      position++;
    } else if (char === '\r' && text[position + 1] === '\n') {
      endRecord();
      position += 2;
      recordLine = ++line;
    } else if (char === '\n') {
      endRecord();
      position++;
      recordLine = ++line;
    } else {
      let stop = position;
      while (stop < length) {
        const c = text.charCodeAt(stop);
        if (c === 44 || c === 10 || c === 13) break;
        if (c === 34) throw new DataError('invalid', file, 'a double quote inside an unquoted field', line);
        stop++;
      }
      if (stop === position) {
        field += char;
        stop++;
      } else field += text.slice(position, stop);
      fieldStarted = true;
      position = stop;
    }
  }
  if (fieldStarted || field !== '' || fields.length > 0) endRecord();
  if (rows.length === 0) throw new DataError('invalid', file, 'empty CSV: no header');
  const header = rows[0].fields;
  const records: Record<string, string>[] = [];
  const lines: number[] = [];
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i];
    if (row.fields.length === 1 && row.fields[0] === '') continue;
    if (row.fields.length !== header.length) {
      throw new DataError('invalid', file, `expected ${header.length} fields as in the header, got ${row.fields.length}`, row.line);
    }
    const record: Record<string, string> = {};
    for (let j = 0; j < header.length; j++) record[header[j]] = row.fields[j];
    records.push(record);
    lines.push(row.line);
  }
  return { header, records, lines };
}

function countNewlines(value: string): number {
  let count = 0;
  for (let index = value.indexOf('\n'); index >= 0; index = value.indexOf('\n', index + 1)) count++;
  return count;
}
