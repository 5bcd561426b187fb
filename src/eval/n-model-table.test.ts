import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../data/errors.js';
import { InvalidInputError } from '../errors.js';
import { readNModelTable } from './n-model-table.js';
import { parsePrices, readPrices } from './prices.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-n-model-'));
function file(name: string, rows: unknown[]): string {
  const target = path.join(dir, name);
  writeFileSync(target, rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
  return target;
}

describe('readNModelTable', () => {
  it('reads RouterBench rows: correctness and real costs; the policy sees each model\'s mean cost', async () => {
    const benchmark = file('routerbench.jsonl', [
      { prompt: 'a', correct: { 'gpt-4-1106-preview': 1, 'mistralai/mixtral-8x7b-chat': 0 }, cost_usd: { 'gpt-4-1106-preview': 0.01, 'mistralai/mixtral-8x7b-chat': 0.0001 } },
      { prompt: 'b', correct: { 'gpt-4-1106-preview': true, 'mistralai/mixtral-8x7b-chat': true }, cost_usd: { 'gpt-4-1106-preview': 0.03, 'mistralai/mixtral-8x7b-chat': 0.0003 } },
    ]);
    const table = await readNModelTable(benchmark);
    expect(table.models).toEqual(['gpt-4-1106-preview', 'mistralai/Mixtral-8x7B-Instruct-v0.1']);
    expect(table.costSource).toBe('file');
    expect([...table.quality]).toEqual([1, 0, 1, 1]);
    expect([...table.cost]).toEqual([0.01, 0.0001, 0.03, 0.0003]);
    expect([...table.decisionCost!].map((v) => +v.toPrecision(6))).toEqual([0.02, 0.0002, 0.02, 0.0002]);
    // Prices replace the policy's view only.
    const priced = await readNModelTable(benchmark, { prices: { 'gpt-4-1106-preview': { input: 10, output: 30 }, 'mixtral-8x7b': { input: 0.6, output: 0.6 } } });
    expect([...priced.cost]).toEqual([...table.cost]);
    expect(priced.decisionCost![0]).toBeCloseTo((1 * 10 + 300 * 30) / 1e6, 12);
  });

  it('reads scores with prices, skips rows where a chosen model has no grade, and picks the models asked for', async () => {
    const benchmark = file('graded.jsonl', [
      { prompt: 'abcdefgh', scores: { big: 9, small: 4, mid: 6 } },
      { prompt: 'b', scores: { big: 8, small: null, mid: 7 } },
      { prompt: 'c', scores: { big: 7, small: 3, mid: null } },
    ]);
    const table = await readNModelTable(benchmark, { models: ['small', 'big'], prices: parsePrices('big=30/60, small=1'), outputTokens: 100 });
    expect(table.models).toEqual(['small', 'big']);
    expect(table.count).toBe(2);
    expect(table.skippedRows).toBe(1);
    expect([...table.quality]).toEqual([4, 9, 3, 7]);
    expect(table.cost[1]).toBeCloseTo((2 * 30 + 100 * 60) / 1e6, 12);
    expect(table.costSource).toBe('prices');
  });

  it('says what is wrong: one model, an unknown model, no prices, a bad file', async () => {
    const benchmark = file('plain.jsonl', [{ prompt: 'a', scores: { big: 1, small: 0 } }]);
    await expect(readNModelTable(benchmark, { models: ['big'], prices: parsePrices('big=1,small=1') })).rejects.toThrow(/at least two models/);
    await expect(readNModelTable(benchmark, { models: ['big', 'gpt-9'], prices: parsePrices('big=1,small=1') })).rejects.toThrow(/model "gpt-9".*it has: big, small/);
    await expect(readNModelTable(benchmark)).rejects.toThrow(/prices.*no "cost_usd"/);
    await expect(readNModelTable(benchmark, { prices: parsePrices('big=1') })).rejects.toThrow(/price of "small"/);
    await expect(readNModelTable(file('bad-cost.jsonl', [{ prompt: 'a', correct: { a: 1, b: 0 }, cost_usd: { a: -1, b: 0 } }]))).rejects.toBeInstanceOf(DataError);
    await expect(readNModelTable(path.join(dir, 'missing.jsonl'))).rejects.toBeInstanceOf(DataError);
  });
});

describe('prices', () => {
  it('parses model=input/output lists and JSON files; rejects bad entries by name', async () => {
    expect(parsePrices('gpt-4o=2.5/10, mini=0.15/0.6,local=0')).toEqual({ 'gpt-4o': { input: 2.5, output: 10 }, mini: { input: 0.15, output: 0.6 }, local: { input: 0, output: 0 } });
    for (const bad of ['gpt-4o', 'a=x/1', 'a=1/2/3', 'a=-1', '']) expect(() => parsePrices(bad)).toThrow(InvalidInputError);
    const json = path.join(dir, 'prices.json');
    writeFileSync(json, JSON.stringify({ $note: 'ignored', a: { input: 1, output: 2 } }));
    expect(await readPrices(json)).toEqual({ a: { input: 1, output: 2 } });
    writeFileSync(json, JSON.stringify({ a: { input: 1 } }));
    await expect(readPrices(json)).rejects.toThrow(/output price of "a"/);
    writeFileSync(json, '{');
    await expect(readPrices(json)).rejects.toBeInstanceOf(InvalidInputError);
  });
});
