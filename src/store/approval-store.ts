import type { ProposedAction, ToolResult } from "../core/agent/action";
import type { GateDecision, GatePolicy } from "../core/agent/gate-policy";
import type { SerializedError } from "../core/errors";
import { INTERRUPTED_ERROR, type ApprovalRecord, type ApprovalStatus, type DecidedBy } from "./approval-record";
import { appendAuditEntry } from "./audit-log";
import type { Database } from "./database";
import { readSetting } from "./settings-store";

/** What the Gate's policy reads, taken inside the admitting transaction so a kill switch cannot race it. */
export interface GateSettings {
  killSwitch: boolean;
  policy: GatePolicy;
}

export interface Judgement {
  decision: GateDecision;
  /** Who the decision is credited to when it is final (allow, deny, frozen). */
  by: DecidedBy;
}

/** Synchronous and pure of IndexedDB: it runs inside a transaction. */
export type Judge = (settings: GateSettings) => Judgement;

export type Admission =
  /** The id was admitted before: nothing was written; answer from the record. */
  | { kind: "known"; record: ApprovalRecord }
  /** `ask`: stored as pending. */
  | { kind: "pending"; record: ApprovalRecord }
  /** `allow`: stored as executing, claimed for this caller to run now. */
  | { kind: "claimed"; record: ApprovalRecord }
  /** `deny` or `frozen`: audited, not stored. */
  | { kind: "refused"; decision: GateDecision };

export type ClaimRefusal = "not_found" | "kill_switch" | "not_pending";

export type Claim = { ok: true; record: ApprovalRecord } | { ok: false; reason: ClaimRefusal; record?: ApprovalRecord };

export type Completion = { result: ToolResult } | { error: SerializedError };

/** Why the user can no longer decide on this record (gone, or already decided), or undefined if they can. */
function refuseUndecidable(record: ApprovalRecord | undefined): Claim | undefined {
  if (!record) return { ok: false, reason: "not_found" };
  if (record.status !== "pending" && record.status !== "frozen") return { ok: false, reason: "not_pending", record };
  return undefined;
}

const INTERRUPTED_MESSAGE =
  "Interrupted: the tab closed while this action was running, so it may or may not have happened. " +
  "Check the service before retrying.";

function statusRange(status: ApprovalStatus): IDBKeyRange {
  return IDBKeyRange.bound([status, -Infinity], [status, Infinity]);
}

/** A copy without a result or error, so a real outcome replaces an earlier guess (interrupted) entirely. */
function withoutOutcome(record: ApprovalRecord): Omit<ApprovalRecord, "result" | "error"> {
  const copy = { ...record };
  delete copy.result;
  delete copy.error;
  return copy;
}

/**
 * Approvals and the run-once ledger. Each state change is one transaction that also writes its
 * audit entry, so the log never misses a decision and never records one that did not happen:
 * admit (→ pending | executing), claim (pending → executing), reject, finish (executing →
 * executed | failed), interrupt (a dead tab's executing → failed).
 */
export class ApprovalStore {
  constructor(private readonly db: Database) {}

  get(id: string): Promise<ApprovalRecord | undefined> {
    return this.db.get("approvals", id);
  }

  /** Oldest first. */
  withStatus(status: ApprovalStatus): Promise<ApprovalRecord[]> {
    return this.db.getAllFromIndex("approvals", "byStatus", statusRange(status));
  }

  /** Waiting for the user, frozen ones included, oldest first. */
  async waiting(): Promise<ApprovalRecord[]> {
    const tx = this.db.transaction("approvals");
    const byStatus = tx.store.index("byStatus");
    const [pending, frozen] = await Promise.all([
      byStatus.getAll(statusRange("pending")),
      byStatus.getAll(statusRange("frozen")),
    ]);
    await tx.done;
    return [...pending, ...frozen].sort((a, b) => a.proposedAt - b.proposedAt);
  }

  /** Newest first, any status: the history view. */
  async recent(limit: number): Promise<ApprovalRecord[]> {
    const records: ApprovalRecord[] = [];
    const tx = this.db.transaction("approvals");
    let cursor = await tx.store.index("byProposed").openCursor(null, "prev");
    while (cursor && records.length < limit) {
      records.push(cursor.value);
      cursor = await cursor.continue();
    }
    await tx.done;
    return records;
  }

  /** First sight of an action: judge it with the stored kill switch and policy, and store the verdict. */
  async admit(action: ProposedAction, judge: Judge, now: number): Promise<Admission> {
    const tx = this.db.transaction(["approvals", "settings", "audit"], "readwrite");
    const approvals = tx.objectStore("approvals");
    const known = await approvals.get(action.id);
    if (known) {
      await tx.done;
      return { kind: "known", record: known };
    }
    const settings = tx.objectStore("settings");
    const killSwitch = await readSetting(settings, "killSwitch");
    const policy = await readSetting(settings, "gatePolicy");
    const { decision, by } = judge({ killSwitch, policy });
    const audit = tx.objectStore("audit");
    const about = { actionId: action.id, tool: action.tool };
    await appendAuditEntry(
      audit,
      {
        kind: "proposed",
        ...about,
        effect: action.effect,
        ...(action.connector !== undefined ? { connector: action.connector } : {}),
        verdict: decision.verdict,
        tainted: action.taint.tainted,
      },
      now,
    );
    const base = { id: action.id, action, proposedAt: action.proposedAt, why: decision.why };
    let admission: Admission;
    if (decision.verdict === "ask") {
      const record: ApprovalRecord = { ...base, status: "pending" };
      await approvals.put(record);
      admission = { kind: "pending", record };
    } else if (decision.verdict === "allow") {
      const record: ApprovalRecord = { ...base, status: "executing", decidedAt: now, decidedBy: by, startedAt: now };
      await approvals.put(record);
      await appendAuditEntry(audit, { kind: "decided", ...about, verdict: "allow", by }, now);
      admission = { kind: "claimed", record };
    } else {
      await appendAuditEntry(audit, { kind: "decided", ...about, verdict: decision.verdict, by }, now);
      admission = { kind: "refused", decision };
    }
    await tx.done;
    return admission;
  }

  /** The user approves: pending → executing, unless the kill switch is on or someone got there first. */
  async claim(id: string, editedArguments: Record<string, unknown> | undefined, now: number): Promise<Claim> {
    const tx = this.db.transaction(["approvals", "settings", "audit"], "readwrite");
    const approvals = tx.objectStore("approvals");
    const record = await approvals.get(id);
    let claim: Claim;
    const refusal = refuseUndecidable(record);
    if (refusal || !record) claim = refusal ?? { ok: false, reason: "not_found" };
    else if (record.status === "frozen" || (await readSetting(tx.objectStore("settings"), "killSwitch"))) {
      claim = { ok: false, reason: "kill_switch", record };
    } else {
      const claimed: ApprovalRecord = {
        ...record,
        status: "executing",
        decidedAt: now,
        decidedBy: "user",
        startedAt: now,
        ...(editedArguments !== undefined ? { editedArguments } : {}),
      };
      await approvals.put(claimed);
      await appendAuditEntry(
        tx.objectStore("audit"),
        {
          kind: "decided",
          actionId: id,
          tool: record.action.tool,
          verdict: "approved",
          by: "user",
          edited: editedArguments !== undefined,
        },
        now,
      );
      claim = { ok: true, record: claimed };
    }
    await tx.done;
    return claim;
  }

  /** The user rejects a waiting (pending or frozen) action; it will never run. */
  async reject(id: string, note: string | undefined, now: number): Promise<Claim> {
    const tx = this.db.transaction(["approvals", "audit"], "readwrite");
    const approvals = tx.objectStore("approvals");
    const record = await approvals.get(id);
    let claim: Claim;
    const refusal = refuseUndecidable(record);
    if (refusal || !record) claim = refusal ?? { ok: false, reason: "not_found" };
    else {
      const rejected: ApprovalRecord = {
        ...record,
        status: "rejected",
        decidedAt: now,
        decidedBy: "user",
        ...(note !== undefined && note.trim() !== "" ? { note: note.trim() } : {}),
      };
      await approvals.put(rejected);
      await appendAuditEntry(
        tx.objectStore("audit"),
        { kind: "decided", actionId: id, tool: record.action.tool, verdict: "rejected", by: "user" },
        now,
      );
      claim = { ok: true, record: rejected };
    }
    await tx.done;
    return claim;
  }

  /**
   * Records what the connector returned. Written even if the record no longer says `executing`
   * (a tab without Web Locks took it for interrupted): what really happened beats a guess.
   */
  async finish(id: string, completion: Completion, now: number): Promise<ApprovalRecord> {
    const tx = this.db.transaction(["approvals", "audit"], "readwrite");
    const approvals = tx.objectStore("approvals");
    const record = await approvals.get(id);
    if (!record) {
      await tx.done;
      throw new Error(`Action ${id} vanished while it ran.`);
    }
    const about = { actionId: id, tool: record.action.tool };
    const finished: ApprovalRecord =
      "result" in completion
        ? { ...withoutOutcome(record), status: "executed", finishedAt: now, result: completion.result }
        : { ...withoutOutcome(record), status: "failed", finishedAt: now, error: completion.error };
    await approvals.put(finished);
    await appendAuditEntry(
      tx.objectStore("audit"),
      "result" in completion
        ? { kind: "executed", ...about }
        : { kind: "failed", ...about, error: completion.error.name },
      now,
    );
    await tx.done;
    return finished;
  }

  /** A tab died mid-call: executing → failed, never re-run. Undefined if it is no longer executing. */
  async interrupt(id: string, now: number): Promise<ApprovalRecord | undefined> {
    const tx = this.db.transaction(["approvals", "audit"], "readwrite");
    const approvals = tx.objectStore("approvals");
    const record = await approvals.get(id);
    let interrupted: ApprovalRecord | undefined;
    if (record?.status === "executing") {
      interrupted = {
        ...record,
        status: "failed",
        finishedAt: now,
        error: { name: INTERRUPTED_ERROR, message: INTERRUPTED_MESSAGE },
      };
      await approvals.put(interrupted);
      await appendAuditEntry(
        tx.objectStore("audit"),
        { kind: "failed", actionId: id, tool: record.action.tool, error: INTERRUPTED_ERROR },
        now,
      );
    }
    await tx.done;
    return interrupted;
  }
}
