/**
 * The files of a labelling run, append-only JSON Lines so that an interrupted run keeps every row
 * written before it stopped: the labels (battles `routellm train` reads), the answers (kept apart,
 * so a new judge or template re-runs the judge alone) and the failures of the last run.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';

/** Token counts of one upstream call. */
export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

/** One stored answer: the answer of `model` to the prompt with hash `prompt_hash`. */
export interface AnswerRow {
  prompt_hash: string;
  model: string;
  answer: string;
  usage: TokenUsage;
}

/** One failed prompt of a run, with what failed and the judge's reply when it had no rating. */
export interface FailureRow {
  key: string;
  prompt: string;
  /** Which call failed: `strong`, `weak` (the answers) or `judge`. */
  stage: 'strong' | 'weak' | 'judge';
  model: string;
  error: string;
  reply?: string;
}

/** SHA-256 of the prompt text (hex, first 32 characters). */
export function promptHash(prompt: string): string {
  return createHash('sha256').update(prompt).digest('hex').slice(0, 32);
}

/** The key of one label: the prompt, both models, the judge and the template, hashed. */
export function labelKey(parts: { promptHash: string; strong: string; weak: string; judge: string; templateHash: string }): string {
  return createHash('sha256')
    .update(JSON.stringify([parts.promptHash, parts.strong, parts.weak, parts.judge, parts.templateHash]))
    .digest('hex')
    .slice(0, 32);
}

/**
 * The objects of a JSON Lines file that may end with a torn line (a run killed mid-write): lines
 * that do not parse as objects are skipped and counted. A missing file reads as empty.
 */
export async function readStoredRows(file: string): Promise<{ rows: Record<string, unknown>[]; skipped: number }> {
  if (!existsSync(file)) return { rows: [], skipped: 0 };
  const rows: Record<string, unknown>[] = [];
  let skipped = 0;
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) rows.push(value as Record<string, unknown>);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  return { rows, skipped };
}

/** Appends rows to a JSON Lines file one at a time, in call order (writes never interleave). */
export class JsonLinesAppender {
  private last: Promise<void> = Promise.resolve();
  private started = false;

  constructor(readonly file: string) {}

  /** Queues one row; resolves once it is on disk. */
  append(row: unknown): Promise<void> {
    const line = `${JSON.stringify(row)}\n`;
    this.last = this.last.then(async () => {
      await appendFile(this.file, (await this.separator()) + line);
      this.started = true;
    });
    return this.last;
  }

  /** Waits for every queued row. */
  flush(): Promise<void> {
    return this.last;
  }

  /** A newline first when an existing file ends with a torn line, so the new row stays whole. */
  private async separator(): Promise<string> {
    if (this.started || !existsSync(this.file)) return '';
    const text = await readFile(this.file, 'utf8');
    return text.length > 0 && !text.endsWith('\n') ? '\n' : '';
  }
}
