/** What the Node side asks the bench page for, and what it gets back. */
export interface RoundtripOptions {
  /** Calls made first and not measured (JIT, IndexedDB and comlink warm-up). */
  warmup: number;
  /** Measured calls, one after another, as the agent loop makes them. */
  calls: number;
}

export interface RoundtripReport {
  /** Worker-side milliseconds from calling `proposeAction` to its resolved outcome, one per measured call. */
  samplesMs: number[];
  /** Connector executions the page saw (warm-up included). */
  executions: number;
  /** Approval records stored as `executed` (warm-up included). */
  executedRecords: number;
}

/** The page's entry point, set on `window` once the bench page has loaded. */
export const ENTRY = "runGateRoundtrip";

export type RunGateRoundtrip = (options: RoundtripOptions) => Promise<RoundtripReport>;
