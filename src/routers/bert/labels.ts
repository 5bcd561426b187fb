/**
 * Training labels of the bert router. The classifier predicts, for a prompt, one of three
 * outcomes of a battle between a strong-class model and a weak-class model:
 *
 *   label 0 `strong_wins`: the strong-class side won;
 *   label 1 `tie`:         a tie (`tie` or `tie (bothbad)`; for correctness tables: both right or both wrong);
 *   label 2 `weak_wins`:   the weak-class side won.
 *
 * Which models are strong-class and weak-class comes from either
 *   - an explicit pair (or lists) given by the user (`--strong-model A --weak-model B`), or
 *   - the tiers: models grouped by Elo rating, the top tiers strong, the next tiers weak.
 * A battle counts only when one side is strong-class and the other weak-class; battles inside a
 * class, or with a model of neither class, are dropped. Correctness tables become battles first
 * (the golden-label rule of src/data/golden.ts: right beats wrong, equal outcomes tie).
 *
 * Score tables of models that the classes leave out (open models that never met the tiered ones)
 * can still label battles by rank within their source (`sourceRanks`, `labelBySourceRank`): in
 * each table, its models sorted by mean result, the top third counts as strong and the bottom
 * third as weak for that table's battles only.
 */
import { canonicalModelName } from '../../data/models.js';
import type { Battle, ScoreRow } from '../../data/types.js';
import { InvalidInputError } from '../../errors.js';

/** What each output index of the classifier means. */
export type BertLabel = 'strong_wins' | 'tie' | 'weak_wins';

/** The original RouteLLM checkpoint's order: 0 strong wins, 1 tie, 2 weak wins. */
export const ORIGINAL_LABEL_ORDER: readonly BertLabel[] = Object.freeze(['strong_wins', 'tie', 'weak_wins']);

/** Label indices in training order (the original checkpoint's order). */
export const LABEL_INDEX: Readonly<Record<BertLabel, number>> = Object.freeze({ strong_wins: 0, tie: 1, weak_wins: 2 });

/** Which models count as strong and as weak. */
export interface ModelClasses {
  /** `explicit`: named by the user; `tiers`: from the Elo tiers of the training battles. */
  method: 'explicit' | 'tiers';
  /** Canonical names of the strong-class models. */
  strong: string[];
  /** Canonical names of the weak-class models. */
  weak: string[];
  /** For `tiers`: each model's tier (0 = best) and the tiers taken as strong and weak. */
  tiers?: { modelTiers: Record<string, number>; strongTiers: number[]; weakTiers: number[] };
}

/** Counts of the three labels. */
export type LabelCounts = Record<BertLabel, number>;

/** Builds explicit classes from model names (names go through the alias table). */
export function explicitClasses(strong: readonly string[], weak: readonly string[]): ModelClasses {
  const strongNames = [...new Set(strong.map(canonicalModelName))];
  const weakNames = [...new Set(weak.map(canonicalModelName))];
  const overlap = strongNames.filter((name) => weakNames.includes(name));
  if (overlap.length > 0) throw new InvalidInputError('strongModel / weakModel', `disjoint classes (a model cannot be both strong and weak: ${overlap.join(', ')})`);
  return { method: 'explicit', strong: strongNames, weak: weakNames };
}

/**
 * Classes from tiers: `modelTiers` maps each model to its tier (0 = highest rated). Models in
 * `strongTiers` are strong-class, models in `weakTiers` weak-class, others are left out.
 */
export function classesFromTiers(modelTiers: Readonly<Record<string, number>>, strongTiers: readonly number[], weakTiers: readonly number[]): ModelClasses {
  const strong: string[] = [];
  const weak: string[] = [];
  for (const [model, tier] of Object.entries(modelTiers)) {
    if (strongTiers.includes(tier)) strong.push(canonicalModelName(model));
    else if (weakTiers.includes(tier)) weak.push(canonicalModelName(model));
  }
  return {
    method: 'tiers',
    strong: strong.sort(),
    weak: weak.sort(),
    tiers: { modelTiers: { ...modelTiers }, strongTiers: [...strongTiers], weakTiers: [...weakTiers] },
  };
}

/** The label of one battle under `classes`, or undefined when the battle is not strong-vs-weak. */
export function battleLabel(battle: Battle, classes: ModelClasses): BertLabel | undefined {
  const aStrong = classes.strong.includes(battle.modelA);
  const bStrong = classes.strong.includes(battle.modelB);
  const aWeak = classes.weak.includes(battle.modelA);
  const bWeak = classes.weak.includes(battle.modelB);
  let strongSide: 'model_a' | 'model_b';
  if (aStrong && bWeak) strongSide = 'model_a';
  else if (bStrong && aWeak) strongSide = 'model_b';
  else return undefined;
  if (battle.winner === 'tie' || battle.winner === 'tie (bothbad)') return 'tie';
  return battle.winner === strongSide ? 'strong_wins' : 'weak_wins';
}

/** A labelled prompt. */
export interface LabelledPrompt {
  prompt: string;
  label: BertLabel;
  source: string;
  weight: number;
}

/** Labels every strong-vs-weak battle; others are dropped. */
export function labelBattles(battles: readonly Battle[], classes: ModelClasses): LabelledPrompt[] {
  const out: LabelledPrompt[] = [];
  for (const battle of battles) {
    const label = battleLabel(battle, classes);
    if (label) out.push({ prompt: battle.prompt, label, source: battle.source, weight: battle.weight ?? 1 });
  }
  return out;
}

/** How many of each label. */
export function countLabels(rows: readonly { label: BertLabel }[]): LabelCounts {
  const counts: LabelCounts = { strong_wins: 0, tie: 0, weak_wins: 0 };
  for (const row of rows) counts[row.label]++;
  return counts;
}

/**
 * Inverse-frequency class weights (`total / (3 * count)`, normalised to mean 1 over the rows),
 * used when the largest class is more than `ratio` times the smallest; otherwise all 1.
 */
export function balancedClassWeights(counts: LabelCounts, ratio = 2): number[] {
  const values = [counts.strong_wins, counts.tie, counts.weak_wins];
  const present = values.filter((count) => count > 0);
  if (present.length === 0 || Math.max(...present) <= ratio * Math.min(...present)) return [1, 1, 1];
  const total = values.reduce((a, b) => a + b, 0);
  return values.map((count) => (count > 0 ? total / (3 * count) : 0));
}

/** Per score-table source: the models of its top third (by mean result) and of its bottom third. */
export type SourceRanks = Map<string, { strong: Set<string>; weak: Set<string> }>;

/**
 * Ranks each source's models by their mean result over the source's rows and takes the top
 * `floor(k / 3)` as strong and the bottom `floor(k / 3)` as weak (k models; sources with fewer
 * than 3 models are left out).
 */
export function sourceRanks(rows: readonly ScoreRow[]): SourceRanks {
  const sums = new Map<string, Map<string, { total: number; count: number }>>();
  for (const row of rows) {
    let bySource = sums.get(row.source);
    if (!bySource) sums.set(row.source, (bySource = new Map()));
    for (const [model, score] of Object.entries(row.scores)) {
      const cell = bySource.get(model) ?? { total: 0, count: 0 };
      cell.total += score;
      cell.count += 1;
      bySource.set(model, cell);
    }
  }
  const out: SourceRanks = new Map();
  for (const [source, byModel] of sums) {
    const third = Math.floor(byModel.size / 3);
    if (third === 0) continue;
    // Best first; equal means in name order, so the split is deterministic.
    const ranked = [...byModel]
      .map(([model, cell]) => ({ model, mean: cell.total / cell.count }))
      .sort((a, b) => b.mean - a.mean || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0))
      .map((entry) => entry.model);
    out.set(source, { strong: new Set(ranked.slice(0, third)), weak: new Set(ranked.slice(-third)) });
  }
  return out;
}

/**
 * Labels the battles that `classes` leaves out by rank within their source: a battle between a
 * top-third and a bottom-third model of its source is labelled from the top-third side.
 */
export function labelBySourceRank(battles: readonly Battle[], classes: ModelClasses, ranks: SourceRanks): LabelledPrompt[] {
  const out: LabelledPrompt[] = [];
  for (const battle of battles) {
    const ranked = ranks.get(battle.source);
    if (!ranked || battleLabel(battle, classes)) continue;
    const label = battleLabel(battle, { method: 'explicit', strong: [...ranked.strong], weak: [...ranked.weak] });
    if (label) out.push({ prompt: battle.prompt, label, source: battle.source, weight: battle.weight ?? 1 });
  }
  return out;
}
