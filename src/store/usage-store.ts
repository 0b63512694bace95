import type { Database } from "./database";
import type { UsageRecord } from "./usage-record";

/** A time window, milliseconds since the epoch; `from` inclusive, `to` exclusive. */
export interface UsageRange {
  from?: number;
  to?: number;
}

export interface UsageTotals {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  latencyMs: number;
}

const NO_USAGE: UsageTotals = { calls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, latencyMs: 0 };

function add(totals: UsageTotals, record: UsageRecord): UsageTotals {
  return {
    calls: totals.calls + 1,
    promptTokens: totals.promptTokens + record.promptTokens,
    completionTokens: totals.completionTokens + record.completionTokens,
    totalTokens: totals.totalTokens + record.promptTokens + record.completionTokens,
    latencyMs: totals.latencyMs + record.latencyMs,
  };
}

function keyRange(range: UsageRange): IDBKeyRange | null {
  const { from, to } = range;
  if (from !== undefined && to !== undefined) return IDBKeyRange.bound(from, to, false, true);
  if (from !== undefined) return IDBKeyRange.lowerBound(from);
  if (to !== undefined) return IDBKeyRange.upperBound(to, true);
  return null;
}

/**
 * Model calls as recorded, for the owner's cost view. Read-only: `UsageRecorder` is the one
 * writer, so the daily ledger and these records cannot drift apart.
 */
export class UsageStore {
  constructor(private readonly db: Database) {}

  /** Oldest first. */
  list(range: UsageRange = {}): Promise<UsageRecord[]> {
    return this.db.getAllFromIndex("usage", "byAt", keyRange(range));
  }

  /** Totals over a window, for one routine or for everything. */
  async totals(range: UsageRange & { routine?: string } = {}): Promise<UsageTotals> {
    const records =
      range.routine === undefined
        ? await this.list(range)
        : await this.db.getAllFromIndex(
            "usage",
            "byRoutine",
            IDBKeyRange.bound(
              [range.routine, range.from ?? -Infinity],
              [range.routine, range.to ?? Infinity],
              false,
              true,
            ),
          );
    return records.reduce(add, NO_USAGE);
  }

  /** Totals per routine over a window. */
  async totalsByRoutine(range: UsageRange = {}): Promise<Record<string, UsageTotals>> {
    const byRoutine: Record<string, UsageTotals> = {};
    for (const record of await this.list(range))
      byRoutine[record.routine] = add(byRoutine[record.routine] ?? NO_USAGE, record);
    return byRoutine;
  }
}
