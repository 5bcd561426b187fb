/** Largest absolute difference between two equally long arrays (for comparing embeddings and scores). */
export function maxAbsDifference(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let worst = 0;
  for (let k = 0; k < left.length; k++) worst = Math.max(worst, Math.abs(left[k] - right[k]));
  return worst;
}
