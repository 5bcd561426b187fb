/**
 * Price tables for the N-model evaluation: `a=30/60,b=0.5/1.5` (dollars per 1M input/output
 * tokens; one number means the same price for both) or a JSON file `{ "model": { "input": 30,
 * "output": 60 } }`.
 */
import { readTextFile } from '../data/jsonl.js';
import { InvalidInputError } from '../errors.js';
import type { TokenPrice } from '../policy/index.js';

function price(value: unknown, input: string): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || number < 0) throw new InvalidInputError(input, `a price in dollars per 1M tokens (a number >= 0), got ${JSON.stringify(value)}`);
  return number;
}

/** Parses `model=input/output,...`; throws `InvalidInputError` naming the bad entry. */
export function parsePrices(text: string): Record<string, TokenPrice> {
  const out: Record<string, TokenPrice> = {};
  for (const entry of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const at = entry.lastIndexOf('=');
    if (at <= 0) throw new InvalidInputError(`price "${entry}"`, 'model=input/output (dollars per 1M tokens), e.g. gpt-4o=2.5/10');
    const model = entry.slice(0, at).trim();
    const [input, output, extra] = entry.slice(at + 1).split('/');
    if (extra !== undefined) throw new InvalidInputError(`price of "${model}"`, 'input/output, two numbers');
    out[model] = { input: price(input, `input price of "${model}"`), output: price(output ?? input, `output price of "${model}"`) };
  }
  if (Object.keys(out).length === 0) throw new InvalidInputError('prices', 'at least one model=input/output');
  return out;
}

/** Reads a price table: a `.json` file path, or the `model=input/output,...` text itself. */
export async function readPrices(spec: string): Promise<Record<string, TokenPrice>> {
  if (!spec.trim().endsWith('.json')) return parsePrices(spec);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readTextFile(spec));
  } catch (error) {
    if (error instanceof SyntaxError) throw new InvalidInputError(`prices file ${spec}`, `JSON (${error.message})`);
    throw error;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidInputError(`prices file ${spec}`, 'an object: model -> { input, output }');
  const out: Record<string, TokenPrice> = {};
  for (const [model, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (model.startsWith('$')) continue;
    const entry = (value ?? {}) as Partial<Record<'input' | 'output', unknown>>;
    out[model] = { input: price(entry.input, `input price of "${model}"`), output: price(entry.output, `output price of "${model}"`) };
  }
  return out;
}
