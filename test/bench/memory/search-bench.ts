import { MemoryIndex } from "../../../src/memory/memory-index";
import { syntheticChunks, syntheticQueries } from "./corpus";

export interface SearchBenchOptions {
  chunks: number;
  queries: number;
  warmup: number;
  seed: number;
  limit: number;
}

export interface SearchBenchReport {
  chunks: number;
  ingestMs: number;
  /** One sample per measured query, hybrid mode. */
  searchMs: number[];
  /** Queries that came back in hybrid mode (all of them, or the bench is broken). */
  hybridQueries: number;
  /** Queries that returned `limit` hits. */
  fullQueries: number;
}

/**
 * Builds an index of synthetic chunks with precomputed 384-dimensional vectors, then times hybrid
 * searches one by one. Runtime-neutral (only `performance.now()`), so Node and a browser worker
 * run the very same code.
 */
export function runSearchBench(options: SearchBenchOptions): SearchBenchReport {
  const now = Date.UTC(2026, 4, 1);
  const index = new MemoryIndex();
  const started = performance.now();
  for (const chunk of syntheticChunks(options.chunks, options.seed, now)) index.upsert(chunk);
  const ingestMs = performance.now() - started;
  const queries = syntheticQueries(options.warmup + options.queries, options.seed + 1);
  const searchMs: number[] = [];
  let hybridQueries = 0;
  let fullQueries = 0;
  queries.forEach((query, position) => {
    const before = performance.now();
    const response = index.search({ text: query.text, embedding: query.embedding, limit: options.limit, now });
    const elapsed = performance.now() - before;
    if (position < options.warmup) return;
    searchMs.push(elapsed);
    if (response.mode === "hybrid") hybridQueries += 1;
    if (response.hits.length === options.limit) fullQueries += 1;
  });
  return { chunks: options.chunks, ingestMs, searchMs, hybridQueries, fullQueries };
}
