import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'bin', 'routellm.js');

/** Exit code and output of one CLI run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/routellm.js ...args` as a process. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: options.cwd ?? root, env: { ...process.env, ...options.env }, maxBuffer: 32 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A line of a command's progress when stderr is not a terminal: `<label> 30/300 (10%) ...` or `<label> done 300/300 ...`. */
const PROGRESS_LINE = /^(.+?) (?:\d+\/\d+ \((\d+)%\)|done \d+\/\d+) /;

/** The progress lines of `stderr` with `label`: the percentages printed, in order, and whether a `done` line ended them. */
export function progressOf(stderr: string, label: string): { percents: number[]; done: boolean } {
  const percents: number[] = [];
  let done = false;
  for (const line of stderr.split('\n')) {
    const match = PROGRESS_LINE.exec(line);
    if (!match || match[1] !== label) continue;
    if (match[2] !== undefined) percents.push(Number(match[2]));
    else done = true;
  }
  return { percents, done };
}

/** `stderr` without its progress lines: what a command warned or failed with. */
export function withoutProgress(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !PROGRESS_LINE.test(line))
    .join('\n');
}
