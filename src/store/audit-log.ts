import type { AuditEntry, AuditEvent, AuditRecord } from "./audit-entry";
import type { Database } from "./database";

/** The MIME type of an exported log: one JSON object per line. */
export const AUDIT_JSONL_TYPE = "application/jsonl";

/** Entries a page holds when no limit is given. */
export const AUDIT_PAGE_SIZE = 50;

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[];
  /** Pass as `before` for the next, older page; undefined when this page reaches the first entry. */
  next?: number;
}

/** The part of the `audit` object store appending needs, so other stores can append in their own transaction. */
export interface AuditAppender {
  add(record: AuditRecord): Promise<number>;
}

/**
 * The stored form of an event, rebuilt field by field: whatever else a caller's object carries
 * (a header, a body, a query string) never reaches the log.
 */
function recordOf(event: AuditEvent, at: number): AuditRecord {
  switch (event.kind) {
    case "proposed": {
      const { actionId, tool, effect, connector, verdict, tainted } = event;
      return {
        at,
        kind: "proposed",
        actionId,
        tool,
        effect,
        ...(connector !== undefined ? { connector } : {}),
        verdict,
        tainted,
      };
    }
    case "decided": {
      const { actionId, tool, verdict, by, edited } = event;
      return { at, kind: "decided", actionId, tool, verdict, by, ...(edited ? { edited } : {}) };
    }
    case "executed":
      return { at, kind: "executed", actionId: event.actionId, tool: event.tool };
    case "failed":
      return { at, kind: "failed", actionId: event.actionId, tool: event.tool, error: event.error };
    case "request": {
      const { method, host, path, status, bytes } = event.request;
      return {
        at,
        kind: "request",
        ...(event.actionId !== undefined ? { actionId: event.actionId } : {}),
        ...(event.tool !== undefined ? { tool: event.tool } : {}),
        request: { method, host, path: path.split(/[?#]/)[0] ?? "", status, bytes },
      };
    }
    case "kill_switch":
      return { at, kind: "kill_switch", on: event.on, by: event.by, affected: event.affected };
    case "budget": {
      const { routine, budget, limit, used, requested } = event;
      return { at, kind: "budget", routine, budget, limit, used, requested };
    }
  }
}

/** Appends inside a caller's transaction; returns the entry's sequence number. */
export function appendAuditEntry(store: AuditAppender, event: AuditEvent, at: number): Promise<number> {
  return store.add(recordOf(event, at));
}

/**
 * The append-only audit log. It can add, read and export entries and nothing else: there is
 * deliberately no update, delete or clear, here or anywhere else in the app.
 */
export class AuditLog {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async append(event: AuditEvent): Promise<AuditEntry> {
    const record = recordOf(event, this.now());
    const seq = await this.db.add("audit", record);
    return { ...record, seq };
  }

  /** One page, newest first; `before` is the `next` of the previous page. */
  async list(options: { before?: number; limit?: number } = {}): Promise<AuditPage> {
    const limit = Math.max(1, Math.floor(options.limit ?? AUDIT_PAGE_SIZE));
    const range = options.before === undefined ? null : IDBKeyRange.upperBound(options.before, true);
    const entries: AuditEntry[] = [];
    const tx = this.db.transaction("audit");
    let cursor = await tx.store.openCursor(range, "prev");
    while (cursor && entries.length < limit) {
      entries.push({ ...cursor.value, seq: cursor.key });
      cursor = await cursor.continue();
    }
    const more = cursor !== null;
    await tx.done;
    const last = entries.at(-1);
    return more && last ? { entries, next: last.seq } : { entries };
  }

  /** Everything logged about one action, oldest first (an index orders equal keys by primary key). */
  async forAction(actionId: string): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    const tx = this.db.transaction("audit");
    for await (const cursor of tx.store.index("byAction").iterate(actionId)) {
      entries.push({ ...cursor.value, seq: cursor.primaryKey });
    }
    await tx.done;
    return entries;
  }

  count(): Promise<number> {
    return this.db.count("audit");
  }

  /** The whole log, oldest first, one JSON object per line. */
  async exportJsonLines(): Promise<string> {
    const lines: string[] = [];
    const tx = this.db.transaction("audit");
    for await (const cursor of tx.store.iterate()) {
      lines.push(JSON.stringify({ seq: cursor.key, ...cursor.value }));
    }
    await tx.done;
    return lines.map((line) => `${line}\n`).join("");
  }

  async exportBlob(): Promise<Blob> {
    return new Blob([await this.exportJsonLines()], { type: AUDIT_JSONL_TYPE });
  }
}
