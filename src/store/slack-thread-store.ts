import type { Database } from "./database";
import type { SlackThreadRecord } from "./slack-thread-record";

/** Threads kept: about two weeks of a busy digest; older ones go as new ones arrive. */
export const SLACK_THREADS_KEPT = 400;

/**
 * The `slackThreads` store (v6): each Slack thread the digest read, with the model's summary once
 * it has one. The digest writes in the agent worker; the digest view reads in the page.
 */
export class SlackThreadStore {
  constructor(private readonly db: Database) {}

  get(id: string): Promise<SlackThreadRecord | undefined> {
    return this.db.get("slackThreads", id);
  }

  /** Several threads at once, in one transaction; missing ones are left out. */
  async getMany(ids: readonly string[]): Promise<Map<string, SlackThreadRecord>> {
    const tx = this.db.transaction("slackThreads");
    const found = await Promise.all(ids.map((id) => tx.store.get(id)));
    await tx.done;
    return new Map(found.filter((record) => record !== undefined).map((record) => [record.id, record]));
  }

  /** Stores threads in one transaction; the oldest beyond the cap go. */
  async putAll(records: readonly SlackThreadRecord[]): Promise<void> {
    const tx = this.db.transaction("slackThreads", "readwrite");
    for (const record of records) await tx.store.put(record);
    let cursor = await tx.store.index("byUpdated").openCursor(null, "prev");
    let seen = 0;
    while (cursor) {
      seen += 1;
      if (seen > SLACK_THREADS_KEPT) await cursor.delete();
      cursor = await cursor.continue();
    }
    await tx.done;
  }

  put(record: SlackThreadRecord): Promise<void> {
    return this.putAll([record]);
  }

  /** The newest threads first. */
  async recent(limit = Infinity): Promise<SlackThreadRecord[]> {
    const result: SlackThreadRecord[] = [];
    let cursor = await this.db.transaction("slackThreads").store.index("byUpdated").openCursor(null, "prev");
    while (cursor && result.length < limit) {
      result.push(cursor.value);
      cursor = await cursor.continue();
    }
    return result;
  }

  /** Threads read but not summarised yet (no model then, or the budget was spent), newest first. */
  async awaitingSummary(limit = Infinity): Promise<SlackThreadRecord[]> {
    const result: SlackThreadRecord[] = [];
    let cursor = await this.db.transaction("slackThreads").store.index("byUpdated").openCursor(null, "prev");
    while (cursor && result.length < limit) {
      if (cursor.value.summaryState === "pending") result.push(cursor.value);
      cursor = await cursor.continue();
    }
    return result;
  }

  async countAwaitingSummary(): Promise<number> {
    return (await this.awaitingSummary()).length;
  }

  /** Forgets every thread (after Slack is disconnected, say). */
  clear(): Promise<void> {
    return this.db.clear("slackThreads");
  }
}
