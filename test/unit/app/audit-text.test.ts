import { describe, expect, it } from "vitest";
import { auditExportFileName, describeAuditEntry } from "../../../src/app/audit-text";

describe("describeAuditEntry", () => {
  it("reads a request as method, host and path, status and size", () => {
    const line = describeAuditEntry({
      seq: 3,
      at: 0,
      kind: "request",
      tool: "read_email",
      request: {
        method: "GET",
        host: "gmail.googleapis.com",
        path: "/gmail/v1/users/me/messages",
        status: 200,
        bytes: 2048,
      },
    });
    expect(line).toEqual({
      what: "Request",
      details: ["GET gmail.googleapis.com/gmail/v1/users/me/messages", "status 200", "2.0 KB", "for read_email"],
    });
  });

  it("says the kill switch, who turned it and what it froze", () => {
    expect(describeAuditEntry({ seq: 1, at: 0, kind: "kill_switch", on: true, by: "user", affected: 1 })).toEqual({
      what: "Paused everything (kill switch on)",
      details: ["by you", "1 pending action frozen"],
    });
    expect(describeAuditEntry({ seq: 2, at: 0, kind: "kill_switch", on: false, by: "user", affected: 0 }).what).toBe(
      "Resumed (kill switch off)",
    );
  });

  it("names the tool, the verdict and who decided", () => {
    const line = describeAuditEntry({
      seq: 4,
      at: 0,
      kind: "decided",
      actionId: "a1",
      tool: "send_email",
      verdict: "approved",
      by: "user",
      edited: true,
    });
    expect(line).toEqual({ what: "send_email approved", details: ["by you", "edited"] });
  });
});

describe("auditExportFileName", () => {
  it("uses the local date", () => {
    expect(auditExportFileName(new Date(2026, 10, 4, 23, 59))).toBe("tabclaw-audit-2026-11-04.jsonl");
  });
});
