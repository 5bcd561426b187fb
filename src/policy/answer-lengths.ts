/**
 * The running mean of each model's answer length in completion tokens: the expected output of a
 * model once it has answered enough requests. Only answers that reported their usage count (an
 * answer without usage would pull the mean towards 0).
 */
export class AnswerLengths {
  private readonly seen = new Map<string, { answers: number; tokens: number }>();

  /** Counts one answer of `model` with `tokens` completion tokens. */
  record(model: string, tokens: number): void {
    const seen = this.seen.get(model) ?? { answers: 0, tokens: 0 };
    this.seen.set(model, { answers: seen.answers + 1, tokens: seen.tokens + tokens });
  }

  /** The mean completion tokens of `model`'s answers once it gave at least `minAnswers`; else undefined. */
  mean(model: string, minAnswers: number): number | undefined {
    const seen = this.seen.get(model);
    return seen && seen.answers >= minAnswers ? seen.tokens / seen.answers : undefined;
  }

  /**
   * Expected output tokens by model for the policy (`expectedCosts`): each of `models`' running
   * mean once it has `minAnswers`, else its entry in `configured`.
   */
  expected(models: readonly string[], minAnswers: number, configured: Readonly<Record<string, number>> = {}): Record<string, number> {
    const lengths: Record<string, number> = { ...configured };
    for (const model of models) {
      const mean = this.mean(model, minAnswers);
      if (mean !== undefined) lengths[model] = mean;
    }
    return lengths;
  }

  /** Forgets every answer. */
  clear(): void {
    this.seen.clear();
  }
}
