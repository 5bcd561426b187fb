/**
 * `--name a b c` lists for the scripts: the values after `--name` up to the next flag, or undefined
 * when the flag is absent. (node:util parseArgs takes a list only as repeated flags.)
 */
export function flagValues(name: string, argv: readonly string[] = process.argv): string[] | undefined {
  const index = argv.indexOf(`--${name}`);
  if (index < 0) return undefined;
  const values: string[] = [];
  for (let i = index + 1; i < argv.length && !argv[i].startsWith('--'); i++) values.push(argv[i]);
  return values;
}
