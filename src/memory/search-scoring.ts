/**
 * How a hit's final score is made: relevance × recency × importance.
 *
 * - relevance ∈ [0, 1]: keyword (BM25 divided by the best BM25 of the query) and, in hybrid
 *   mode, vector (cosine, negatives as 0) mixed as `vectorWeight·vector + (1 − vectorWeight)·keyword`.
 *   A document without a vector is judged on keywords alone rather than punished for the gap.
 * - recency = 0.5^(age / half-life), so a fact loses half its weight every `halfLifeDays`;
 *   pinned documents do not fade.
 * - importance: 1 + importanceWeight·(importance − 3)/2, so with the default weight 0.5 the
 *   1–5 scale maps to 0.5–1.5 and an ordinary fact (3) is left as it is.
 */
export interface ScoringOptions {
  halfLifeDays: number;
  vectorWeight: number;
  importanceWeight: number;
  /** MMR's trade-off: 1 ranks by score alone, 0 by novelty alone. */
  mmrLambda: number;
  /** How many top-scored candidates (× the limit) the diversity pass chooses from. */
  candidateFactor: number;
}

export const DEFAULT_SCORING: ScoringOptions = {
  halfLifeDays: 30,
  vectorWeight: 0.5,
  importanceWeight: 0.5,
  // Even: an exact copy of a hit already chosen (similarity 1) sinks below any relevant, different hit.
  mmrLambda: 0.5,
  candidateFactor: 4,
};

const DAY_MS = 86_400_000;

export function recencyFactor(time: number, now: number, halfLifeDays: number, pinned: boolean): number {
  if (pinned || !(halfLifeDays > 0)) return 1;
  const ageDays = Math.max(0, now - time) / DAY_MS;
  return Math.pow(0.5, ageDays / halfLifeDays);
}

export function importanceFactor(importance: number, weight: number): number {
  return 1 + (weight * (importance - 3)) / 2;
}

/** The largest importance factor any document can have: a bound for skipping hopeless candidates. */
export function maxImportanceFactor(weight: number): number {
  return Math.max(importanceFactor(1, weight), importanceFactor(5, weight));
}

export function mixRelevance(keyword: number, vector: number | undefined, vectorWeight: number): number {
  if (vector === undefined) return keyword;
  return vectorWeight * Math.max(0, vector) + (1 - vectorWeight) * keyword;
}
