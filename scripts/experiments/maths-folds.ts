/**
 * Validation of the ridge router's maths head (docs/experiments.md, section 15): the open7 maths
 * score tables (GSM8K-train word problems and MATH prealgebra, each graded for seven 7-8B models).
 * A head predicts a problem's difficulty rank within its table; a candidate is judged by the
 * out-of-fold Spearman correlation between its predictions and the held-out problems' difficulty
 * ranks, per table (10 folds by prompt; the table being scored contributes only its other nine
 * folds to the fit, the candidate's other tables are used whole). No benchmark row is read.
 */
import path from 'node:path';
import { readScoreRows } from '../../src/data/index.js';
import { midranks, ridgeTarget } from '../../src/routers/ridge/train.js';
import { defaultDataDir } from '../../src/weights-format/paths.js';
import { MATHS_SOURCES } from '../ridge-recipe.js';
import { embedAll, STRONG, WEAK } from './features.js';
import { FOLDS, foldsFor, mean } from './open-ended-folds.js';
import { DIM, featureVector, predict, ridge } from './ridge.js';

/** One maths table: its problems' feature rows (with and without text features) and difficulty ranks. */
export interface MathsTable {
  source: string;
  features: { [text in 'yes' | 'no']: Float64Array[] };
  /** Each problem's difficulty: 1 - its mean result over the table's models. */
  difficulty: number[];
}

/** A maths head's settings, as `trainRidge` takes them (target: difficulty, ranked within each source). */
export interface MathsCandidate {
  sources: string[];
  textFeatures: boolean;
  lambda: number;
}

export async function loadMathsTables(dataDir = defaultDataDir()): Promise<MathsTable[]> {
  const tables: MathsTable[] = [];
  for (const source of MATHS_SOURCES) {
    const rows = await readScoreRows(path.join(dataDir, 'train', `${source}.jsonl`));
    const embeddings = await embedAll(rows.map((row) => row.prompt));
    const row = (text: boolean) => rows.map((item, i) => featureVector(embeddings, i * DIM, item.prompt, text));
    tables.push({ source, features: { yes: row(true), no: row(false) }, difficulty: rows.map((item) => ridgeTarget('difficulty', item, STRONG, WEAK)!) });
  }
  return tables;
}

/** Spearman's rank correlation (Pearson's on midranks). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const [x, y] = [midranks(Array.from(a)), midranks(Array.from(b))];
  const [mx, my] = [mean(x), mean(y)];
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * Out-of-fold Spearman per table for one fold draw (`repeat`), for every table (listed in the
 * candidate or not). The fit's targets are midranks among each table's training rows, as
 * `trainRidge` ranks within each source.
 */
export function mathsOutOfFold(tables: readonly MathsTable[], candidate: MathsCandidate, repeat: number): Record<string, number> {
  const text = candidate.textFeatures ? 'yes' : 'no';
  const result: Record<string, number> = {};
  for (const scored of tables) {
    const folds = foldsFor(scored.difficulty.length, repeat);
    const predicted = new Float64Array(scored.difficulty.length);
    for (let fold = 0; fold < FOLDS; fold++) {
      const x: Float64Array[] = [];
      const y: number[] = [];
      for (const table of tables) {
        if (!candidate.sources.includes(table.source)) continue;
        const train = table.difficulty.flatMap((_, i) => (table === scored && folds[i] === fold ? [] : [i]));
        x.push(...train.map((i) => table.features[text][i]));
        y.push(...midranks(train.map((i) => table.difficulty[i])));
      }
      const beta = ridge(x, y, y.map(() => 1), candidate.lambda);
      const held = scored.difficulty.flatMap((_, i) => (folds[i] === fold ? [i] : []));
      predict(beta, held.map((i) => scored.features[text][i])).forEach((value, k) => (predicted[held[k]] = value));
    }
    result[scored.source] = spearman(predicted, scored.difficulty);
  }
  return result;
}
