import { appendAuditEntry } from "./audit-log";
import type { Database } from "./database";
import { readSetting } from "./settings-store";

export interface KillSwitchChange {
  /** False when the switch was already in that position (nothing written, nothing audited). */
  changed: boolean;
  /** Approvals frozen (on) or thawed back to pending (off). */
  affected: number;
}

/**
 * The kill switch as stored state. Flipping it, freezing or thawing every waiting approval and
 * the audit entry are one transaction, so no approval can slip between the switch and the freeze,
 * and the position survives a reload.
 */
export class KillSwitch {
  constructor(private readonly db: Database) {}

  async isOn(): Promise<boolean> {
    return readSetting({ get: (key) => this.db.get("settings", key) }, "killSwitch");
  }

  async set(on: boolean, now = Date.now()): Promise<KillSwitchChange> {
    const tx = this.db.transaction(["settings", "approvals", "audit"], "readwrite");
    const settings = tx.objectStore("settings");
    if ((await readSetting(settings, "killSwitch")) === on) {
      await tx.done;
      return { changed: false, affected: 0 };
    }
    await settings.put(on, "killSwitch");
    const from = on ? "pending" : "frozen";
    const to = on ? "frozen" : "pending";
    const approvals = tx.objectStore("approvals");
    const waiting = await approvals.index("byStatus").getAll(IDBKeyRange.bound([from, -Infinity], [from, Infinity]));
    for (const record of waiting) await approvals.put({ ...record, status: to });
    await appendAuditEntry(
      tx.objectStore("audit"),
      { kind: "kill_switch", on, by: "user", affected: waiting.length },
      now,
    );
    await tx.done;
    return { changed: true, affected: waiting.length };
  }
}
