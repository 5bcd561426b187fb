/**
 * The server's traffic log (`logDir`): `completions.jsonl` (one line per served completion: id,
 * time, routed text, router, threshold, score, decision, models) and `feedback.jsonl` (one battle
 * per feedback, the format `routellm train --data` reads). Each file rotates by size:
 * `x.jsonl` -> `x.1.jsonl` -> ... -> `x.<maxFiles-1>.jsonl`, the oldest deleted, so a log never
 * holds more than `maxFiles * maxBytes`. Only the fields named here are written: no header, key or answer.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { appendFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { FeedbackRow, ServedCompletion } from '../controller/feedback.js';

/** One JSON Lines file that rotates when the next line would take it past `maxBytes`. */
export class RotatingJsonLines {
  private size: number;
  private queue: Promise<void> = Promise.resolve();
  /** Lines that could not be written (disk full, permissions); the request is served anyway. */
  failures = 0;

  constructor(
    readonly file: string,
    readonly maxBytes: number,
    readonly maxFiles: number,
  ) {
    this.size = existsSync(file) ? statSync(file).size : 0;
  }

  /** Appends one row; writes happen one at a time, in call order. Never rejects. */
  append(row: unknown): Promise<void> {
    const line = `${JSON.stringify(row)}\n`;
    const bytes = Buffer.byteLength(line);
    this.queue = this.queue.then(async () => {
      try {
        if (this.size > 0 && this.size + bytes > this.maxBytes) await this.rotate();
        await appendFile(this.file, line);
        this.size += bytes;
      } catch (error) {
        if (this.failures++ === 0) process.emitWarning(`routellm: cannot write ${this.file}: ${(error as Error).message}`, { code: 'ROUTELLM_TRAFFIC_LOG' });
      }
    });
    return this.queue;
  }

  /** Waits for every queued line. */
  flush(): Promise<void> {
    return this.queue;
  }

  /** The name of the n-th older file (0: the live one). */
  rotated(n: number): string {
    return n === 0 ? this.file : this.file.replace(/\.jsonl$/, `.${n}.jsonl`);
  }

  private async rotate(): Promise<void> {
    await rm(this.rotated(this.maxFiles - 1), { force: true });
    for (let n = this.maxFiles - 2; n >= 0; n--) {
      if (existsSync(this.rotated(n))) await rename(this.rotated(n), this.rotated(n + 1));
    }
    this.size = 0;
  }
}

/** Sizes of the traffic log. */
export interface TrafficLogLimits {
  /** Largest size of one file before it rotates, in bytes. */
  maxBytes: number;
  /** Files kept per log, the live one included. */
  maxFiles: number;
}

/** The two logs of a server with `logDir`. */
export class TrafficLog {
  readonly completions: RotatingJsonLines;
  readonly feedback: RotatingJsonLines;

  constructor(readonly dir: string, limits: TrafficLogLimits) {
    mkdirSync(dir, { recursive: true });
    this.completions = new RotatingJsonLines(path.join(dir, 'completions.jsonl'), limits.maxBytes, limits.maxFiles);
    this.feedback = new RotatingJsonLines(path.join(dir, 'feedback.jsonl'), limits.maxBytes, limits.maxFiles);
  }

  /** Logs a served completion. */
  served(entry: ServedCompletion): Promise<void> {
    return this.completions.append(entry);
  }

  /** Logs a training row made from feedback. */
  learned(row: FeedbackRow): Promise<void> {
    return this.feedback.append(row);
  }

  /** Waits for both logs. */
  async flush(): Promise<void> {
    await Promise.all([this.completions.flush(), this.feedback.flush()]);
  }
}
