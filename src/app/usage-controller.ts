import type { Database } from "../store/database";
import { JobStore } from "../store/job-store";
import type { FactRecord } from "../store/memory-record";
import { UsageStore } from "../store/usage-store";
import { Observable } from "./observable";
import { summarizeUsage, usageCsv, usageJson, type UsagePeriod, type UsageSummary } from "./usage-summary";

export interface UsageControllerOptions {
  /** IANA zone whose midnight starts a day; the device's zone by default (as the budgets'). */
  timeZone?: string;
  now?: () => number;
}

/** A file to download: the only way a figure leaves the device. */
export interface UsageExport {
  filename: string;
  type: string;
  text: string;
}

/**
 * The Usage view's state: the chosen period and its summary, read from this device's IndexedDB
 * (model calls, approvals, job runs, facts). Nothing here sends anything anywhere; `exportAs`
 * only builds the file the user asked to download.
 */
export class UsageController extends Observable {
  #period: UsagePeriod = 7;
  #summary: UsageSummary | undefined;
  #error: string | undefined;
  readonly #usage: UsageStore;
  readonly #jobs: JobStore;
  readonly #timeZone: string;
  readonly #now: () => number;

  constructor(
    private readonly db: Database,
    options: UsageControllerOptions = {},
  ) {
    super();
    this.#usage = new UsageStore(db);
    this.#jobs = new JobStore(db);
    this.#timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    this.#now = options.now ?? (() => Date.now());
  }

  get period(): UsagePeriod {
    return this.#period;
  }

  get summary(): UsageSummary | undefined {
    return this.#summary;
  }

  get error(): string | undefined {
    return this.#error;
  }

  get timeZone(): string {
    return this.#timeZone;
  }

  /** True when the period holds nothing at all: no model call and no outcome. */
  get empty(): boolean {
    const total = this.#summary?.total;
    if (!total) return true;
    return Object.values(total).every((value) => value === 0);
  }

  async setPeriod(period: UsagePeriod): Promise<void> {
    this.#period = period;
    await this.refresh();
  }

  /** Reads the records again and sums them for the chosen period. */
  async refresh(): Promise<void> {
    const now = this.#now();
    // Records before the period cannot count; 32 days covers the longest period and a DST change.
    const since = now - 32 * 86_400_000;
    try {
      const [usage, approvals, runs, facts] = await Promise.all([
        this.#usage.list({ from: since }),
        this.db.getAllFromIndex("approvals", "byProposed", IDBKeyRange.lowerBound(since - 7 * 86_400_000)),
        this.#jobs.runsBetween({ from: since }),
        this.#facts(since),
      ]);
      this.#summary = summarizeUsage(
        { usage, approvals, runs, facts },
        { now, timeZone: this.#timeZone, period: this.#period },
      );
      this.#error = undefined;
    } catch (error) {
      this.#error = `The usage could not be read: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.changed();
  }

  /** The summary shown, as a JSON or CSV file. */
  exportAs(format: "json" | "csv"): UsageExport | undefined {
    const summary = this.#summary;
    if (!summary) return undefined;
    const day = new Date(this.#now()).toISOString().slice(0, 10);
    const filename = `tabclaw-usage-${summary.period}d-${day}.${format}`;
    return format === "json"
      ? { filename, type: "application/json", text: usageJson(summary) }
      : { filename, type: "text/csv", text: usageCsv(summary) };
  }

  /** Only when each fact was created and by whom: the texts and vectors stay where they are. */
  async #facts(since: number): Promise<Pick<FactRecord, "created" | "origin">[]> {
    const facts: Pick<FactRecord, "created" | "origin">[] = [];
    const tx = this.db.transaction("facts");
    for (let cursor = await tx.store.openCursor(); cursor; cursor = await cursor.continue())
      if (cursor.value.created >= since) facts.push({ created: cursor.value.created, origin: cursor.value.origin });
    await tx.done;
    return facts;
  }
}
