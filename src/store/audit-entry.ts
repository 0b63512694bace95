import type { GateVerdict } from "../core/agent/gate-policy";
import type { ToolEffect } from "../core/agent/tool";
import type { BudgetRefusal } from "../core/agent/token-budget";
import type { DecidedBy } from "./approval-record";

/**
 * One connector request as the audit log keeps it. Deliberately no query string, no header and no
 * body: those are where tokens and personal text live.
 */
export interface AuditedRequest {
  method: string;
  host: string;
  /** The URL's path only. */
  path: string;
  /** 0 when no response arrived (network error, abort). */
  status: number;
  /** Bytes of the response body. */
  bytes: number;
}

/** The Gate's verdict at proposal time, or the user's answer on the card. */
export type AuditVerdict = GateVerdict | "approved" | "rejected";

export type AuditKind = AuditEvent["kind"];

/** What happened. Every field is metadata: no arguments, results, notes, tokens or bodies. */
export type AuditEvent =
  | {
      kind: "proposed";
      actionId: string;
      tool: string;
      effect: ToolEffect;
      connector?: string;
      verdict: GateVerdict;
      tainted: boolean;
    }
  | { kind: "decided"; actionId: string; tool: string; verdict: AuditVerdict; by: DecidedBy; edited?: boolean }
  | { kind: "executed"; actionId: string; tool: string }
  /** `error` is the error's name only: messages can quote URLs and server replies. */
  | { kind: "failed"; actionId: string; tool: string; error: string }
  | { kind: "request"; actionId?: string; tool?: string; request: AuditedRequest }
  /** `affected`: approvals frozen (on) or thawed (off) with it. */
  | { kind: "kill_switch"; on: boolean; by: "user"; affected: number }
  | {
      kind: "budget";
      routine: string;
      budget: BudgetRefusal["budget"];
      limit: number;
      used: number;
      requested: number;
    };

/** As stored: the event and when. The key (a sequence number) is kept out of line. */
export type AuditRecord = AuditEvent & { at: number };

/** As read and exported: with its sequence number, which only ever grows. */
export type AuditEntry = AuditRecord & { seq: number };
