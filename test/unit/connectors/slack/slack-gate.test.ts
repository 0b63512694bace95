import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProposedAction } from "../../../../src/core/agent/action";
import type { TaintRecord } from "../../../../src/core/agent/taint";
import { ToolRegistry } from "../../../../src/core/agent/tool-registry";
import { connectorRegistry } from "../../../../src/gate/connector";
import { InMemoryLocks } from "../../../../src/gate/execution-locks";
import { Gate } from "../../../../src/gate/gate";
import { SLACK_TOOLS } from "../../../../src/tools/slack-tools";
import { fetchViaFake } from "../../../fakes/slack/fake-slack";
import { READ_SCOPES, SlackFixture } from "./slack-fixture";

const CLEAN: TaintRecord = { tainted: false, sources: [], reasons: [], argumentSources: [] };

let fixture: SlackFixture;
let gate: Gate;
const registry = new ToolRegistry(SLACK_TOOLS);

function proposal(tool: string, args: Record<string, unknown>): ProposedAction {
  const declared = registry.get(tool);
  if (!declared) throw new Error(`no tool ${tool}`);
  return {
    id: crypto.randomUUID(),
    tool,
    effect: declared.effect,
    ...(declared.connector !== undefined ? { connector: declared.connector } : {}),
    ...(declared.scope !== undefined ? { scope: declared.scope } : {}),
    arguments: args,
    reason: "You asked for the digest.",
    preview: declared.preview(args),
    taint: CLEAN,
    proposedAt: fixture.now,
  };
}

beforeEach(async () => {
  fixture = await new SlackFixture().start();
  gate = await Gate.open({
    db: fixture.database.db,
    tools: registry,
    connectors: connectorRegistry([fixture.connector]),
    fetch: fetchViaFake(fixture.fake),
    locks: new InMemoryLocks(),
    now: () => fixture.now,
    channel: null,
  });
});

afterEach(async () => {
  gate.close();
  expect(fixture.fake.violations).toEqual([]);
  await fixture.stop();
});

describe("the Slack connector behind the Gate", () => {
  it("posts a reply only once the user approves it, once, where the card said", async () => {
    await fixture.signIn([...READ_SCOPES, "chat:write"]);
    const parent = fixture.fake.workspace.addMessage({ channel: "C0GENERAL1", user: "U0BOB0001", text: "Lunch?" });
    const action = proposal("slack_post_message", {
      channel: "C0GENERAL1",
      channelName: "#general",
      thread_ts: parent.ts,
      text: "Yes, 12:30.",
    });
    expect(await gate.propose(action)).toMatchObject({ status: "pending" });
    expect(fixture.fake.calls("chat.postMessage")).toEqual([]);

    const [first, second] = await Promise.all([gate.approve(action.id), gate.approve(action.id)]);
    expect([first.ok, second.ok].sort()).toEqual([false, true]);
    expect(fixture.fake.workspace.posted.map((post) => [post.channel, post.threadTs, post.text])).toEqual([
      ["C0GENERAL1", parent.ts, "Yes, 12:30."],
    ]);
    const logged = await gate.auditLog.forAction(action.id);
    const described = logged.map((entry) =>
      entry.kind === "request" ? `${entry.request.method} ${entry.request.host}${entry.request.path}` : entry.kind,
    );
    expect(described).toContain("POST slack.com/api/chat.postMessage");
  });

  it("refuses a post while Slack is not connected, and one approved after a disconnect", async () => {
    const early = proposal("slack_post_message", { channel: "C0GENERAL1", channelName: "#general", text: "hi" });
    expect(await gate.propose(early)).toMatchObject({ status: "denied" });
    await fixture.signIn([...READ_SCOPES, "chat:write"]);
    const late = proposal("slack_post_message", { channel: "C0GENERAL1", channelName: "#general", text: "hi" });
    expect(await gate.propose(late)).toMatchObject({ status: "pending" });
    await fixture.vault.remove("slack");
    expect(await gate.approve(late.id)).toMatchObject({ ok: false, problem: "not_connected" });
    expect(fixture.fake.requests).toEqual([]);
  });

  it("runs the read of updates without asking and returns it as untrusted text from Slack", async () => {
    await fixture.signIn(READ_SCOPES);
    fixture.fake.workspace.addMessage({ channel: "D0BOBALICE", user: "U0BOB0001", text: "ping" });
    const outcome = await gate.propose(proposal("slack_read_updates", {}));
    expect(outcome).toMatchObject({ status: "executed", result: { trusted: false } });
    if (outcome.status === "executed") expect(outcome.result.content).toContain('"text":"ping"');
  });
});
