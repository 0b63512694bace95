import { describe, expect, it, vi } from "vitest";
import { INTERRUPTED_ERROR, isInterrupted } from "../../../src/store/approval-record";
import { InMemoryLocks } from "../../../src/gate/execution-locks";
import { proposal, sendProposal } from "./gate-fixture";
import { useGateHarness } from "./gate-harness";

const currentHarness = useGateHarness();

describe("an action runs at most once per id", () => {
  it("runs once when approved twice at the same moment (a double click)", async () => {
    const gate = await currentHarness().gate();
    const send = sendProposal();
    await gate.propose(send);
    const answers = await Promise.all([gate.approve(send.id), gate.approve(send.id)]);
    expect(answers.map((answer) => answer.ok).sort()).toEqual([false, true]);
    expect(answers.find((answer) => !answer.ok)).toMatchObject({ problem: "not_pending" });
    expect(currentHarness().gmail.calls).toHaveLength(1);
  });

  it("runs once when two tabs approve at once, even without a shared lock (the claim transaction decides)", async () => {
    const tabA = await currentHarness().gate({ locks: new InMemoryLocks() });
    const tabB = await currentHarness().gate({ locks: new InMemoryLocks() });
    const send = sendProposal();
    await tabA.propose(send);
    const answers = await Promise.all([tabA.approve(send.id), tabB.approve(send.id), tabA.approve(send.id)]);
    expect(answers.filter((answer) => answer.ok)).toHaveLength(1);
    expect(currentHarness().gmail.calls).toHaveLength(1);
    const approvals = (await tabA.auditLog.forAction(send.id)).filter((entry) => entry.kind === "decided");
    expect(approvals).toHaveLength(1);
  });

  it("answers a repeated proposal from its record instead of running it again", async () => {
    const gate = await currentHarness().gate();
    const read = proposal("read_email", { message_id: "18f0c" });
    const [first, second] = await Promise.all([gate.propose(read), gate.propose(read)]);
    const third = await gate.propose(read);
    expect(first.status).toBe("executed");
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(currentHarness().gmail.calls).toHaveLength(1);
    expect(currentHarness().network.requests).toBe(1);
    expect((await gate.auditLog.forAction(read.id)).filter((entry) => entry.kind === "proposed")).toHaveLength(1);
  });

  it("keeps a pending approval across a reload, and runs it once when approved there", async () => {
    const before = await currentHarness().gate();
    const send = sendProposal();
    await before.propose(send);

    const after = await currentHarness().reload();
    expect((await after.pending()).map((record) => record.id)).toEqual([send.id]);
    // The worker, restarted, proposes the same action again: still one approval, still waiting.
    expect((await after.propose(send)).status).toBe("pending");
    expect(await after.pending()).toHaveLength(1);

    expect((await after.approve(send.id)).ok).toBe(true);
    expect(await after.approve(send.id)).toMatchObject({ ok: false, problem: "not_pending" });
    const again = await currentHarness().reload();
    expect(await again.approve(send.id)).toMatchObject({ ok: false, problem: "not_pending" });
    expect(await again.propose(send)).toMatchObject({ status: "executed" });
    expect(currentHarness().gmail.calls).toHaveLength(1);
  });

  it("marks an action whose tab died mid-call as interrupted and never re-runs it", async () => {
    const gate = await currentHarness().gate();
    const send = sendProposal();
    await gate.propose(send);
    currentHarness().gmail.holdNext(); // never released: the tab dies while the service is being called
    void gate.approve(send.id);
    await vi.waitFor(() => expect(currentHarness().gmail.calls).toHaveLength(1));
    expect((await gate.get(send.id))?.status).toBe("executing");

    const reloaded = await currentHarness().reload();
    const record = await reloaded.get(send.id);
    expect(record?.status).toBe("failed");
    expect(record && isInterrupted(record)).toBe(true);
    expect(record?.error?.message).toMatch(/may or may not have happened.*Check the service before retrying/);
    expect(await reloaded.approve(send.id)).toMatchObject({ ok: false, problem: "not_pending" });
    expect(await reloaded.propose(send)).toMatchObject({ status: "failed", error: { name: INTERRUPTED_ERROR } });
    expect(currentHarness().gmail.calls).toHaveLength(1);
    expect((await reloaded.auditLog.forAction(send.id)).at(-1)).toMatchObject({
      kind: "failed",
      error: INTERRUPTED_ERROR,
    });
  });

  it("leaves alone an action another live tab is still running", async () => {
    const tabA = await currentHarness().gate();
    const send = sendProposal();
    await tabA.propose(send);
    const release = currentHarness().gmail.holdNext();
    const approving = tabA.approve(send.id);
    await vi.waitFor(() => expect(currentHarness().gmail.calls).toHaveLength(1));

    const tabB = await currentHarness().gate(); // same browser, same lock table: tab A holds the action's lock
    expect((await tabB.get(send.id))?.status).toBe("executing");
    release();
    expect((await approving).ok).toBe(true);
    expect((await tabB.get(send.id))?.status).toBe("executed");
    expect(currentHarness().gmail.calls).toHaveLength(1);
  });
});
