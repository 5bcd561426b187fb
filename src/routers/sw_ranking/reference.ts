/**
 * A straightforward implementation of the original RouteLLM formulation, kept to check the fast
 * path against (tests) and to time it (bench): every battle is duplicated into two rows of a dense
 * design matrix (`+ln 10` in model A's column, then `-ln 10` in model B's column, written in that
 * order so that a battle of a player against itself keeps only `-ln 10`, as numpy's assignment
 * order does in the original), the label is 1 when A wins (a tie: 1 in the first copy only), each
 * copy carries the battle's sample weight, and a base-e logistic regression without intercept or
 * penalty is solved to convergence by Newton / IRLS over the rows.
 *
 * The design has a null space (shifting every rating of a connected group changes nothing), so the
 * solver fixes the last player of each anchor-free group at 0 while iterating and then centres
 * the group to mean zero, the solution the original's L-BFGS (started at zero) converges to.
 */
import { ELO_INITIAL, ELO_SCALE } from '../bradley-terry.js';

/** One battle between players `a` and `b`; winner 0: a, 1: b, 2: tie, 3: tie (both bad). */
export interface ReferenceBattle {
  a: number;
  b: number;
  winner: number;
}

/** Options of `referenceEloFit`. */
export interface ReferenceFitOptions {
  /** `drop` leaves out battles of a player against itself; `anchor` keeps the original's row. Default `drop`. */
  sameTierBattles?: 'drop' | 'anchor';
  /** Newton iteration cap. Default 100. */
  maxIterations?: number;
}

/** Elo ratings (`400 beta + 1000`) of `players` players from weighted battles, the original's way. */
export function referenceEloFit(
  battles: readonly ReferenceBattle[],
  weights: ArrayLike<number>,
  players: number,
  options: ReferenceFitOptions = {},
): Float64Array {
  const anchorMode = options.sameTierBattles === 'anchor';
  const rows: number[] = [];
  for (let n = 0; n < battles.length; n++) if (anchorMode || battles[n].a !== battles[n].b) rows.push(n);
  const rowCount = rows.length * 2;
  const design = new Float64Array(rowCount * players);
  const labels = new Float64Array(rowCount);
  const sampleWeights = new Float64Array(rowCount);
  for (let copy = 0; copy < 2; copy++) {
    for (let k = 0; k < rows.length; k++) {
      const battle = battles[rows[k]];
      const row = copy * rows.length + k;
      design[row * players + battle.a] = Math.LN10;
      design[row * players + battle.b] = -Math.LN10;
      const tie = battle.winner === 2 || battle.winner === 3;
      labels[row] = battle.winner === 0 || (tie && copy === 0) ? 1 : 0;
      sampleWeights[row] = weights[rows[k]];
    }
  }

  const { group, groups, anchoredGroups } = groupsOf(battles, rows, players);
  const free: number[] = [];
  const lastOfGroup = new Map<number, number>();
  for (let i = 0; i < players; i++) lastOfGroup.set(group[i], i);
  for (let i = 0; i < players; i++) {
    const fixed = !anchoredGroups.has(group[i]) && lastOfGroup.get(group[i]) === i;
    if (!fixed) free.push(i);
  }
  const size = free.length;
  const beta = new Float64Array(players);
  const maxIterations = options.maxIterations ?? 100;
  for (let iteration = 0; iteration < maxIterations && size > 0; iteration++) {
    const gradient = new Float64Array(size);
    const hessian = new Float64Array(size * size);
    for (let row = 0; row < rowCount; row++) {
      let logit = 0;
      for (let c = 0; c < players; c++) logit += design[row * players + c] * beta[c];
      const p = 1 / (1 + Math.exp(-logit));
      const residual = sampleWeights[row] * (labels[row] - p);
      const curvature = sampleWeights[row] * p * (1 - p);
      for (let x = 0; x < size; x++) {
        const featureX = design[row * players + free[x]];
        if (featureX === 0) continue;
        gradient[x] += featureX * residual;
        for (let y = 0; y < size; y++) hessian[x * size + y] += curvature * featureX * design[row * players + free[y]];
      }
    }
    const step = solve(hessian, gradient, size);
    let largest = 0;
    for (let x = 0; x < size; x++) {
      beta[free[x]] += step[x];
      largest = Math.max(largest, Math.abs(step[x]));
    }
    if (largest < 1e-13) break;
  }
  for (let id = 0; id < groups; id++) {
    if (anchoredGroups.has(id)) continue;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < players; i++) if (group[i] === id) (sum += beta[i]), count++;
    for (let i = 0; i < players; i++) if (group[i] === id) beta[i] -= sum / count;
  }
  return beta.map((value) => ELO_SCALE * value + ELO_INITIAL);
}

function groupsOf(battles: readonly ReferenceBattle[], rows: readonly number[], players: number) {
  const parent = Array.from({ length: players }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (const n of rows) parent[find(battles[n].a)] = find(battles[n].b);
  const ids = new Map<number, number>();
  const group = new Int32Array(players);
  for (let i = 0; i < players; i++) {
    const root = find(i);
    if (!ids.has(root)) ids.set(root, ids.size);
    group[i] = ids.get(root)!;
  }
  const anchoredGroups = new Set<number>();
  for (const n of rows) if (battles[n].a === battles[n].b) anchoredGroups.add(group[battles[n].a]);
  return { group, groups: ids.size, anchoredGroups };
}

/** Gaussian elimination with partial pivoting (a plain solver, independent of the fast path's Cholesky). */
function solve(matrix: Float64Array, rhs: Float64Array, size: number): Float64Array {
  const a = Float64Array.from(matrix);
  const b = Float64Array.from(rhs);
  for (let col = 0; col < size; col++) {
    let pivot = col;
    for (let r = col + 1; r < size; r++) if (Math.abs(a[r * size + col]) > Math.abs(a[pivot * size + col])) pivot = r;
    if (pivot !== col) {
      for (let c = 0; c < size; c++) [a[col * size + c], a[pivot * size + c]] = [a[pivot * size + c], a[col * size + c]];
      [b[col], b[pivot]] = [b[pivot], b[col]];
    }
    const diagonal = a[col * size + col];
    if (diagonal === 0) continue;
    for (let r = col + 1; r < size; r++) {
      const factor = a[r * size + col] / diagonal;
      if (factor === 0) continue;
      for (let c = col; c < size; c++) a[r * size + c] -= factor * a[col * size + c];
      b[r] -= factor * b[col];
    }
  }
  const x = new Float64Array(size);
  for (let r = size - 1; r >= 0; r--) {
    let value = b[r];
    for (let c = r + 1; c < size; c++) value -= a[r * size + c] * x[c];
    x[r] = a[r * size + r] === 0 ? 0 : value / a[r * size + r];
  }
  return x;
}
