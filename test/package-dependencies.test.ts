import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

/** Library sources: everything under src/ but tests and shared test cases. */
function sourceFiles(folder = path.join(root, 'src')): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.case.ts') ? [full] : [];
  });
}

/** The npm package a bare specifier names (`@scope/name/sub` -> `@scope/name`), or undefined for a relative or built-in one. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Packages each file imports for its value: static `import ... from` and `export ... from`, not `import type`. */
function imports(kind: 'static' | 'dynamic'): Map<string, string[]> {
  const pattern = kind === 'static' ? /^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms : /\bimport\(\s*'([^']+)'\s*\)/g;
  const found = new Map<string, string[]>();
  for (const file of sourceFiles()) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) {
      const name = packageOf(match[1]);
      if (name) found.set(name, [...(found.get(name) ?? []), path.relative(root, file)]);
    }
  }
  return found;
}

const optionalPeers = Object.keys(manifest.peerDependencies).filter((name) => manifest.peerDependenciesMeta[name]?.optional);

describe('package.json dependencies match what src imports (the installed footprint cannot grow silently)', () => {
  it('every package imported at top level is a dependency, and no optional peer is imported at top level', () => {
    const topLevel = [...imports('static').keys()].sort();
    expect(topLevel.filter((name) => !(name in manifest.dependencies))).toEqual([]);
    expect(topLevel.filter((name) => optionalPeers.includes(name))).toEqual([]);
  });

  it('every dependency is imported somewhere (statically, on first use, or resolved by name for its files)', () => {
    const sources = sourceFiles().map((file) => readFileSync(file, 'utf8')).join('\n');
    const resolvedByName = Object.keys(manifest.dependencies).filter((name) => sources.includes(`'${name}'`));
    const used = new Set([...imports('static').keys(), ...imports('dynamic').keys(), ...resolvedByName]);
    expect(Object.keys(manifest.dependencies).filter((name) => !used.has(name))).toEqual([]);
  });

  it('the packages with install scripts or hundreds of MB are optional peers, not dependencies', () => {
    for (const name of ['@huggingface/transformers', '@anthropic-ai/sdk', '@tensorflow/tfjs', '@tensorflow/tfjs-node']) {
      expect(manifest.dependencies).not.toHaveProperty(name);
    }
    expect(optionalPeers).toEqual(expect.arrayContaining(['@huggingface/transformers', '@anthropic-ai/sdk', '@tensorflow/tfjs-node']));
  });
});
