import { beforeEach, describe, expect, it } from "vitest";
import { isSlackCursor, SLACK_STATE_KEY } from "../../../../src/connectors/slack/slack-cursor";
import { ScopeNeededError, SlackTargetMismatchError } from "../../../../src/connectors/slack/slack-errors";
import { parseSlackUpdates, type SlackUpdates } from "../../../../src/core/slack/slack-message";
import { READ_SCOPES, SlackFixture } from "./slack-fixture";
import { useSlackFixture } from "./use-slack-fixture";

let fixture: SlackFixture;

useSlackFixture((started) => {
  fixture = started;
});

async function readUpdates(): Promise<SlackUpdates> {
  const result = await fixture.execute("slack_read_updates");
  expect(result.trusted).toBe(false);
  expect(result.source).toMatch(/^slack:updates\//);
  const updates = parseSlackUpdates(result.content);
  if (!updates) throw new Error(`not a SlackUpdates: ${result.content}`);
  return updates;
}

function said(updates: SlackUpdates): string[][] {
  return updates.messages.map((message) => [
    message.channelName,
    message.userName,
    message.text,
    message.reasons.join("+"),
  ]);
}

/** Moves the clock on by a minute and adds a message then. */
function later(message: Parameters<SlackFixture["fake"]["workspace"]["addMessage"]>[0]) {
  fixture.now += 60_000;
  return fixture.fake.workspace.addMessage(message);
}

describe("slack_read_updates", () => {
  beforeEach(async () => {
    await fixture.signIn(READ_SCOPES);
    await fixture.settings.set("slackChannels", ["C0GENERAL1"]);
  });

  it("reads mentions with their thread, direct messages and the chosen channels, and nothing else", async () => {
    const { workspace } = fixture.fake;
    const parent = later({ channel: "C0RELEASE1", user: "U0BOB0001", text: "Release 4.2 today?" });
    later({ channel: "C0RELEASE1", user: "U0CAROL01", text: "<@U0ALICE01> can you sign off?", threadTs: parent.ts });
    later({ channel: "D0BOBALICE", user: "U0BOB0001", text: "Lunch at 12:30?" });
    later({ channel: "C0GENERAL1", user: "U0CAROL01", text: "Office closed Friday." });
    later({ channel: "C0RELEASE1", user: "U0BOB0001", text: "Unrelated release chatter" });
    workspace.addMessage({ channel: "C0MPIMTRIO", user: "U0CAROL01", text: "Cake in the kitchen" });
    const updates = await readUpdates();
    expect(updates.you).toEqual({ userId: "U0ALICE01", userName: "Alice Example" });
    expect(said(updates)).toEqual([
      ["#releases", "Bob Builder", "Release 4.2 today?", "context"],
      ["#releases", "Carol Chen", "<@U0ALICE01> can you sign off?", "mention+context"],
      ["DM with Bob Builder", "Bob Builder", "Lunch at 12:30?", "direct"],
      ["#general", "Carol Chen", "Office closed Friday.", "channel"],
      ["group DM with alice, bob, carol", "Carol Chen", "Cake in the kitchen", "direct"],
    ]);
    expect(updates.messages[1]?.threadTs).toBe(parent.ts);
    expect(updates.notes).toEqual([]);
  });

  it("reads only what is new the next time, and a failed read keeps its place", async () => {
    later({ channel: "D0BOBALICE", user: "U0BOB0001", text: "first" });
    expect(said(await readUpdates()).map(([, , text]) => text)).toEqual(["first"]);
    expect(said(await readUpdates())).toEqual([]);
    later({ channel: "D0BOBALICE", user: "U0BOB0001", text: "second" });
    const cursorBefore = await fixture.state.get(SLACK_STATE_KEY, isSlackCursor);
    fixture.fake.rateLimits.refuseNext("conversations.history", 3_600);
    await expect(fixture.execute("slack_read_updates")).rejects.toThrow("asks to wait 3600 s");
    expect(await fixture.state.get(SLACK_STATE_KEY, isSlackCursor)).toEqual(cursorBefore);
    expect(said(await readUpdates()).map(([, , text]) => text)).toEqual(["second"]);
  });

  it("finds new replies in a thread started before the last read", async () => {
    const parent = later({ channel: "C0GENERAL1", user: "U0BOB0001", text: "Who owns the on-call rota?" });
    later({ channel: "C0GENERAL1", user: "U0CAROL01", text: "I think Dan", threadTs: parent.ts });
    await readUpdates();
    later({ channel: "C0GENERAL1", user: "U0BOB0001", text: "Dan left, anyone else?", threadTs: parent.ts });
    const updates = await readUpdates();
    expect(said(updates)).toEqual([["#general", "Bob Builder", "Dan left, anyone else?", "channel"]]);
    expect(updates.messages[0]?.threadTs).toBe(parent.ts);
  });

  it("skips a source the token cannot read, says why, and still reads the others", async () => {
    await fixture.signIn(READ_SCOPES.filter((scope) => scope !== "search:read"));
    later({ channel: "D0BOBALICE", user: "U0BOB0001", text: "still here" });
    const updates = await readUpdates();
    expect(said(updates).map(([, , text]) => text)).toEqual(["still here"]);
    expect(updates.notes).toEqual([
      "Skipped mentions of you: Slack did not give Tabclaw the search:read permission, which finding messages that mention you needs: press Connect again in Settings → Slack and allow it (a workspace admin may have to approve the app).",
    ]);
  });

  it("fails the whole read when the sign-in is gone, and moves no cursor", async () => {
    const token = fixture.vault.get("slack");
    fixture.fake.oauth.revoke(token?.accessToken ?? "");
    await expect(fixture.execute("slack_read_updates")).rejects.toMatchObject({ name: "ReconnectNeededError" });
    expect(await fixture.state.get(SLACK_STATE_KEY, isSlackCursor)).toBeUndefined();
  });
});

describe("slack_post_message", () => {
  const POSTING = [...READ_SCOPES, "chat:write"];

  it("posts exactly the text to exactly the channel and thread on the card", async () => {
    await fixture.signIn(POSTING);
    const parent = later({ channel: "C0RELEASE1", user: "U0BOB0001", text: "Release 4.2 today?" });
    fixture.now += 5_000;
    const text = 'Yes — ship it after the "smoke" tests.\nI\'ll watch the dashboards.';
    const result = await fixture.execute("slack_post_message", {
      channel: "C0RELEASE1",
      channelName: "#releases",
      thread_ts: parent.ts,
      text,
    });
    expect(fixture.fake.workspace.posted).toEqual([
      {
        channel: "C0RELEASE1",
        text,
        threadTs: parent.ts,
        ts: expect.any(String) as unknown,
        user: "U0ALICE01",
        arguments: { channel: "C0RELEASE1", text, thread_ts: parent.ts, unfurl_links: "false", unfurl_media: "false" },
      },
    ]);
    const posted = fixture.fake.workspace.posted[0];
    expect(result).toEqual({
      content: `Posted to #releases (C0RELEASE1), in the thread ${parent.ts}: message ${posted?.ts ?? ""}.`,
      trusted: true,
      source: `slack:C0RELEASE1/${posted?.ts ?? ""}`,
    });
  });

  it("posts into a DM without a thread when the card names none", async () => {
    await fixture.signIn(POSTING);
    await fixture.execute("slack_post_message", {
      channel: "D0BOBALICE",
      channelName: "DM with Bob Builder",
      text: "On my way",
    });
    expect(fixture.fake.workspace.posted.map((post) => [post.channel, post.threadTs, post.text])).toEqual([
      ["D0BOBALICE", undefined, "On my way"],
    ]);
  });

  it("sends nothing when the channel is not the one the card named", async () => {
    await fixture.signIn(POSTING);
    const failure = await fixture
      .execute("slack_post_message", { channel: "C0RANDOM01", channelName: "#general", text: "hello" })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SlackTargetMismatchError);
    expect(fixture.fake.workspace.posted).toEqual([]);
    expect(fixture.fake.calls("chat.postMessage")).toEqual([]);
  });

  it("sends nothing when the thread is not in that channel", async () => {
    await fixture.signIn(POSTING);
    const elsewhere = fixture.fake.workspace.addMessage({ channel: "C0GENERAL1", user: "U0BOB0001", text: "hi" });
    await expect(
      fixture.execute("slack_post_message", {
        channel: "C0RELEASE1",
        channelName: "#releases",
        thread_ts: elsewhere.ts,
        text: "reply",
      }),
    ).rejects.toThrow(`Nothing was posted: there is no message ${elsewhere.ts} in #releases to reply to.`);
    expect(fixture.fake.calls("chat.postMessage")).toEqual([]);
  });

  it("asks for posting to be turned on, without calling Slack, when the token has no chat:write", async () => {
    await fixture.signIn(READ_SCOPES);
    const failure = await fixture
      .execute("slack_post_message", { channel: "C0GENERAL1", channelName: "#general", text: "hello" })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ScopeNeededError);
    expect((failure as Error).message).toBe(
      'Slack did not give Tabclaw the chat:write permission, which posting the replies you approve needs: turn on "Post replies I approve" in Settings → Slack and press Connect again.',
    );
    expect(fixture.fake.requests).toEqual([]);
  });

  it("waits a second between two posts to one channel instead of being refused", async () => {
    await fixture.signIn(POSTING);
    for (const text of ["one", "two"]) {
      await fixture.execute("slack_post_message", { channel: "C0GENERAL1", channelName: "#general", text });
    }
    expect(fixture.fake.rateLimits.refusals).toEqual([]);
    expect(fixture.fake.workspace.posted.map((post) => post.text)).toEqual(["one", "two"]);
  });
});
