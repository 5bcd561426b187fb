/**
 * Ridge regression in closed form: beta = (X'X + lambda I)^-1 X'y, solved by Cholesky in float64.
 * For the few hundred features of an embedding plus extras, fitting is a single pass over the
 * rows (rows x features^2 / 2 multiply-adds) and a features^3 / 6 factorisation.
 */

/** Rows of features and their targets (optionally weighted). */
export interface RidgeProblem {
  /** Row-major features, `rows x features`. */
  features: Float64Array;
  /** Number of features per row. */
  width: number;
  /** One target per row. */
  targets: ArrayLike<number>;
  /** One weight per row (default 1). */
  weights?: ArrayLike<number>;
  /** The penalty on every coefficient's square (including the bias column, if any). Must be > 0. */
  lambda: number;
}

/** Fits ridge regression; returns `width` coefficients. */
export function fitRidge(problem: RidgeProblem): Float64Array {
  return fitRidgeTargets({ ...problem, targets: [problem.targets] })[0];
}

/**
 * Fits one ridge regression per target column over the same rows, weights and penalty: the
 * Gram matrix and its Cholesky factor are computed once. Returns `width` coefficients per target.
 */
export function fitRidgeTargets(problem: Omit<RidgeProblem, 'targets'> & { targets: readonly ArrayLike<number>[] }): Float64Array[] {
  const { features, width: p, targets, weights, lambda } = problem;
  const rows = targets.length > 0 ? targets[0].length : 0;
  if (targets.some((column) => column.length !== rows)) throw new RangeError('fitRidge: every target column needs the same number of rows');
  if (features.length !== rows * p) throw new RangeError(`fitRidge: ${rows} targets need ${rows * p} feature values, got ${features.length}`);
  if (!(lambda > 0)) throw new RangeError(`fitRidge: lambda must be > 0, got ${lambda}`);
  const gram = new Float64Array(p * p);
  const moments = targets.map(() => new Float64Array(p));
  for (let n = 0; n < rows; n++) {
    const w = weights ? weights[n] : 1;
    const base = n * p;
    for (let i = 0; i < p; i++) {
      const xi = features[base + i] * w;
      if (xi === 0) continue;
      for (let t = 0; t < targets.length; t++) moments[t][i] += xi * targets[t][n];
      const rowI = i * p;
      for (let j = i; j < p; j++) gram[rowI + j] += xi * features[base + j];
    }
  }
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < i; j++) gram[i * p + j] = gram[j * p + i];
    gram[i * p + i] += lambda;
  }
  const factor = cholesky(gram, p);
  return moments.map((moment) => solveCholesky(factor, p, moment));
}

/** Lower-triangular L with gram = L L'. */
function cholesky(gram: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = gram[i * p + j];
      for (let k = 0; k < j; k++) sum -= l[i * p + k] * l[j * p + k];
      l[i * p + j] = i === j ? Math.sqrt(Math.max(sum, 1e-300)) : sum / l[j * p + j];
    }
  }
  return l;
}

/** Solves L L' beta = moment: forward (L y = moment), then back substitution (L' beta = y). */
function solveCholesky(l: Float64Array, p: number, moment: Float64Array): Float64Array {
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let sum = moment[i];
    for (let k = 0; k < i; k++) sum -= l[i * p + k] * y[k];
    y[i] = sum / l[i * p + i];
  }
  const beta = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < p; k++) sum -= l[k * p + i] * beta[k];
    beta[i] = sum / l[i * p + i];
  }
  return beta;
}
