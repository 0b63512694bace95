import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuditedFetch, describeRequest } from "../../../src/gate/audited-fetch";
import { AuditLog } from "../../../src/store/audit-log";
import type { AuditEntry } from "../../../src/store/audit-entry";
import { FreshDatabase } from "../store/fresh-database";
import { proposal } from "./gate-fixture";
import { useGateHarness } from "./gate-harness";

const SECRETS = [
  "SECRET-QUERY-TOKEN",
  "SECRET-HEADER-TOKEN",
  "SECRET-REQUEST-BODY",
  "SECRET-RESPONSE-BODY",
  "access_token",
  "Bearer",
];

const requestsIn = (entries: AuditEntry[]) => entries.filter((entry) => entry.kind === "request");

describe("audit completeness through the Gate", () => {
  const currentHarness = useGateHarness();

  it("logs every connector request exactly once, with no token, query string or body", async () => {
    currentHarness().gmail.requestsPerCall = 3;
    currentHarness().memory.requestsPerCall = 2;
    const gate = await currentHarness().gate();
    const read = proposal("read_email", { message_id: "a" });
    const send = proposal("send_email", { to: ["boss@example.com"], subject: "Hi", body: "Hello" });
    const remember = proposal("memory_save", { fact: "likes tea" });
    await gate.propose(read);
    await gate.propose(send);
    await gate.propose(remember);
    await gate.approve(send.id);
    await gate.approve(remember.id);

    expect(currentHarness().network.requests).toBe(8);
    const exported = await gate.auditLog.exportJsonLines();
    const entries = exported
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as AuditEntry);
    const requests = requestsIn(entries);
    expect(requests).toHaveLength(8);
    expect(requests.filter((entry) => entry.actionId === read.id)).toHaveLength(3);
    expect(requests.filter((entry) => entry.actionId === send.id)).toHaveLength(3);
    expect(requests.filter((entry) => entry.actionId === remember.id)).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      tool: "read_email",
      request: { method: "POST", host: "api.example.test", path: "/v1/read_email/0", status: 200, bytes: 20 },
    });
    for (const secret of SECRETS) expect(exported).not.toContain(secret);
    expect(await gate.auditLog.exportBlob().then((blob) => blob.text())).toBe(exported);
  });
});

describe("AuditedFetch", () => {
  let database: FreshDatabase;
  let log: AuditLog;

  beforeEach(async () => {
    database = new FreshDatabase();
    log = new AuditLog(await database.open());
  });

  afterEach(async () => {
    await database.dispose();
  });

  it("hands the connector the response untouched and counts its bytes, not its characters", async () => {
    const audited = createAuditedFetch({
      auditor: log,
      fetch: () => Promise.resolve(new Response("héllo wörld", { status: 201 })),
    });
    const response = await audited(new URL("https://slack.test/api/chat.postMessage#frag"));
    expect(await response.text()).toBe("héllo wörld");
    expect(requestsIn((await log.list()).entries)).toMatchObject([
      { request: { method: "GET", host: "slack.test", path: "/api/chat.postMessage", status: 201, bytes: 13 } },
    ]);
  });

  it("logs a request that never got a response, once, and lets the error through", async () => {
    const audited = createAuditedFetch({
      auditor: log,
      fetch: () => Promise.reject(new TypeError("Failed to fetch")),
      actionId: "a1",
      tool: "send_email",
    });
    await expect(audited("https://gmail.test/send?key=SECRET", { method: "post" })).rejects.toThrow("Failed to fetch");
    const { entries } = await log.list();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      kind: "request",
      actionId: "a1",
      tool: "send_email",
      request: { method: "POST", host: "gmail.test", path: "/send", status: 0, bytes: 0 },
    });
  });

  it("describes a request by method, host and path only: no credentials, query or fragment", () => {
    const request = new Request("https://api.github.test/repos/o/r/actions/runs/42/rerun?token=x", { method: "POST" });
    expect(describeRequest(request)).toEqual({
      method: "POST",
      host: "api.github.test",
      path: "/repos/o/r/actions/runs/42/rerun",
    });
    expect(describeRequest("https://user:pw@api.github.test:8443/a/b?c=d#e", { method: "delete" })).toEqual({
      method: "DELETE",
      host: "api.github.test:8443",
      path: "/a/b",
    });
  });
});
