/**
 * Does routing on more of the conversation help? The default router scores each multi-turn row
 * twice, through the controller's text-building rule (`routingText`, src/controller/messages.ts):
 * on the last user message (routeTurns 1, the default) and on the last two messages (routeTurns 2:
 * here the previous user turn and the last one, as the data holds no assistant answers).
 *
 *   npx tsx scripts/experiments/multi-turn.ts
 *
 * Rows: MT-Bench second turns (GPT-4 grades of turn 2 for the benchmark pair; contaminated
 * questions dropped as in the benchmark) and the multi-turn Arena battles between models of
 * different sw_ranking tiers (the better tier as "strong", as in loadArenaValidation).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { routingText } from '../../src/controller/messages.js';
import { loadMtBench } from '../../src/data/index.js';
import { readJsonLines } from '../../src/data/jsonl.js';
import { withDiskCache } from '../../src/embedders/disk-cache.js';
import { randomNoiseFloor } from '../../src/eval/noise-floor.js';
import { scorePrompts } from '../../src/eval/scoring.js';
import { createRouter } from '../../src/routers/registry.js';
import { defaultDataDir, shippedWeightsDir } from '../../src/weights-format/paths.js';
import { evaluateScores, STRONG, WEAK, type ScoredRows } from './features.js';

interface Conversation {
  turns: string[];
  scores: Record<string, number>;
}

async function mtBenchSecondTurns(): Promise<Conversation[]> {
  const kept = new Set((await loadMtBench()).rows.map((row) => row.prompt));
  const dir = path.join(defaultDataDir(), 'evals', 'mt_bench');
  const grades = new Map<string, number>();
  for (const record of await readJsonLines(path.join(dir, 'judgements.jsonl'))) {
    const { question_id: id, model, turn, score } = record.value as { question_id: number; model: string; turn: number; score: number };
    if (turn === 2) grades.set(`${id}|${model}`, score);
  }
  const out: Conversation[] = [];
  for (const record of await readJsonLines(path.join(dir, 'question.jsonl'))) {
    const { question_id: id, turns } = record.value as { question_id: number; turns: string[] };
    const strong = grades.get(`${id}|${STRONG}`);
    const weak = grades.get(`${id}|${WEAK}`);
    if (!kept.has(turns[0]) || strong === undefined || weak === undefined || strong < 0 || weak < 0) continue;
    out.push({ turns, scores: { strong, weak } });
  }
  return out;
}

async function arenaMultiTurn(): Promise<Conversation[]> {
  const tiers = JSON.parse(readFileSync(path.join(shippedWeightsDir('sw_ranking'), 'manifest.json'), 'utf8')).extra.tiers as Record<string, number>;
  const out: Conversation[] = [];
  for (const record of await readJsonLines(path.join(defaultDataDir(), 'train', 'arena-battles.jsonl'))) {
    const { model_a: a, model_b: b, winner, turns } = record.value as { model_a: string; model_b: string; winner: string; turns?: string[] };
    if (!Array.isArray(turns) || turns.length < 2 || tiers[a] === undefined || tiers[b] === undefined || tiers[a] === tiers[b]) continue;
    const strongIsA = tiers[a] < tiers[b];
    const strongWon = winner === (strongIsA ? 'model_a' : 'model_b');
    const weakWon = winner === (strongIsA ? 'model_b' : 'model_a');
    const [strong, weak] = strongWon ? [1, 0] : weakWon ? [0, 1] : winner === 'tie' ? [0.5, 0.5] : [0, 0];
    out.push({ turns, scores: { strong, weak } });
  }
  return out;
}

const router = await createRouter('ridge');
try {
  for (const [name, conversations] of [['MT-Bench turn 2', await mtBenchSecondTurns()], ['Arena multi-turn battles', await arenaMultiTurn()]] as const) {
    const set: ScoredRows = { rows: conversations.map((c) => ({ prompt: c.turns.at(-1)!, scores: c.scores })), strongModel: 'strong', weakModel: 'weak' };
    const noise = randomNoiseFloor(set.rows.map((row) => row.scores.strong), set.rows.map((row) => row.scores.weak));
    const cells: string[] = [];
    for (const routeTurns of [1, 2]) {
      // The conversation as the controller sees it, one user message per turn (no assistant answers in the data).
      const texts = conversations.map((c) => routingText(c.turns.map((text) => ({ role: 'user', text })), routeTurns));
      const scores = await scorePrompts(router, texts, { cacheDir: false, wrapEmbedder: (embedder) => withDiskCache(embedder) });
      cells.push(`routeTurns ${routeTurns}: APGR ${evaluateScores(set, scores).apgr?.toFixed(3)}`);
    }
    console.log(`${name} (${conversations.length} rows; random ${noise ? `${noise.apgrMean.toFixed(3)} ± ${noise.apgrSd.toFixed(3)}` : 'n/a'}): ${cells.join(', ')}`);
  }
} finally {
  await router.dispose();
}
