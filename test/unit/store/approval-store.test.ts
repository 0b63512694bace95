import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProposedAction } from "../../../src/core/agent/action";
import { ApprovalStore, type Judge } from "../../../src/store/approval-store";
import { KillSwitch } from "../../../src/store/kill-switch";
import { FreshDatabase } from "./fresh-database";

let database: FreshDatabase;
let approvals: ApprovalStore;

beforeEach(async () => {
  database = new FreshDatabase();
  approvals = new ApprovalStore(await database.open());
});

afterEach(async () => {
  await database.dispose();
});

function action(id: string, proposedAt: number): ProposedAction {
  return {
    id,
    tool: "send_email",
    effect: "send",
    arguments: {},
    reason: "",
    preview: { title: "Send", fields: [] },
    taint: { tainted: false, sources: [], reasons: [], argumentSources: [] },
    proposedAt,
  };
}

const ask: Judge = () => ({ decision: { verdict: "ask", why: "Asks." }, by: "policy" });

describe("the approval store", () => {
  it("lists waiting approvals oldest first, frozen or not, and history newest first", async () => {
    await approvals.admit(action("b", 20), ask, 20);
    await approvals.admit(action("a", 10), ask, 21);
    await new KillSwitch(database.db).set(true, 22);
    await approvals.admit(action("c", 30), ask, 30); // judged with the switch on by the real Gate; here it just asks
    expect((await approvals.waiting()).map((record) => `${record.id}:${record.status}`)).toEqual([
      "a:frozen",
      "b:frozen",
      "c:pending",
    ]);
    expect((await approvals.recent(2)).map((record) => record.id)).toEqual(["c", "b"]);
    expect((await approvals.withStatus("frozen")).map((record) => record.id)).toEqual(["a", "b"]);
  });

  it("hands the judge the stored kill switch and policy, inside the admitting transaction", async () => {
    await new KillSwitch(database.db).set(true, 1);
    let seen: Parameters<Judge>[0] | undefined;
    const admission = await approvals.admit(
      action("x", 1),
      (settings) => {
        seen = settings;
        return { decision: { verdict: "frozen", why: "Off." }, by: "policy" };
      },
      2,
    );
    expect(seen?.killSwitch).toBe(true);
    expect(admission).toEqual({ kind: "refused", decision: { verdict: "frozen", why: "Off." } });
    expect(await approvals.get("x")).toBeUndefined();
  });

  it("interrupts only an action that is still executing", async () => {
    await approvals.admit(action("p", 1), ask, 1);
    expect(await approvals.interrupt("p", 2)).toBeUndefined();
    expect((await approvals.get("p"))?.status).toBe("pending");
  });
});
