import { formatBytes } from "../core/format";
import type { AuditEntry } from "../store/audit-entry";

/** One audit entry as a readable line: what happened, and the details that matter. */
export interface AuditLine {
  /** A short sentence: "Kill switch turned on", "send_email proposed". */
  what: string;
  /** Tool, verdict, who decided, or the request's method, host, path, status and bytes. */
  details: string[];
}

const BY: Record<string, string> = { user: "by you", rule: "by a rule", policy: "by policy" };

/** The file name an export is saved under: `tabclaw-audit-2026-11-24.jsonl` (the local date). */
export function auditExportFileName(now: Date): string {
  const pad = (value: number): string => String(value).padStart(2, "0");
  return `tabclaw-audit-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.jsonl`;
}

export function describeAuditEntry(entry: AuditEntry): AuditLine {
  switch (entry.kind) {
    case "proposed":
      return {
        what: `${entry.tool} proposed`,
        details: [
          `effect ${entry.effect}`,
          ...(entry.connector !== undefined ? [`connector ${entry.connector}`] : []),
          `verdict ${entry.verdict}`,
          ...(entry.tainted ? ["tainted"] : []),
        ],
      };
    case "decided":
      return {
        what: `${entry.tool} ${entry.verdict}`,
        details: [BY[entry.by] ?? entry.by, ...(entry.edited ? ["edited"] : [])],
      };
    case "executed":
      return { what: `${entry.tool} ran`, details: [] };
    case "failed":
      return { what: `${entry.tool} failed`, details: [entry.error] };
    case "request": {
      const { method, host, path, status, bytes } = entry.request;
      return {
        what: "Request",
        details: [
          `${method} ${host}${path}`,
          status === 0 ? "no response" : `status ${status}`,
          formatBytes(bytes),
          ...(entry.tool !== undefined ? [`for ${entry.tool}`] : []),
        ],
      };
    }
    case "kill_switch":
      return {
        what: entry.on ? "Paused everything (kill switch on)" : "Resumed (kill switch off)",
        details: [
          BY[entry.by] ?? entry.by,
          `${entry.affected} pending ${entry.affected === 1 ? "action" : "actions"} ${entry.on ? "frozen" : "thawed"}`,
        ],
      };
    case "budget":
      return {
        what: `Daily ${entry.budget === "total" ? "token budget" : `budget of ${entry.routine}`} reached`,
        details: [`${entry.used} of ${entry.limit} tokens used`, `${entry.requested} requested`],
      };
  }
}
