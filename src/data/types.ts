/** Outcome of a pairwise battle, as Chatbot Arena writes it. */
export type Winner = 'model_a' | 'model_b' | 'tie' | 'tie (bothbad)';

/** The accepted winner values, in a fixed order. */
export const WINNERS: readonly Winner[] = Object.freeze(['model_a', 'model_b', 'tie', 'tie (bothbad)']);

/** One pairwise comparison of two models' answers to a prompt. Model names are canonical. */
export interface Battle {
  /** The prompt both models answered (the first user turn). */
  prompt: string;
  /** Canonical name of the first model (see `canonicalModelName`). */
  modelA: string;
  /** Canonical name of the second model. */
  modelB: string;
  /** Which side won, or a tie. */
  winner: Winner;
  /** Where the battle came from (file name without extension, or a label such as `mmlu-gold`). */
  source: string;
  /** Relative weight of the battle in training (default 1). */
  weight?: number;
}

/** One prompt with a result per model: correctness (0/1) or a score in [0, 1]. */
export interface ScoreRow {
  /** The prompt every model answered. */
  prompt: string;
  /** Canonical model name -> result (higher is better). */
  scores: Record<string, number>;
  /** Where the row came from. */
  source: string;
}

/** What a training file holds. */
export type TrainingFileKind = 'battles' | 'scores';
