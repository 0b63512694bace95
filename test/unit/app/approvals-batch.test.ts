/**
 * Approving Gmail label changes in one go: only pending label changes are offered, each runs once
 * through the Gate's own approve, a rejected one never runs, a send is never part of it, and
 * nothing is batched while the kill switch is on.
 */
import { describe, expect, it } from "vitest";
import { ApprovalsController } from "../../../src/app/approvals-controller";
import type { ProposedAction } from "../../../src/core/agent/action";
import { ToolRegistry } from "../../../src/core/agent/tool-registry";
import { GMAIL_TOOLS } from "../../../src/tools/gmail-tools";
import { CLEAN } from "../gate/gate-fixture";
import { useGateHarness } from "../gate/gate-harness";

const currentHarness = useGateHarness();
const tools = new ToolRegistry(GMAIL_TOOLS);

let clock = 1_700_000_000_000;

function gmailProposal(name: string, args: Record<string, unknown>): ProposedAction {
  const tool = tools.get(name);
  if (!tool) throw new Error(`no tool ${name}`);
  clock += 1000;
  return {
    id: crypto.randomUUID(),
    tool: tool.name,
    effect: tool.effect,
    ...(tool.connector !== undefined ? { connector: tool.connector } : {}),
    ...(tool.scope !== undefined ? { scope: tool.scope } : {}),
    arguments: args,
    reason: "Triage filed it.",
    preview: tool.preview(args),
    taint: CLEAN,
    proposedAt: clock,
  };
}

const label = (n: number) =>
  gmailProposal("gmail_apply_label", {
    mailId: `gmail:${n}`,
    label: "Tabclaw/Newsletter",
    mailSubject: `Weekly ${n}`,
    mailFrom: "news@example.com",
  });
const send = () =>
  gmailProposal("gmail_send_reply", { mailId: "gmail:9", to: "ann@example.com", subject: "Re: Hi", body: "Yes." });
const draft = () =>
  gmailProposal("gmail_create_draft", { mailId: "gmail:9", to: "ann@example.com", subject: "Re: Hi", body: "Yes." });

async function setUp() {
  const gate = await currentHarness().gate({ tools });
  const approvals = new ApprovalsController(gate, tools);
  return { gate, approvals };
}

describe("batch approval of label changes", () => {
  it("offers only the pending label changes, runs each once, and leaves the send and the draft waiting", async () => {
    const { gate, approvals } = await setUp();
    const labels = [label(1), label(2), label(3)];
    const others = [send(), draft()];
    for (const action of [...labels, ...others]) await gate.propose(action);
    await approvals.refresh();
    expect(approvals.labelBatch.map((record) => record.id)).toEqual(labels.map((action) => action.id));

    // The same batch approved in two tabs at once: the Gate's run-once holds, each label is applied once.
    const otherTab = new ApprovalsController(await currentHarness().gate({ tools }), tools);
    await otherTab.refresh();
    const everyId = [...labels, ...others].map((action) => action.id);
    const [here, there] = await Promise.all([approvals.approveBatch(everyId), otherTab.approveBatch(everyId)]);
    expect(here.approved + there.approved).toBe(3);
    expect([...here.failed, ...there.failed].every((failure) => /already been decided/.test(failure.message))).toBe(
      true,
    );
    expect(currentHarness().gmail.calls.map((call) => [call.tool, call.args.mailId])).toEqual([
      ["gmail_apply_label", "gmail:1"],
      ["gmail_apply_label", "gmail:2"],
      ["gmail_apply_label", "gmail:3"],
    ]);
    expect(approvals.pending.map((record) => record.action.tool)).toEqual(["gmail_send_reply", "gmail_create_draft"]);
    await approvals.refresh();
    expect(approvals.labelBatch).toEqual([]);
    expect(await approvals.approveBatch(everyId)).toEqual({ approved: 0, failed: [] });
    expect(currentHarness().gmail.calls).toHaveLength(3);
  });

  it("skips a label change the user rejected on its card, and reports one that fails with the Gate's reason", async () => {
    const { gate, approvals } = await setUp();
    const labels = [label(1), label(2), label(3)];
    for (const action of labels) await gate.propose(action);
    await approvals.refresh();
    const [rejected, failing, fine] = labels;
    if (!rejected || !failing || !fine) throw new Error("three labels");
    await approvals.reject(rejected.id, "Not a newsletter");
    expect(approvals.labelBatch.map((record) => record.id)).toEqual([failing.id, fine.id]);

    currentHarness().gmail.failWith = Object.assign(new Error("Gmail is unavailable; try again later."), {
      name: "GmailUnavailableError",
    });
    const result = await approvals.approveBatch(labels.map((action) => action.id));
    expect(result.approved).toBe(0);
    expect(result.failed).toEqual([
      { id: failing.id, message: "Gmail is unavailable; try again later." },
      { id: fine.id, message: "Gmail is unavailable; try again later." },
    ]);
    expect(currentHarness().gmail.calls.map((call) => call.args.mailId)).toEqual(["gmail:2", "gmail:3"]);
    expect(approvals.recent.find((record) => record.id === rejected.id)?.status).toBe("rejected");
  });

  it("offers nothing while the kill switch is on", async () => {
    const { gate, approvals } = await setUp();
    const labels = [label(1), label(2)];
    for (const action of labels) await gate.propose(action);
    await gate.setKillSwitch(true);
    await approvals.refresh();
    expect(approvals.pendingCount).toBe(2);
    expect(approvals.labelBatch).toEqual([]);
    expect(await approvals.approveBatch(labels.map((action) => action.id))).toEqual({ approved: 0, failed: [] });
    expect(currentHarness().gmail.calls).toEqual([]);
  });
});
