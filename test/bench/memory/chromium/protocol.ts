import type { SearchBenchOptions, SearchBenchReport } from "../search-bench";

/** What the Node side asks the bench page for, and what it gets back. */
export interface MemoryBenchOptions {
  search: Omit<SearchBenchOptions, "chunks">;
  /** Index sizes to time searches over, each in a fresh worker. */
  sizes: number[];
  /** Fact records written to IndexedDB for the storage figure. */
  storedFacts: number;
}

export interface MemoryBenchReport {
  searches: SearchBenchReport[];
  /** Growth of `navigator.storage.estimate().usage` after writing `storedFacts` facts. */
  storedBytes: number;
  storedFacts: number;
}

/** The page's entry point, set on `window` once the bench page has loaded. */
export const ENTRY = "runMemoryBench";

export type RunMemoryBench = (options: MemoryBenchOptions) => Promise<MemoryBenchReport>;
