import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { groupConversations, SlackDigestController } from "../../../src/app/slack-digest-controller";
import type { SlackStatus } from "../../../src/app/slack-controller";
import { SLACK_DIGEST_JOB_ID } from "../../../src/routines/slack-digest-routine";
import type { SlackThreadRecord } from "../../../src/store/slack-thread-record";
import { DigestEngine, SlackDigestHarness } from "../slack-digest/slack-digest-harness";
import { eventually, FakeRunsChannel } from "./board-channel";

let digest: SlackDigestHarness;
let channel: FakeRunsChannel;
let view: SlackDigestController;
let status: SlackStatus;

beforeEach(async () => {
  digest = await new SlackDigestHarness().start();
  channel = new FakeRunsChannel();
  status = "connected";
  view = new SlackDigestController({
    db: digest.slack.database.db,
    settings: digest.slack.settings,
    gate: digest.gate,
    slack: {
      get status() {
        return status;
      },
      subscribe: () => () => undefined,
    },
    channel,
  });
});

afterEach(async () => {
  view.dispose();
  await digest.stop();
});

describe("the Slack digest view's state", () => {
  it("is empty before the digest ran, and names the chosen channels and the connection", async () => {
    await view.init();
    expect(view.loaded).toBe(true);
    expect(view.groups).toEqual([]);
    expect(view.chosenChannels).toBe(1);
    expect(view.digest).toEqual({ scheduled: false, enabled: false });
    status = "not_set_up";
    expect(view.connection).toBe("not_set_up");
  });

  it("groups threads by conversation with the one needing a reply first, and follows its draft's card", async () => {
    await view.init();
    const { workspace } = digest.slack.fake;
    const parent = workspace.addMessage({ channel: "C0RELEASE1", user: "U0CAROL01", text: "Release 4.2 is ready." });
    workspace.addMessage({
      channel: "C0RELEASE1",
      user: "U0CAROL01",
      text: "<@U0ALICE01> ship it?",
      threadTs: parent.ts,
    });
    workspace.addMessage({ channel: "D0BOBALICE", user: "U0BOB0001", text: "Thanks for yesterday!" });
    digest.engine = new DigestEngine();
    digest.engine.answer = (labels, prompt) =>
      labels.map((label) =>
        prompt.includes(`${label} (channel, mentions you`)
          ? { thread: label, summary: "Carol asks to ship 4.2.", needsReply: true, draftReply: "Ship it." }
          : { thread: label, summary: "Bob says thanks.", needsReply: false },
      );
    await digest.tick();
    expect(view.groups).toEqual([]);
    channel.announce({ type: "ran", jobId: SLACK_DIGEST_JOB_ID, runId: "r1", outcome: "ran" });
    await eventually(() => view.groups.length === 2, "the digest's threads");
    // The DM came first in the digest, but the release thread needs a reply: its conversation leads.
    expect(view.groups.map((group) => [group.channelName, group.needsReply])).toEqual([
      ["#releases", 1],
      ["DM with Bob Builder", 0],
    ]);
    expect(view.needsReply).toBe(1);
    const [release] = view.groups[0]?.threads ?? [];
    expect(release?.summary).toBe("Carol asks to ship 4.2.");
    expect(view.draftStatus(release ?? {})).toEqual({
      text: "The draft reply waits for your approval.",
      waiting: true,
    });

    await digest.gate.reject(release?.draftActionId ?? "", "Not yet");
    await eventually(() => view.draftStatus(release ?? {})?.waiting === false, "the rejection");
    expect(view.draftStatus(release ?? {})?.text).toBe("You rejected the draft reply.");
  });
});

describe("conversations", () => {
  const thread = (id: string, fields: Partial<SlackThreadRecord>): SlackThreadRecord => ({
    id,
    channelId: id.split("/")[0] ?? "",
    channelName: "#general",
    threadTs: id.split("/")[1] ?? "",
    reason: "channel",
    summary: "s",
    needsReply: false,
    latestTs: id.split("/")[1] ?? "",
    updatedAt: 1,
    summaryState: "summarised",
    ...fields,
  });

  it("order newest first when nothing needs a reply, and a pending thread's old needs-reply does not count", () => {
    const groups = groupConversations([
      thread("C1/1764000000.000100", {}),
      thread("C2/1764000500.000100", { channelName: "#b" }),
      thread("C1/1764000900.000100", { needsReply: true, summaryState: "pending" }),
    ]);
    expect(groups.map((group) => [group.channelId, group.needsReply, group.threads.map((t) => t.id)])).toEqual([
      ["C1", 0, ["C1/1764000900.000100", "C1/1764000000.000100"]],
      ["C2", 0, ["C2/1764000500.000100"]],
    ]);
  });
});
