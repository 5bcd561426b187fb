import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from './errors.js';
import { loadGsm8k, loadMmlu, loadMmluSplit, loadMtBench, resolveDataDir } from './evals.js';

const S = 'gpt-4-1106-preview';
const W = 'mistralai/Mixtral-8x7B-Instruct-v0.1';

function fixture(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'routellm-evals-'));
  mkdirSync(path.join(root, 'evals/mmlu/responses'), { recursive: true });
  mkdirSync(path.join(root, 'evals/gsm8k'), { recursive: true });
  mkdirSync(path.join(root, 'evals/mt_bench'), { recursive: true });
  const mmluRows = Array.from({ length: 1503 }, (_, i) => `"Q${i}, with comma",${i % 2 ? 'True' : 'False'},True`);
  writeFileSync(path.join(root, 'evals/mmlu/responses/mmlu_a.csv'), `prompt,${W},${S}\n` + mmluRows.slice(0, 800).join('\n') + '\n');
  writeFileSync(path.join(root, 'evals/mmlu/responses/mmlu_b.csv'), `prompt,${W},${S}\n` + mmluRows.slice(800).join('\n') + '\n');
  writeFileSync(path.join(root, 'evals/mmlu/contaminated_prompts.jsonl'), JSON.stringify({ eval_prompt: 'Q5, with comma' }) + '\n');
  writeFileSync(
    path.join(root, 'evals/gsm8k/gsm8k_responses.csv'),
    `prompt,${W},${S},${W}_response,${S}_response\n"two\nlines",True,False,"he said ""4""",5\nother,False,True,a,b\n`,
  );
  writeFileSync(path.join(root, 'evals/gsm8k/contaminated_prompts.jsonl'), JSON.stringify({ eval_prompt: 'other' }) + '\n');
  const questions = [1, 2, 3].map((id) => JSON.stringify({ question_id: id, category: 'writing', turns: [`first ${id}`, `second ${id}`] }));
  writeFileSync(path.join(root, 'evals/mt_bench/question.jsonl'), questions.join('\n') + '\n');
  const judgements = [1, 2, 3].flatMap((id) =>
    [S, W].flatMap((model) => [1, 2].map((turn) => JSON.stringify({ question_id: id, model, turn, score: model === S ? 9 + turn - 1 : 6 }))),
  );
  writeFileSync(path.join(root, 'evals/mt_bench/judgements.jsonl'), judgements.join('\n') + '\n');
  writeFileSync(path.join(root, 'evals/mt_bench/contaminated_prompts.jsonl'), JSON.stringify({ eval_prompt: 'first 3' }) + '\n');
  return root;
}

describe('benchmark loaders', () => {
  const dataDir = fixture();

  it('loads MMLU without contaminated rows and splits gold/rest by SHA-256 of the prompt', async () => {
    const mmlu = await loadMmlu({ dataDir });
    expect(mmlu.rows).toHaveLength(1502);
    expect(mmlu.contaminatedRemoved).toBe(1);
    expect(mmlu.models).toEqual([S, W]);
    expect(mmlu.rows[1]).toMatchObject({ prompt: 'Q1, with comma', scores: { [S]: 1, [W]: 1 }, category: 'a' });
    const { gold, rest } = await loadMmluSplit({ dataDir });
    expect(gold.rows).toHaveLength(1500);
    expect(rest.rows).toHaveLength(2);
    const { createHash } = await import('node:crypto');
    const hex = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(hex(gold.rows[1499].prompt) < hex(rest.rows[0].prompt)).toBe(true);
  });

  it('loads GSM8K with multi-line quoted prompts and responses', async () => {
    const gsm8k = await loadGsm8k({ dataDir });
    expect(gsm8k.rows).toEqual([{ id: '0', prompt: 'two\nlines', scores: { [W]: 1, [S]: 0 }, responses: { [W]: 'he said "4"', [S]: '5' } }]);
    expect(gsm8k.contaminatedRemoved).toBe(1);
  });

  it('loads MT-Bench: first turn as prompt, mean of both turns per model', async () => {
    const mt = await loadMtBench({ dataDir });
    expect(mt.rows.map((r) => r.prompt)).toEqual(['first 1', 'first 2']);
    expect(mt.rows[0].scores).toEqual({ [S]: 9.5, [W]: 6 });
    expect(mt.scoreRange).toEqual([1, 10]);
  });

  it('a missing folder says where the data is expected and how to get it', async () => {
    const error = await loadGsm8k({ dataDir: path.join(dataDir, 'nowhere') }).catch((e) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toMatch(/nowhere.*evals.*gsm8k/s);
    expect(error.message).toMatch(/ROUTELLM_DATA_DIR/);
    expect(error.message).toMatch(/RouteLLM repository/);
  });

  it.runIf(existsSync(path.join(resolveDataDir(), 'evals')))('real data: the documented counts', async () => {
    const [mmlu, gsm8k, mt] = await Promise.all([loadMmlu(), loadGsm8k(), loadMtBench()]);
    expect([mmlu.rows.length, gsm8k.rows.length, mt.rows.length]).toEqual([14037, 1307, 72]);
  });
});
