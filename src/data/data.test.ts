import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Embedder } from '../embedders/types.js';
import { readBattles } from './battles.js';
import { parseCsv } from './csv.js';
import { decontaminate, normalizePrompt } from './decontaminate.js';
import { DataError } from './errors.js';
import { scoreRowsToBattles } from './golden.js';
import { DEFAULT_WEAK_MODEL } from './models.js';
import { readScoreRows } from './scores.js';
import { readTrainingData } from './training-data.js';

const folder = mkdtempSync(path.join(os.tmpdir(), 'routellm-data-'));
function write(name: string, lines: unknown[]): string {
  const file = path.join(folder, name);
  writeFileSync(file, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');
  return file;
}

describe('parseCsv (RFC 4180)', () => {
  it('handles quoted commas, doubled quotes, newlines, CRLF and a BOM', () => {
    const text = '\ufeffprompt,a,b\r\n"x, y",True,False\r\n"say ""hi""\nand go",False,True\nplain,True,True\n';
    const table = parseCsv(text, 't.csv');
    expect(table.header).toEqual(['prompt', 'a', 'b']);
    expect(table.records.map((r) => r.prompt)).toEqual(['x, y', 'say "hi"\nand go', 'plain']);
    expect(table.lines).toEqual([2, 3, 5]);
    expect(parseCsv('a,b\n"",x', 't.csv').records).toEqual([{ a: '', b: 'x' }]);
  });

  it('rejects an unterminated quote, a stray quote and a wrong field count, naming file and line', () => {
    expect(() => parseCsv('a,b\n"open,1\n', 'f.csv')).toThrow(/f\.csv:2: unterminated/);
    expect(() => parseCsv('a,b\nx"y,1\n', 'f.csv')).toThrow(DataError);
    expect(() => parseCsv('a,b\n1,2\n1,2,3\n', 'f.csv')).toThrow(/f\.csv:3: expected 2 fields/);
  });
});

describe('battle and score readers', () => {
  it('reads battles, canonicalising model names', async () => {
    const file = write('arena.jsonl', [
      { prompt: 'p1', model_a: 'mistralai/mixtral-8x7b-chat', model_b: 'claude-v1', winner: 'model_a' },
      { prompt: 'p2', model_a: 'x', model_b: 'y', winner: 'tie (bothbad)', weight: 2 },
    ]);
    const battles = await readBattles(file);
    expect(battles[0]).toEqual({ prompt: 'p1', modelA: DEFAULT_WEAK_MODEL, modelB: 'claude-1', winner: 'model_a', source: 'arena' });
    expect(battles[1].weight).toBe(2);
  });

  it('names the file and line of a bad winner, a missing field, or a line that is not JSON', async () => {
    const bad = write('bad.jsonl', [{ prompt: 'p', model_a: 'a', model_b: 'b', winner: 'model_a' }, { prompt: 'p', model_a: 'a', model_b: 'b', winner: 'draw' }]);
    await expect(readBattles(bad)).rejects.toThrow(/bad\.jsonl:2: unknown winner "draw"/);
    const missing = write('missing.jsonl', [{ prompt: 'p', model_a: 'a', winner: 'tie' }]);
    await expect(readBattles(missing)).rejects.toThrow(/missing\.jsonl:1: field "model_b"/);
    const notJson = write('nj.jsonl', ['{"prompt": "p"}', '{oops']);
    await expect(readScoreRows(notJson)).rejects.toThrow(/nj\.jsonl:2: not JSON/);
    await expect(readBattles(path.join(folder, 'nope.jsonl'))).rejects.toThrow(/missing.*nope\.jsonl/);
  });

  it('reads correctness and score tables', async () => {
    const file = write('routerbench-x_train.jsonl', [
      { prompt: 'q', correct: { 'gpt-4-1106-preview': 1, 'mistralai/mixtral-8x7b-chat': 0, 'gpt-3.5-turbo-1106': null }, cost_usd: {} },
    ]);
    const [row] = await readScoreRows(file);
    expect(row.scores).toEqual({ 'gpt-4-1106-preview': 1, [DEFAULT_WEAK_MODEL]: 0 });
    const bad = write('bad-scores.jsonl', [{ prompt: 'q', scores: { a: 1, b: 'high' } }]);
    await expect(readScoreRows(bad)).rejects.toThrow(/bad-scores\.jsonl:1: scores\["b"\] must be a finite number/);
    expect(row.source).toBe('routerbench-x_train');
  });
});

describe('golden-label rule', () => {
  const rows = [
    { prompt: 'a', scores: { m1: 1, m2: 0, m3: 1, m4: 0.95 }, source: 'open7-x' },
    { prompt: 'b', scores: { m1: 0.2, m2: 0.25, m3: 0.9, m4: 0 }, source: 'nvidia9-train' },
  ];

  it('higher score wins, a difference under the margin is a tie, all pairs by default', () => {
    const battles = scoreRowsToBattles(rows, { seed: 1 });
    expect(battles).toHaveLength(12);
    for (const battle of battles) {
      const row = rows.find((r) => r.prompt === battle.prompt)!;
      const a = row.scores[battle.modelA as keyof typeof row.scores];
      const b = row.scores[battle.modelB as keyof typeof row.scores];
      expect(battle.winner).toBe(Math.abs(a - b) < 0.1 ? 'tie' : a > b ? 'model_a' : 'model_b');
    }
  });

  it('caps pairs per prompt reproducibly, drops ties, restricts pairs and weights sources', () => {
    const capped = scoreRowsToBattles(rows, { maxPairsPerPrompt: 2, seed: 3, ties: 'drop', sourceWeights: { open7: 0.5 } });
    expect(capped).toHaveLength(4);
    expect(capped.every((b) => b.winner !== 'tie')).toBe(true);
    expect(capped.filter((b) => b.source === 'open7-x').every((b) => b.weight === 0.5)).toBe(true);
    expect(capped.filter((b) => b.source === 'nvidia9-train').every((b) => b.weight === undefined)).toBe(true);
    expect(scoreRowsToBattles(rows, { maxPairsPerPrompt: 2, seed: 3, ties: 'drop' }).map((b) => b.modelA + b.modelB)).toEqual(
      capped.map((b) => b.modelA + b.modelB),
    );
    const kept = scoreRowsToBattles(rows, { maxPairsPerPrompt: 1, seed: 3, ties: 'drop', keepPairs: [['m4', 'm3']] });
    expect(kept.filter((b) => [b.modelA, b.modelB].sort().join() === 'm3,m4')).toHaveLength(1);
    expect(kept).toHaveLength(3);
    const only = scoreRowsToBattles(rows, { pairs: [['m3', 'm1']] });
    expect(only).toHaveLength(2);
    expect(only.every((b) => [b.modelA, b.modelB].sort().join() === 'm1,m3')).toBe(true);
  });

  it('readTrainingData detects each file kind and reports counts', async () => {
    const battles = write('b.jsonl', [
      { prompt: 'p', model_a: 'a', model_b: 'b', winner: 'tie' },
      { prompt: 'p', model_a: 'a', model_b: 'b', winner: 'model_b' },
    ]);
    const scores = write('s.jsonl', [{ prompt: 'q', scores: { a: 1, b: 0, c: 0 } }]);
    const data = await readTrainingData([battles, scores], { dropTies: true });
    expect(data.sources.map((s) => [s.source, s.kind, s.rows, s.battles])).toEqual([
      ['b', 'battles', 2, 1],
      ['s', 'scores', 1, 2],
    ]);
  });
});

/** Test fixture: a deterministic hashed bag-of-words embedder. */
function bagOfWords(dimension = 64): Embedder {
  return {
    id: 'test-bow',
    dimension,
    async embed(texts) {
      const out = new Float32Array(texts.length * dimension);
      texts.forEach((text, row) => {
        for (const word of text.toLowerCase().split(/\W+/).filter(Boolean)) {
          let hash = 2166136261;
          for (const char of word) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
          out[row * dimension + ((hash >>> 0) % dimension)] += 1;
        }
      });
      return out;
    },
    dispose() {},
  };
}

describe('decontaminate', () => {
  it('drops exact (normalised) matches and near-duplicates by embedding, and counts them', async () => {
    const rows = [
      { prompt: 'What is the capital of France?' },
      { prompt: '  what is the CAPITAL of   france? ' },
      { prompt: 'the capital of France is what' },
      { prompt: 'Write a haiku about autumn leaves' },
    ];
    expect(normalizePrompt(rows[1].prompt)).toBe(normalizePrompt(rows[0].prompt));
    const exactOnly = await decontaminate(rows, { evalPrompts: ['What is the capital of France?'] });
    expect(exactOnly.droppedExact).toBe(2);
    expect(exactOnly.kept).toHaveLength(2);
    const both = await decontaminate(rows, { evalPrompts: ['What is the capital of France?'], embedder: bagOfWords() });
    expect(both.droppedExact).toBe(2);
    expect(both.droppedSimilar).toBe(1);
    expect(both.kept.map((r) => r.prompt)).toEqual(['Write a haiku about autumn leaves']);
  });
});
