/**
 * How long a user waits for the CLI: wall time of `routellm --help`, of the README's first command
 * (`routellm route "<prompt>" --json`, the default router with USE-lite; also as typed there,
 * through `npm run routellm --`) and of `route --router random` (routing without tensors), each a
 * fresh process, in three forms:
 *
 * - `built`: bin/routellm.js with dist/ present (`npm run build`; skipped when dist/ is missing);
 * - `source`: a fresh clone's form, no dist/, so bin/routellm.js runs src/cli/main.ts through tsx
 *   (a temporary root with a copy of bin/ and links to src/, node_modules/ and package.json),
 *   tsx's transform cache warm (every run after the first);
 * - `source-cold`: the same with `TSX_DISABLE_CACHE=1`, every file transformed again (a clone's
 *   first run).
 *
 * `ROUTELLM_CACHE_DIR` is a new empty folder for every run, so no embedding disk cache is read
 * (`route` embeds its prompt without one anyway; the bench checks that nothing was written there).
 *
 *   npx tsx bench/cli-startup.bench.ts [--runs 7] [--baseline <checkout>] [--profile] [--forms built,source]
 *
 * `--baseline <dir>`: a checkout of an earlier commit (`git archive main | tar -x -C <dir>`, a
 * node_modules link, and `npx tsup` there for its built form), measured in the same rounds,
 * interleaved, with the ratio printed. `--profile`: one more run of each command with
 * `node --cpu-prof`, its main thread's samples split into where the time went.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const PROMPT = 'Prove that there are infinitely many primes.';
const COMMANDS: Readonly<Record<string, readonly string[]>> = {
  '--help': ['--help'],
  'route --json': ['route', PROMPT, '--json'],
  'route --router random': ['route', PROMPT, '--router', 'random', '--threshold', '0.5', '--json'],
  // The README's first command as typed: npm's own start comes on top.
  'npm run routellm -- route --json': ['route', PROMPT, '--json'],
};
const FORMS = ['built', 'source', 'source-cold'] as const;
type Form = (typeof FORMS)[number];

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '7' }, baseline: { type: 'string' }, profile: { type: 'boolean', default: false }, forms: { type: 'string' } },
});
const runs = Number(values.runs);
const forms = (values.forms?.split(',') ?? FORMS) as Form[];
const scratch = mkdtempSync(path.join(os.tmpdir(), 'routellm-cli-startup-'));
const checkouts: Record<string, string> = { current: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..') };
if (values.baseline) checkouts.baseline = path.resolve(values.baseline);

/** A root with bin/ copied and src/, node_modules/, package.json linked, and no dist/: the CLI runs from source. */
function sourceRoot(checkout: string, name: string): string {
  const root = path.join(scratch, `source-${name}`);
  mkdirSync(path.join(root, 'bin'), { recursive: true });
  copyFileSync(path.join(checkout, 'bin', 'routellm.js'), path.join(root, 'bin', 'routellm.js'));
  for (const entry of ['src', 'node_modules', 'package.json']) symlinkSync(path.join(checkout, entry), path.join(root, entry));
  return root;
}

/** The package root (holding bin/) and environment of a form of a checkout; undefined when the built form is missing. */
function target(checkout: string, name: string, form: Form): { root: string; env: NodeJS.ProcessEnv } | undefined {
  if (form === 'built') return existsSync(path.join(checkout, 'dist', 'cli.js')) ? { root: checkout, env: {} } : undefined;
  const root = path.join(scratch, `source-${name}`);
  return { root: existsSync(root) ? root : sourceRoot(checkout, name), env: form === 'source-cold' ? { TSX_DISABLE_CACHE: '1' } : {} };
}

interface Case {
  key: string;
  root: string;
  env: NodeJS.ProcessEnv;
  args: readonly string[];
  /** Through `npm run routellm --` in the root rather than `node bin/routellm.js`. */
  npm: boolean;
}

/** Runs the CLI once; resolves with the wall time in ms. Fails on a non-zero exit, a bad answer or a written disk cache. */
function runOnce({ root, env, args, npm }: Case, nodeFlags: string[] = []): Promise<number> {
  const cache = mkdtempSync(path.join(scratch, 'cache-'));
  const [command, commandArgs] = npm ? ['npm', ['run', '--silent', 'routellm', '--', ...args]] : [process.execPath, [...nodeFlags, path.join(root, 'bin', 'routellm.js'), ...args]];
  const started = performance.now();
  const child = spawn(command, commandArgs, { cwd: root, env: { ...process.env, ...env, ROUTELLM_CACHE_DIR: cache }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data));
  child.stderr.on('data', (data: Buffer) => (output += data));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      const written = readdirSync(cache);
      rmSync(cache, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`${root}: routellm ${args.join(' ')} exited with ${code}:\n${output}`));
      if (args[0] === 'route' && !/"decision":"(strong|weak)"/.test(output)) return reject(new Error(`no decision in:\n${output}`));
      if (written.length > 0) return reject(new Error(`${args.join(' ')} wrote ${written.join(', ')} to the embedding cache folder`));
      resolve(ms);
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Where a profile sample's time goes: the innermost frame on its stack that is Node's module loader
 * (loading, linking and running a module's top level) or one of these functions decides.
 */
const PHASES: readonly [string, RegExp][] = [
  ['load USE-lite', /^(readUseLiteGraphFiles|loadModel|loadUseLiteRunner|readModelJson)$/],
  ['start tfjs backend', /^(initBackend|tryWasm|tryNative|select)$/],
  ['score the prompt', /^(strongWinRates?|scoreBatch|embedTokens|scoreEmbeddings)$/],
];

function phaseOf(frame: ProfileNode['callFrame']): string | undefined {
  if (frame.url.startsWith('node:internal/modules/')) return 'load modules';
  return PHASES.find(([, pattern]) => pattern.test(frame.functionName))?.[0];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Splits the main thread's samples of a `--cpu-prof` file into phases (ms). */
function phasesOf(file: string): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const phases = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const frames: ProfileNode['callFrame'][] = [];
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) frames.push(nodes.get(at)!.callFrame);
    const leaf = frames[0].functionName;
    let phase = ['(idle)', '(garbage collector)', '(program)'].includes(leaf) ? leaf.slice(1, -1) : undefined;
    for (const frame of frames) phase ??= phaseOf(frame);
    phase ??= 'other';
    phases.set(phase, (phases.get(phase) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  return phases;
}

async function profileOnce(run: Case): Promise<string> {
  const folder = mkdtempSync(path.join(scratch, 'profile-'));
  const ms = await runOnce(run, ['--cpu-prof', '--cpu-prof-dir', folder, '--cpu-prof-interval', '250']);
  // The main thread is thread 0: CPU.<date>.<time>.<pid>.0.<sequence>.cpuprofile.
  const file = readdirSync(folder).find((name) => /\.\d+\.0\.\d+\.cpuprofile$/.test(name));
  if (!file) return `${ms.toFixed(0)} ms (no main-thread profile)`;
  const phases = [...phasesOf(path.join(folder, file))].sort((a, b) => b[1] - a[1]);
  return `${ms.toFixed(0)} ms: ${phases.map(([phase, phaseMs]) => `${phase} ${phaseMs.toFixed(0)}`).join(', ')}`;
}

const load = () => os.loadavg().map((value) => value.toFixed(1)).join(' ');
console.log(`node ${process.version}, ${os.cpus().length} CPUs, load average ${load()}; ${runs} runs each, interleaved`);
const times = new Map<string, number[]>();
const cases: Case[] = [];
for (const [name, checkout] of Object.entries(checkouts)) {
  for (const form of forms) {
    const found = target(checkout, name, form);
    if (!found) {
      console.log(`${name} ${form}: skipped, ${checkout}/dist/cli.js is missing (npm run build)`);
      continue;
    }
    for (const [label, args] of Object.entries(COMMANDS)) cases.push({ key: `${form}\t${label}\t${name}`, ...found, args, npm: label.startsWith('npm ') });
  }
}
try {
  for (const run of cases) await runOnce(run); // warm the file cache (and tsx's, for `source`)
  for (let round = 0; round < runs; round++) {
    for (const run of cases) times.set(run.key, [...(times.get(run.key) ?? []), await runOnce(run)]);
  }
  console.log(`load average after: ${load()}\n`);
  const baselineHeader = checkouts.baseline ? ' baseline median (min) | ratio |' : '';
  console.log(`| form | command | median (min) ms |${baselineHeader}\n|---|---|---|${checkouts.baseline ? '---|---|' : ''}`);
  for (const form of forms) {
    for (const label of Object.keys(COMMANDS)) {
      const current = times.get(`${form}\t${label}\tcurrent`);
      if (!current) continue;
      const cell = (values: number[]) => `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)})`;
      const before = times.get(`${form}\t${label}\tbaseline`);
      const baselineCells = checkouts.baseline ? (before ? ` ${cell(before)} | ${(median(current) / median(before)).toFixed(2)}x |` : ' - | - |') : '';
      console.log(`| ${form} | ${label} | ${cell(current)} |${baselineCells}`);
    }
  }
  if (values.profile) {
    console.log('\nOne profiled run each (node --cpu-prof, main thread; ms of samples by phase):');
    for (const run of cases.filter((each) => !each.npm)) console.log(`${run.key.replaceAll('\t', ' | ')}: ${await profileOnce(run)}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
