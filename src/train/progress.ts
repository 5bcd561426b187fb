/** Options of `ProgressBar`. */
export interface ProgressBarOptions {
  /** Label before the bar, e.g. `epoch 3/20`. */
  label?: string;
  /** Where to write. Default `process.stderr`. */
  stream?: NodeJS.WriteStream;
  /** Force the interactive (redrawn) form on or off; default: when the stream is a TTY. */
  interactive?: boolean;
  /** Width of the bar in characters. Default 24. */
  width?: number;
}

/**
 * A progress bar on stderr: redrawn in place on a terminal; otherwise plain lines at each 10% and
 * at the end, so logs stay readable.
 */
export class ProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private readonly interactive: boolean;
  private readonly width: number;
  private label: string;
  private lastDecile = -1;
  private readonly startedAt = Date.now();

  constructor(
    readonly total: number,
    options: ProgressBarOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.interactive = options.interactive ?? Boolean(this.stream.isTTY);
    this.width = options.width ?? 24;
    this.label = options.label ?? '';
  }

  /** Shows `done` of `total` with the rate and the time left, and extra text (e.g. `loss 0.61`). */
  update(done: number, text = ''): void {
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const timing = `${elapsed.toFixed(1)}s${rate > 0 ? `, ${formatRate(rate)}/s, ETA ${formatSeconds((this.total - done) / rate)}` : ''}`;
    if (this.interactive) {
      const filled = Math.round(fraction * this.width);
      const bar = '#'.repeat(filled) + '-'.repeat(this.width - filled);
      this.stream.write(`\r${this.label} [${bar}] ${done}/${this.total} ${timing} ${text}\u001b[K`);
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(`${this.label} ${done}/${this.total} (${Math.round(fraction * 100)}%) ${timing} ${text}\n`);
    }
  }

  /** Ends the bar with a final line. */
  finish(text = ''): void {
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    if (this.interactive) this.stream.write(`\r${this.label} done ${this.total}/${this.total} ${seconds}s ${text}\u001b[K\n`);
    else this.stream.write(`${this.label} done ${this.total}/${this.total} ${seconds}s ${text}\n`);
  }
}

function formatRate(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate.toFixed(1);
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}
