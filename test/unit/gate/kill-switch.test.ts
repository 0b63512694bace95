import { describe, expect, it } from "vitest";
import { SettingsStore } from "../../../src/store/settings-store";
import { proposal, sendProposal } from "./gate-fixture";
import { useGateHarness } from "./gate-harness";

const currentHarness = useGateHarness();

describe("the kill switch", () => {
  it("freezes every pending approval and blocks approving them", async () => {
    const gate = await currentHarness().gate();
    const send = sendProposal();
    const label = proposal("apply_label", { message_id: "m1", label: "Later" });
    await gate.propose(send);
    await gate.propose(label);
    expect(await gate.setKillSwitch(true)).toEqual({ changed: true, affected: 2 });
    expect((await gate.pending()).map((record) => record.status)).toEqual(["frozen", "frozen"]);
    expect(await gate.approve(send.id)).toMatchObject({ ok: false, problem: "kill_switch" });
    expect(await gate.propose(send)).toMatchObject({ status: "frozen" });
    expect(currentHarness().gmail.calls).toHaveLength(0);
  });

  it("stops new actions, reads included, without storing them", async () => {
    const gate = await currentHarness().gate();
    await gate.setKillSwitch(true);
    const read = proposal("read_email", { message_id: "18f0c" });
    expect(await gate.propose(read)).toMatchObject({ status: "frozen" });
    expect(await gate.get(read.id)).toBeUndefined();
    expect(currentHarness().gmail.calls).toHaveLength(0);
    expect(currentHarness().network.requests).toBe(0);
  });

  it("survives a reload, and the audit log shows it", async () => {
    const gate = await currentHarness().gate();
    const send = sendProposal();
    await gate.propose(send);
    await gate.setKillSwitch(true);

    const reloaded = await currentHarness().reload();
    expect(await reloaded.killSwitchOn()).toBe(true);
    expect((await reloaded.get(send.id))?.status).toBe("frozen");
    expect(await reloaded.approve(send.id)).toMatchObject({ ok: false, problem: "kill_switch" });
    const { entries } = await reloaded.auditLog.list();
    expect(entries.find((entry) => entry.kind === "kill_switch")).toMatchObject({ on: true, by: "user", affected: 1 });
    expect(currentHarness().gmail.calls).toHaveLength(0);
  });

  it("thaws frozen approvals when turned off, and they run once when approved", async () => {
    const gate = await currentHarness().gate();
    const send = sendProposal();
    await gate.propose(send);
    await gate.setKillSwitch(true);
    expect(await gate.setKillSwitch(false)).toEqual({ changed: true, affected: 1 });
    expect((await gate.get(send.id))?.status).toBe("pending");
    expect((await gate.approve(send.id)).ok).toBe(true);
    expect(currentHarness().gmail.calls).toHaveLength(1);
    const switches = (await gate.auditLog.list()).entries.filter((entry) => entry.kind === "kill_switch");
    expect(switches.map((entry) => entry.kind === "kill_switch" && entry.on)).toEqual([false, true]);
  });

  it("lets a frozen action be rejected: refusing is always safe", async () => {
    const gate = await currentHarness().gate();
    const send = sendProposal();
    await gate.propose(send);
    await gate.setKillSwitch(true);
    expect((await gate.reject(send.id)).ok).toBe(true);
    await gate.setKillSwitch(false);
    expect((await gate.get(send.id))?.status).toBe("rejected");
  });

  it("audits only real changes of position", async () => {
    const gate = await currentHarness().gate();
    await gate.setKillSwitch(true);
    expect(await gate.setKillSwitch(true)).toEqual({ changed: false, affected: 0 });
    expect(await gate.auditLog.count()).toBe(1);
  });

  it("cannot be flipped through the plain settings store", async () => {
    const settings = new SettingsStore(currentHarness().database.db);
    // @ts-expect-error: the kill switch changes only together with the approvals it freezes.
    await expect(settings.set("killSwitch", true)).rejects.toThrow(/only through its own module/);
    expect(await settings.get("killSwitch")).toBe(false);
  });
});
