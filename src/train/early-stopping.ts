/** Options of `EarlyStopping`. */
export interface EarlyStoppingOptions {
  /** Epochs without improvement before stopping. Default 5. */
  patience?: number;
  /** Smallest decrease of the validation loss that counts as an improvement. Default 1e-4. */
  minDelta?: number;
}

/**
 * Tracks the validation loss per epoch and says when to stop: after `patience` epochs without an
 * improvement of at least `minDelta`. The caller keeps the parameters of the best epoch when
 * `update()` reports `improved`.
 */
export class EarlyStopping {
  readonly patience: number;
  readonly minDelta: number;
  bestLoss = Number.POSITIVE_INFINITY;
  bestEpoch = -1;
  private sinceBest = 0;

  constructor(options: EarlyStoppingOptions = {}) {
    this.patience = options.patience ?? 5;
    this.minDelta = options.minDelta ?? 1e-4;
  }

  /** Records an epoch's validation loss. */
  update(loss: number, epoch: number): { improved: boolean; stop: boolean } {
    if (Number.isFinite(loss) && loss < this.bestLoss - this.minDelta) {
      this.bestLoss = loss;
      this.bestEpoch = epoch;
      this.sinceBest = 0;
      return { improved: true, stop: false };
    }
    this.sinceBest++;
    return { improved: false, stop: this.sinceBest >= this.patience };
  }
}
