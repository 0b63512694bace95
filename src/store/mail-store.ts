import type { Database } from "./database";
import {
  MAIL_CATEGORIES,
  type MailCategory,
  type MailImportRecord,
  type MailRecord,
  type MailTriage,
} from "./mail-record";

/** What `addNew` did: the ids it stored, and how many were there already. */
export interface AddResult {
  stored: string[];
  duplicates: number;
}

/** Mail per category, plus what still waits for triage. */
export type MailCounts = Record<MailCategory | "new", number>;

function newestFirst(from: IDBValidKey[], to: IDBValidKey[]): IDBKeyRange {
  return IDBKeyRange.bound(from, to);
}

/**
 * The `mail` and `mailImports` stores. Mail is added only when new (the id is content- or
 * Gmail-derived, so a second import of the same file keeps the first copy and its triage).
 */
export class MailStore {
  constructor(private readonly db: Database) {}

  /**
   * Stores the mails not stored yet, in one transaction; returns the ids stored and how many were
   * already there. `report`, when given, turns that result into the import's report, written in
   * the same transaction: a tab that dies never leaves mails stored beyond its report's counts.
   */
  async addNew(
    records: readonly MailRecord[],
    report?: (result: AddResult) => MailImportRecord | undefined,
  ): Promise<AddResult> {
    const tx = this.db.transaction(["mail", "mailImports"], "readwrite");
    const mail = tx.objectStore("mail");
    const stored: string[] = [];
    let duplicates = 0;
    for (const record of records) {
      if ((await mail.getKey(record.id)) !== undefined) {
        duplicates += 1;
        continue;
      }
      await mail.add(record);
      stored.push(record.id);
    }
    const result = { stored, duplicates };
    const importRecord = report?.(result);
    if (importRecord) await tx.objectStore("mailImports").put(importRecord);
    await tx.done;
    return result;
  }

  get(id: string): Promise<MailRecord | undefined> {
    return this.db.get("mail", id);
  }

  /** Mail waiting for triage, newest first. */
  async untriaged(limit = Infinity): Promise<MailRecord[]> {
    return this.#newest("byStatus", ["new", -Infinity], ["new", Infinity], limit);
  }

  countUntriaged(): Promise<number> {
    return this.db.countFromIndex("mail", "byStatus", newestFirst(["new", -Infinity], ["new", Infinity]));
  }

  /** Triaged mail in one category, newest first. */
  inCategory(category: MailCategory, limit = Infinity): Promise<MailRecord[]> {
    return this.#newest("byCategory", [category, -Infinity], [category, Infinity], limit);
  }

  /** All mail, newest first. */
  async recent(limit = Infinity): Promise<MailRecord[]> {
    const result: MailRecord[] = [];
    let cursor = await this.db.transaction("mail").store.index("byReceived").openCursor(null, "prev");
    while (cursor && result.length < limit) {
      result.push(cursor.value);
      cursor = await cursor.continue();
    }
    return result;
  }

  async counts(): Promise<MailCounts> {
    const tx = this.db.transaction("mail");
    const entries = await Promise.all(
      MAIL_CATEGORIES.map(
        async (category) =>
          [
            category,
            await tx.store.index("byCategory").count(newestFirst([category, -Infinity], [category, Infinity])),
          ] as const,
      ),
    );
    const fresh = await tx.store.index("byStatus").count(newestFirst(["new", -Infinity], ["new", Infinity]));
    return { ...(Object.fromEntries(entries) as Record<MailCategory, number>), new: fresh };
  }

  /** Files a mail under its triage. Returns the updated mail, or undefined when it is gone. */
  async setTriage(id: string, triage: MailTriage): Promise<MailRecord | undefined> {
    return this.update(id, (mail) => ({ ...mail, status: "triaged", triage }));
  }

  /** Changes one mail in one transaction (a loaded body, new labels); `change` must be synchronous. */
  async update(id: string, change: (mail: MailRecord) => MailRecord): Promise<MailRecord | undefined> {
    const tx = this.db.transaction("mail", "readwrite");
    const mail = await tx.store.get(id);
    if (!mail) {
      await tx.done;
      return undefined;
    }
    const updated = change(mail);
    await tx.store.put(updated);
    await tx.done;
    return updated;
  }

  async delete(id: string): Promise<void> {
    await this.db.delete("mail", id);
  }

  putImport(record: MailImportRecord): Promise<string> {
    return this.db.put("mailImports", record);
  }

  getImport(id: string): Promise<MailImportRecord | undefined> {
    return this.db.get("mailImports", id);
  }

  /** Import reports, newest first. */
  async imports(limit = 20): Promise<MailImportRecord[]> {
    const result: MailImportRecord[] = [];
    let cursor = await this.db.transaction("mailImports").store.index("byStarted").openCursor(null, "prev");
    while (cursor && result.length < limit) {
      result.push(cursor.value);
      cursor = await cursor.continue();
    }
    return result;
  }

  async #newest(
    index: "byStatus" | "byCategory",
    from: IDBValidKey[],
    to: IDBValidKey[],
    limit: number,
  ): Promise<MailRecord[]> {
    const result: MailRecord[] = [];
    let cursor = await this.db.transaction("mail").store.index(index).openCursor(newestFirst(from, to), "prev");
    while (cursor && result.length < limit) {
      result.push(cursor.value);
      cursor = await cursor.continue();
    }
    return result;
  }
}
