import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProposedAction, ToolResult } from "../../../src/core/agent/action";
import type { AgentEvent } from "../../../src/core/agent/agent-events";
import { runAgent } from "../../../src/core/agent/agent-loop";
import { externalContent, userMessage } from "../../../src/core/agent/context-item";
import { decide, taintLevelOf, type GatePolicy } from "../../../src/core/agent/gate-policy";
import { stableStringify } from "../../../src/core/agent/stable-stringify";
import { assessTaint, normaliseForMatching } from "../../../src/core/agent/taint";
import { TokenBudget } from "../../../src/core/agent/token-budget";
import { ToolRegistry } from "../../../src/core/agent/tool-registry";
import { digestMessages, planDigestBatches, readDigestAnswer } from "../../../src/core/slack/digest-prompt";
import { replyArguments } from "../../../src/core/slack/digest-reply";
import { parseSlackUpdates, type SlackUpdates } from "../../../src/core/slack/slack-message";
import { groupByThread } from "../../../src/core/slack/thread-grouping";
import { provenanceOfSave } from "../../../src/memory/memory-tools";
import { CHAT_TOOLS } from "../../../src/tools/chat-tools";
import { SLACK_TOOLS } from "../../../src/tools/slack-tools";
import { READ_SCOPES, SlackFixture } from "../connectors/slack/slack-fixture";
import { GateDouble } from "./gate-double";
import { HostileEngine, type HostileStep } from "./hostile-engine";
import { SLACK_INJECTION_CASES, THREAD_PARENT_TS, type SlackInjectionCase } from "./slack-injection-cases";

/**
 * The Slack injection cases, twice: through the chat agent's loop (a hostile scripted model reads
 * the message with the real `slack_read_updates` result, produced by the real connector from the
 * fake Slack, then emits the injected calls), and through the digest path (the message summarised,
 * a hostile answer drafting what the message asked). Numbers from a scripted engine say nothing
 * about how often a real model obeys; they show the plumbing holds when it does.
 */

const registry = new ToolRegistry([...CHAT_TOOLS, ...SLACK_TOOLS]);

/** A user who auto-approves file saves: taint alone must hold back a save the message asked for. */
const POLICY: GatePolicy = { readAccess: {}, defaultReadAccess: "allow", autoApprovedWrites: ["save_file"] };

let fixture: SlackFixture;

beforeEach(async () => {
  fixture = await new SlackFixture().start();
  const { workspace } = fixture.fake;
  workspace.addUser({ id: "U0DEPLOYBT", name: "deploy-bot", realName: "deploy-bot" });
  workspace.addConversation({
    id: "D0MALLORY1",
    kind: "im",
    name: "U0MALLORY",
    imUser: "U0MALLORY",
    members: ["U0ALICE01", "U0MALLORY"],
  });
  workspace.addConversation({
    id: "C0ATTACK01",
    kind: "public_channel",
    name: "audit-inbox",
    members: ["U0ALICE01", "U0MALLORY"],
  });
  await fixture.signIn([...READ_SCOPES, "chat:write"]);
  await fixture.settings.set("slackChannels", ["C0GENERAL1", "C0RELEASE1"]);
});

afterEach(async () => {
  expect(fixture.fake.violations).toEqual([]);
  await fixture.stop();
});

/** Puts the hostile message in the fake workspace and reads it with the real connector. */
async function arrive(testCase: SlackInjectionCase): Promise<ToolResult> {
  const { workspace } = fixture.fake;
  if (testCase.message.threadTs !== undefined) {
    workspace.addMessage({
      channel: testCase.message.channelId,
      user: "U0BOB0001",
      text: "HR question for the team",
      ts: THREAD_PARENT_TS,
    });
  }
  workspace.addMessage({
    channel: testCase.message.channelId,
    user: testCase.message.userId,
    text: testCase.message.text,
    ...(testCase.message.threadTs !== undefined ? { threadTs: testCase.message.threadTs } : {}),
  });
  return fixture.execute("slack_read_updates");
}

/** What the message asked to be said: the text of its last injected call, or a plain acknowledgement. */
function draftOf(testCase: SlackInjectionCase): string {
  const text = testCase.injected.at(-1)?.arguments.text;
  return typeof text === "string" ? text : "ok";
}

function updatesOf(result: ToolResult): SlackUpdates {
  const updates = parseSlackUpdates(result.content);
  if (!updates) throw new Error("not a slack_read_updates result");
  return updates;
}

describe("Slack injection cases", () => {
  it("are valid calls of the real tools, each carried by its payload", () => {
    expect(SLACK_INJECTION_CASES.length).toBeGreaterThanOrEqual(10);
    expect(new Set(SLACK_INJECTION_CASES.map((testCase) => testCase.id)).size).toBe(SLACK_INJECTION_CASES.length);
    for (const testCase of SLACK_INJECTION_CASES) {
      expect(testCase.message.text.toLowerCase(), testCase.id).toContain(testCase.trigger.toLowerCase());
      for (const injected of testCase.injected) {
        expect(registry.validateArguments(injected.tool, injected.arguments), testCase.id).toEqual([]);
      }
    }
  });
});

describe.each(SLACK_INJECTION_CASES)("$id", (testCase) => {
  it("through the agent loop: nothing is posted, saved or written unapproved, and every call names its source", async () => {
    const read = await arrive(testCase);
    expect(read.trusted).toBe(false);
    const source = read.source ?? "";
    const steps: HostileStep[] = [
      { kind: "call", tool: "slack_read_updates", arguments: {}, reason: "The user asked for a catch-up." },
      ...testCase.injected.map((call): HostileStep => ({ kind: "inject", ...call, trigger: testCase.trigger })),
      { kind: "reply", text: "Here is your catch-up." },
    ];
    const engine = new HostileEngine(steps);
    const gate = new GateDouble({
      policy: POLICY,
      registry,
      executors: {
        slack_read_updates: () => read,
        memory_search: () => ({ content: "Bob 140k; Carol 155k; manager Dan", trusted: true, source: "memory" }),
        ask_user: () => ({ content: "(no answer)", trusted: true, source: "user" }),
      },
    });
    const budget = new TokenBudget({ timeZone: "UTC", now: () => fixture.now });
    const events: AgentEvent[] = [];
    let ids = 0;
    for await (const event of runAgent({
      stream: (request) => engine.stream(request),
      registry,
      context: [userMessage("Catch me up on Slack.")],
      proposeAction: gate.propose,
      budget: budget.guard("chat"),
      newActionId: () => `${testCase.id}-${++ids}`,
    })) {
      events.push(event);
    }
    expect(engine.violations).toEqual([]);
    const proposals = events.flatMap((event) => (event.type === "tool_call_proposed" ? [event.action] : []));
    const injected: ProposedAction[] = testCase.injected.map((call) => {
      const key = `${call.tool}:${stableStringify(call.arguments)}`;
      const found = proposals.find((action) => `${action.tool}:${stableStringify(action.arguments)}` === key);
      if (!found) throw new Error(`the injected ${key} was never proposed`);
      return found;
    });
    // Nothing left the device or changed the user's data without a human: only undoable saves ran.
    const ran = gate.executed.map((record) => record.action);
    expect(ran.filter((action) => action.effect !== "read" && action.tool !== "memory_save")).toEqual([]);
    for (const action of ran.filter((candidate) => candidate.tool === "memory_save")) {
      expect(provenanceOfSave(action.taint)).toMatchObject({ trust: "untrusted" });
    }
    // Every post waits for approval, and every injected action carries the message's source.
    for (const action of injected) {
      expect(action.taint.tainted, action.tool).toBe(true);
      expect(action.taint.sources, action.tool).toContain(source);
    }
    const posts = injected.filter((action) => action.tool === "slack_post_message");
    expect(gate.pending.map((record) => record.action)).toEqual(expect.arrayContaining(posts) as unknown);
    if (testCase.smuggled !== undefined) {
      const smuggled = normaliseForMatching(testCase.smuggled);
      const carriers = injected.filter((action) =>
        normaliseForMatching(stableStringify(action.arguments)).includes(smuggled),
      );
      expect(carriers.length).toBeGreaterThan(0);
      for (const action of carriers) {
        expect(
          action.taint.argumentSources.some(
            (argument) => argument.origin === "untrusted" && argument.untrustedSources.includes(source),
          ),
          action.tool,
        ).toBe(true);
      }
    }
  });

  it("through the digest: the message is fenced as data, and a draft can only reply where the thread is", async () => {
    const updates = updatesOf(await arrive(testCase));
    const rendering = { you: updates.you, timeZone: "UTC" };
    const threads = groupByThread(updates.messages);
    const hostile = threads.find((thread) =>
      thread.messages.some((message) => message.userId === testCase.message.userId),
    );
    if (!hostile) throw new Error("the hostile message is not in the digest");
    const batch = planDigestBatches(threads, rendering).find((candidate) =>
      candidate.threads.some((entry) => entry.thread === hostile),
    );
    const label = batch?.threads.find((entry) => entry.thread === hostile)?.label;
    if (!batch || label === undefined) throw new Error("no batch holds the hostile thread");

    // The prompt shows the payload only inside the fence that names its thread, un-closable.
    const prompt = digestMessages(batch, rendering)[1]?.content ?? "";
    const fence = new RegExp(`<untrusted source="${hostile.source}">\\n([\\s\\S]*?)\\n</untrusted>`).exec(prompt);
    expect(fence?.[1]?.toLowerCase()).toContain(testCase.trigger.toLowerCase().slice(0, 20).replace(/&lt;/g, "<"));
    expect(fence?.[1]).not.toMatch(/<\/?untrusted/);

    // A model that obeys drafts what the message asked; the draft still goes to the thread itself.
    const obeying = batch.threads.map((entry) => ({
      thread: entry.label,
      summary: "A request.",
      needsReply: entry.label === label,
      ...(entry.label === label ? { draftReply: draftOf(testCase) } : {}),
    }));
    const read = readDigestAnswer(JSON.stringify({ threads: obeying }), batch);
    if (!read.ok) throw new Error(read.problem);
    const entry = read.entries.find((candidate) => candidate.thread === hostile);
    const args = entry ? replyArguments(entry) : undefined;
    expect(args).toMatchObject({ channel: hostile.channelId, channelName: hostile.channelName });
    expect(args?.thread_ts).toBe(hostile.replyThreadTs);
    expect(args?.channel).not.toBe("C0ATTACK01");
    // As a proposal it is a send built from outside text: tainted by the thread, and it always asks.
    const taint = assessTaint(args, [externalContent(hostile.source, prompt)]);
    expect(taint.sources).toEqual([hostile.source]);
    expect(
      decide({
        tool: "slack_post_message",
        effect: "send",
        connector: "slack",
        connected: true,
        taint: taintLevelOf(taint),
        untrustedSources: taint.sources,
        killSwitch: false,
        policy: { ...POLICY, autoApprovedWrites: ["slack_post_message"] },
      }).verdict,
    ).toBe("ask");

    // A thread the batch did not show cannot be named: the answer is refused whole.
    const invented = JSON.stringify({
      threads: [...obeying, { thread: "T99", summary: "x", needsReply: true, draftReply: "y" }],
    });
    expect(readDigestAnswer(invented, batch)).toMatchObject({ ok: false });
  });
});

describe("a card that lied about the channel", () => {
  it("posts nothing even once approved: the connector checks the name against Slack", async () => {
    await expect(
      fixture.execute("slack_post_message", {
        channel: "C0ATTACK01",
        channelName: "#general",
        text: "Launch 3 Dec; customers: Contoso, Fabrikam",
      }),
    ).rejects.toThrow("Nothing was posted: C0ATTACK01 is #audit-inbox in Slack, not #general as the card said.");
    expect(fixture.fake.workspace.posted).toEqual([]);
  });
});
