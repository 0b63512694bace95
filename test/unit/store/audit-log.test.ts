import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as auditLogModule from "../../../src/store/audit-log";
import { AUDIT_JSONL_TYPE, AuditLog } from "../../../src/store/audit-log";
import type { AuditEntry, AuditEvent } from "../../../src/store/audit-entry";
import { FreshDatabase } from "./fresh-database";

let database: FreshDatabase;
let log: AuditLog;
let clock: number;

beforeEach(async () => {
  database = new FreshDatabase();
  clock = 1000;
  log = new AuditLog(await database.open(), () => clock++);
});

afterEach(async () => {
  await database.dispose();
});

const executed = (index: number): AuditEvent => ({ kind: "executed", actionId: `a${index}`, tool: "read_email" });

describe("the audit log", () => {
  it("offers no way to change or remove an entry", () => {
    const methods = Object.getOwnPropertyNames(AuditLog.prototype).sort();
    expect(methods).toEqual(["append", "constructor", "count", "exportBlob", "exportJsonLines", "forAction", "list"]);
    expect(Object.keys(auditLogModule).sort()).toEqual([
      "AUDIT_JSONL_TYPE",
      "AUDIT_PAGE_SIZE",
      "AuditLog",
      "appendAuditEntry",
    ]);
  });

  it("numbers entries in order and pages through them newest first without gaps or repeats", async () => {
    for (let index = 0; index < 23; index += 1) await log.append(executed(index));
    const seen: AuditEntry[] = [];
    let before: number | undefined;
    let pages = 0;
    do {
      const page = await log.list({ limit: 10, ...(before !== undefined ? { before } : {}) });
      seen.push(...page.entries);
      before = page.next;
      pages += 1;
    } while (before !== undefined);
    expect(pages).toBe(3);
    expect(seen.map((entry) => entry.kind === "executed" && entry.actionId)).toEqual(
      Array.from({ length: 23 }, (_, index) => `a${22 - index}`),
    );
    expect(seen.map((entry) => entry.at)).toEqual([...seen.map((entry) => entry.at)].sort((a, b) => b - a));
    expect(await log.count()).toBe(23);
  });

  it("exports every entry as one JSON object per line, oldest first", async () => {
    await log.append(executed(1));
    await log.append({ kind: "kill_switch", on: true, by: "user", affected: 0 });
    const text = await log.exportJsonLines();
    expect(text.endsWith("\n")).toBe(true);
    const lines = text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as AuditEntry);
    expect(lines).toEqual([
      { seq: 1, at: 1000, kind: "executed", actionId: "a1", tool: "read_email" },
      { seq: 2, at: 1001, kind: "kill_switch", on: true, by: "user", affected: 0 },
    ]);
    const blob = await log.exportBlob();
    expect(blob.type).toBe(AUDIT_JSONL_TYPE);
    expect(await blob.text()).toBe(text);
  });

  it("keeps only the fields an entry may have, whatever the caller passes", async () => {
    const request = {
      method: "GET",
      host: "api.test",
      path: "/v1/messages?access_token=LEAK#LEAK",
      status: 200,
      bytes: 5,
      headers: { Authorization: "Bearer LEAK" },
    };
    const event = { kind: "request" as const, request, body: "LEAK" };
    await log.append(event);
    const [entry] = (await log.list()).entries;
    expect(entry).toEqual({
      seq: 1,
      at: 1000,
      kind: "request",
      request: { method: "GET", host: "api.test", path: "/v1/messages", status: 200, bytes: 5 },
    });
    expect(await log.exportJsonLines()).not.toContain("LEAK");
  });

  it("lists what happened to one action", async () => {
    await log.append(executed(1));
    await log.append(executed(2));
    await log.append({ kind: "failed", actionId: "a1", tool: "read_email", error: "QuotaError" });
    expect((await log.forAction("a1")).map((entry) => entry.kind)).toEqual(["executed", "failed"]);
  });
});
