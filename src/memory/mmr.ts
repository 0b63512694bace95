/**
 * Maximal marginal relevance: picks `limit` of `scores.length` candidates one at a time, each
 * time the one with the best `λ·score − (1 − λ)·(its greatest similarity to those already picked)`.
 * Scores are divided by the best score first, so λ means the same whatever their scale. Five
 * near-copies of one fact thus give way to the next different fact.
 */
export function selectDiverse(
  scores: readonly number[],
  limit: number,
  lambda: number,
  similarity: (a: number, b: number) => number,
): number[] {
  const best = Math.max(0, ...scores);
  const chosen: number[] = [];
  // The greatest similarity of each candidate to anything chosen so far.
  const closest = scores.map(() => 0);
  const open = new Set(scores.keys());
  while (chosen.length < limit && open.size > 0) {
    let pick = -1;
    let pickValue = -Infinity;
    for (const candidate of open) {
      const relevance = best > 0 ? (scores[candidate] ?? 0) / best : 0;
      const value = lambda * relevance - (1 - lambda) * (closest[candidate] ?? 0);
      if (value > pickValue) {
        pick = candidate;
        pickValue = value;
      }
    }
    chosen.push(pick);
    open.delete(pick);
    for (const candidate of open) {
      closest[candidate] = Math.max(closest[candidate] ?? 0, similarity(candidate, pick));
    }
  }
  return chosen;
}

/** Overlap of two term sets (Jaccard): the similarity used when either side has no vector. */
export function termOverlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let shared = 0;
  for (const term of a) if (b.has(term)) shared += 1;
  return shared / (a.size + b.size - shared);
}
