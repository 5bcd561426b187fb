/**
 * Weighted Bradley-Terry fit on the Elo scale, computed from aggregated win counts.
 *
 * The original (RouteLLM `compute_elo_mle_with_tie`) duplicates every battle, gives both copies the
 * real winner (a tie: one copy to each side), builds a design row with `+ln 10` in the column of
 * model A and `-ln 10` in the column of model B, and fits a base-e logistic regression without
 * intercept or penalty. Its log-odds for a row are therefore `ln(10) * (beta_A - beta_B)`, i.e.
 *
 *   P(A beats B) = 1 / (1 + e^(-ln10 (beta_A - beta_B))) = 1 / (1 + 10^(beta_B - beta_A)),
 *
 * so `beta` is a base-10 log-odds rating, and with `R = 400 beta + 1000` this is the Elo form
 * `P = 1 / (1 + 10^((R_B - R_A) / 400))`. (Equivalently: a base-e logistic regression on features
 * `+-ln(10)/400` would fit `R - 1000` directly.)
 *
 * The log-likelihood only depends on, for each ordered pair (i, j), the total weight `c_ij` of the
 * duplicated copies in which i beat j: `L = sum_{i != j} c_ij ln sigma(ln10 (beta_i - beta_j))`.
 * `fitBradleyTerry` maximises exactly this with Newton's method in float64 on a players x players
 * system, whatever the number of battles.
 *
 * Non-finite cases (the unpenalised fit has no finite maximiser):
 * - shift: ratings inside a connected group of players are only defined up to a common shift. We
 *   centre every connected group that has no anchor to mean rating 1000 (beta sum 0), which is
 *   what the original's L-BFGS started at zero returns (its iterates stay orthogonal to the
 *   null space). Players with no battles at all get 1000.
 * - separation (a player or group that never lost to the rest, or never won): the likelihood keeps
 *   rising as the gap grows. A ridge `lambda/2 |beta|^2` with `lambda = ridge * (total weight)`
 *   (default ridge 1e-10, i.e. one ten-billionth of the data) makes the maximiser finite: such gaps
 *   end up near 10 base-10 units (~4000 Elo points, win probabilities ~1e-10), the limit the
 *   unpenalised fit heads for, while well-posed fits stay within 1e-4 Elo of the unpenalised
 *   maximum (checked against the per-battle reference in the tests).
 * - a pair of players that never met is no problem by itself: their gap comes through the others.
 */

/** Elo points per base-10 log-odds unit. */
export const ELO_SCALE = 400;
/** Elo rating of beta = 0. */
export const ELO_INITIAL = 1000;
const KAPPA = Math.LN10;

/**
 * Weighted win counts between players (models or tiers), counted over duplicated battles: a win of
 * weight w adds 2w to `wins[winner][loser]`, a tie adds w to each direction.
 */
export interface PairwiseCounts {
  /** Number of players. */
  players: number;
  /** `wins[i * players + j]`: weight of copies in which i beat j (diagonal ignored). */
  wins: Float64Array;
  /**
   * Optional fixed opponent at beta = 0 (rating 1000): `anchorWins[i]` is the weight of copies in
   * which player i beat it, `anchorLosses[i]` of copies it beat player i. This is how the original
   * code treats a battle between two models of the same tier (see `sameTierBattles`).
   */
  anchorWins?: Float64Array;
  anchorLosses?: Float64Array;
}

/** Options of `fitBradleyTerry`. */
export interface BradleyTerryFitOptions {
  /** Ridge strength relative to the total weight (see the module note). Default 1e-10. */
  ridge?: number;
  /** Newton iteration cap. Default 200. */
  maxIterations?: number;
  /** Stop when the largest step is below this (beta units). Default 1e-11. */
  tolerance?: number;
  /** Starting point (beta). Default zeros. */
  initial?: Float64Array;
}

/** Result of a fit. */
export interface BradleyTerryFit {
  /** Base-10 log-odds ratings (one per player). */
  beta: Float64Array;
  /** Newton iterations used. */
  iterations: number;
  /** False when the iteration cap was hit. */
  converged: boolean;
}

/** Elo rating `400 beta + 1000` of each player. */
export function eloRatings(beta: Float64Array): Float64Array {
  return beta.map((value) => ELO_SCALE * value + ELO_INITIAL);
}

/** P(player with rating `ratingA` beats player with `ratingB`), both on the Elo scale. */
export function eloWinProbability(ratingA: number, ratingB: number): number {
  return 1 / (1 + Math.pow(10, (ratingB - ratingA) / ELO_SCALE));
}

/** P(i beats j) from base-10 log-odds ratings; exactly 0.5 when i === j. */
export function winProbability(beta: Float64Array, i: number, j: number): number {
  if (i === j) return 0.5;
  return logistic(KAPPA * (beta[i] - beta[j]));
}

function logistic(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** ln sigma(x), stable for large |x|. */
function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

/** Makes empty counts for `players` players (with anchor arrays when `anchored`). */
export function emptyCounts(players: number, anchored = false): PairwiseCounts {
  const counts: PairwiseCounts = { players, wins: new Float64Array(players * players) };
  if (anchored) {
    counts.anchorWins = new Float64Array(players);
    counts.anchorLosses = new Float64Array(players);
  }
  return counts;
}

function totalWeight(counts: PairwiseCounts): number {
  const { players, wins } = counts;
  let total = 0;
  for (let i = 0; i < players; i++) {
    for (let j = 0; j < players; j++) if (i !== j) total += wins[i * players + j];
    if (counts.anchorWins) total += counts.anchorWins[i] + counts.anchorLosses![i];
  }
  return total;
}

/** Negative penalised log-likelihood. */
function objective(counts: PairwiseCounts, beta: Float64Array, lambda: number): number {
  const { players, wins } = counts;
  let value = 0;
  for (let i = 0; i < players; i++) {
    for (let j = 0; j < players; j++) {
      const c = wins[i * players + j];
      if (i !== j && c > 0) value -= c * logSigmoid(KAPPA * (beta[i] - beta[j]));
    }
    if (counts.anchorWins) {
      const won = counts.anchorWins[i];
      const lost = counts.anchorLosses![i];
      if (won > 0) value -= won * logSigmoid(KAPPA * beta[i]);
      if (lost > 0) value -= lost * logSigmoid(-KAPPA * beta[i]);
    }
    value += 0.5 * lambda * beta[i] * beta[i];
  }
  return value;
}

/**
 * Connected groups of players (by any battle between them); returns the group id of each player
 * and whether each group contains an anchored player (a group with an anchor has no free shift).
 */
function components(counts: PairwiseCounts): { group: Int32Array; anchored: boolean[]; sizes: number[] } {
  const { players, wins } = counts;
  const group = new Int32Array(players).fill(-1);
  const anchored: boolean[] = [];
  const sizes: number[] = [];
  const stack: number[] = [];
  for (let start = 0; start < players; start++) {
    if (group[start] >= 0) continue;
    const id = anchored.length;
    anchored.push(false);
    sizes.push(0);
    group[start] = id;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      sizes[id]++;
      if (counts.anchorWins && counts.anchorWins[i] + counts.anchorLosses![i] > 0) anchored[id] = true;
      for (let j = 0; j < players; j++) {
        if (group[j] < 0 && wins[i * players + j] + wins[j * players + i] > 0) {
          group[j] = id;
          stack.push(j);
        }
      }
    }
  }
  return { group, anchored, sizes };
}

function centreFreeGroups(beta: Float64Array, layout: ReturnType<typeof components>): void {
  const sums = new Float64Array(layout.sizes.length);
  for (let i = 0; i < beta.length; i++) sums[layout.group[i]] += beta[i];
  for (let i = 0; i < beta.length; i++) {
    const id = layout.group[i];
    if (!layout.anchored[id]) beta[i] -= sums[id] / layout.sizes[id];
  }
}

/** Solves the symmetric positive definite system `matrix x = rhs` in place (Cholesky); false if not SPD. */
function choleskySolve(matrix: Float64Array, rhs: Float64Array, size: number): boolean {
  for (let j = 0; j < size; j++) {
    let diagonal = matrix[j * size + j];
    for (let k = 0; k < j; k++) diagonal -= matrix[j * size + k] * matrix[j * size + k];
    if (!(diagonal > 0)) return false;
    const root = Math.sqrt(diagonal);
    matrix[j * size + j] = root;
    for (let i = j + 1; i < size; i++) {
      let value = matrix[i * size + j];
      for (let k = 0; k < j; k++) value -= matrix[i * size + k] * matrix[j * size + k];
      matrix[i * size + j] = value / root;
    }
  }
  for (let i = 0; i < size; i++) {
    let value = rhs[i];
    for (let k = 0; k < i; k++) value -= matrix[i * size + k] * rhs[k];
    rhs[i] = value / matrix[i * size + i];
  }
  for (let i = size - 1; i >= 0; i--) {
    let value = rhs[i];
    for (let k = i + 1; k < size; k++) value -= matrix[k * size + i] * rhs[k];
    rhs[i] = value / matrix[i * size + i];
  }
  return true;
}

/**
 * Maximum-likelihood Bradley-Terry ratings (base-10 log-odds, see the module note) from weighted
 * win counts, by damped Newton's method in float64. Deterministic; the result does not change
 * when every count is multiplied by the same positive factor.
 */
export function fitBradleyTerry(counts: PairwiseCounts, options: BradleyTerryFitOptions = {}): BradleyTerryFit {
  const { players, wins } = counts;
  const beta = options.initial ? Float64Array.from(options.initial) : new Float64Array(players);
  const total = totalWeight(counts);
  if (players === 0 || !(total > 0)) return { beta: new Float64Array(players), iterations: 0, converged: true };
  const lambda = (options.ridge ?? 1e-10) * total;
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-11;
  const layout = components(counts);
  centreFreeGroups(beta, layout);

  const gradient = new Float64Array(players);
  const hessian = new Float64Array(players * players);
  const candidate = new Float64Array(players);
  let current = objective(counts, beta, lambda);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    hessian.fill(0);
    for (let i = 0; i < players; i++) {
      gradient[i] = lambda * beta[i];
      hessian[i * players + i] = lambda;
    }
    for (let i = 0; i < players; i++) {
      for (let j = i + 1; j < players; j++) {
        const won = wins[i * players + j];
        const lost = wins[j * players + i];
        const games = won + lost;
        if (games <= 0) continue;
        const p = logistic(KAPPA * (beta[i] - beta[j]));
        const slope = KAPPA * (games * p - won);
        gradient[i] += slope;
        gradient[j] -= slope;
        const curvature = KAPPA * KAPPA * games * p * (1 - p);
        hessian[i * players + i] += curvature;
        hessian[j * players + j] += curvature;
        hessian[i * players + j] -= curvature;
        hessian[j * players + i] -= curvature;
      }
      if (counts.anchorWins) {
        const won = counts.anchorWins[i];
        const games = won + counts.anchorLosses![i];
        if (games > 0) {
          const p = logistic(KAPPA * beta[i]);
          gradient[i] += KAPPA * (games * p - won);
          hessian[i * players + i] += KAPPA * KAPPA * games * p * (1 - p);
        }
      }
    }
    const step = Float64Array.from(gradient);
    if (!choleskySolve(hessian, step, players)) break;
    let decrement = 0;
    for (let i = 0; i < players; i++) decrement += gradient[i] * step[i];
    if (decrement < 1e-22 * total) return { beta, iterations: iteration, converged: true };
    let scale = 1;
    let accepted = false;
    for (let halving = 0; halving < 40; halving++) {
      for (let i = 0; i < players; i++) candidate[i] = beta[i] - scale * step[i];
      centreFreeGroups(candidate, layout);
      const value = objective(counts, candidate, lambda);
      if (value <= current + 1e-15 * Math.abs(current)) {
        current = value;
        accepted = true;
        break;
      }
      scale /= 2;
    }
    let largest = 0;
    for (let i = 0; i < players; i++) largest = Math.max(largest, Math.abs(candidate[i] - beta[i]));
    if (accepted) beta.set(candidate);
    if (!accepted || largest < tolerance) return { beta, iterations: iteration, converged: true };
  }
  return { beta, iterations: maxIterations, converged: false };
}
