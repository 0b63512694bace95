import { describe, expect, it } from "vitest";
import { conversationDisplayName } from "../../../../src/core/slack/conversation-name";
import { compareSlackTs } from "../../../../src/core/slack/slack-message";
import { mentionedUsers, slackTextToPlain } from "../../../../src/core/slack/slack-text";
import { groupByThread } from "../../../../src/core/slack/thread-grouping";
import { message } from "./slack-messages";

describe("groupByThread", () => {
  it("puts replies with their parent, oldest first, and keeps lone messages apart", () => {
    const parent = message({ at: 10, text: "Release today?" });
    const threads = groupByThread([
      message({ at: 30, text: "Yes", threadTs: parent.ts }),
      message({ at: 5, text: "Morning all" }),
      { ...parent, threadTs: parent.ts },
      message({ at: 20, text: "Which build?", threadTs: parent.ts }),
    ]);
    expect(threads.map((thread) => [thread.key, thread.messages.map((m) => m.text)])).toEqual([
      [`C0GENERAL1/${parent.ts}`, ["Release today?", "Which build?", "Yes"]],
      [`C0GENERAL1/${message({ at: 5 }).ts}`, ["Morning all"]],
    ]);
    expect(threads[0]?.latestTs).toBe(message({ at: 30 }).ts);
    expect(threads[0]?.source).toBe(`slack:C0GENERAL1/${parent.ts}`);
  });

  it("counts a message reached twice once, with both reasons", () => {
    const mention = message({ at: 1, text: "<@U0ALICE01> look", reasons: ["mention"] });
    const [thread] = groupByThread([mention, { ...mention, reasons: ["channel"] }]);
    expect(thread?.messages).toHaveLength(1);
    expect(thread?.messages[0]?.reasons).toEqual(["mention", "channel"]);
    expect(thread?.reasons).toEqual(["mention", "channel"]);
  });

  it("orders direct messages first, then mentions, then channels, newest first within each", () => {
    const threads = groupByThread([
      message({ at: 50, text: "channel news" }),
      message({ at: 10, text: "old mention", reasons: ["mention"] }),
      message({ at: 40, text: "new mention", reasons: ["mention"], channelId: "C0RELEASE1" }),
      message({ at: 5, text: "dm", channelId: "D0BOBALICE", kind: "im", reasons: ["direct"] }),
    ]);
    expect(threads.map((thread) => thread.messages[0]?.text)).toEqual([
      "dm",
      "new mention",
      "old mention",
      "channel news",
    ]);
  });

  it("replies in channels inside the thread, and in a DM straight into the conversation unless in a thread", () => {
    const lone = message({ at: 1 });
    const dm = message({ at: 2, channelId: "D0BOBALICE", kind: "im", reasons: ["direct"] });
    const dmThread = message({ at: 3, channelId: "D0BOBALICE", kind: "im", reasons: ["direct"], threadTs: dm.ts });
    const threads = groupByThread([lone, dm, dmThread, message({ at: 4, channelId: "D0CAROL001", kind: "im" })]);
    const replyTo = Object.fromEntries(threads.map((thread) => [thread.key, thread.replyThreadTs ?? "none"]));
    expect(replyTo).toEqual({
      [`C0GENERAL1/${lone.ts}`]: lone.ts,
      [`D0BOBALICE/${dm.ts}`]: dm.ts,
      [`D0CAROL001/${message({ at: 4 }).ts}`]: "none",
    });
  });
});

describe("Slack text and names", () => {
  it("turns mentions, channels, specials and links into plain text, showing where a link goes", () => {
    const names = (id: string) => ({ U0ALICE01: "you", U0BOB0001: "Bob Builder" })[id];
    expect(
      slackTextToPlain(
        "<@U0ALICE01> and <@U0BOB0001>: see <#C0RELEASE1|releases>, <!here> &lt;b&gt; &amp; <https://evil.example/x|the docs> <mailto:a@b.example|a@b.example> <@U0NOBODY>",
        names,
      ),
    ).toBe("@you and @Bob Builder: see #releases, @here <b> & the docs (https://evil.example/x) a@b.example @U0NOBODY");
    expect(mentionedUsers("<@U1AB> hi <@U2CD|carol> <@U1AB>")).toEqual(["U1AB", "U2CD"]);
  });

  it("names conversations the same way everywhere", () => {
    expect(conversationDisplayName({ kind: "public_channel", name: "general" })).toBe("#general");
    expect(conversationDisplayName({ kind: "private_channel", name: "leads" })).toBe("#leads (private)");
    expect(conversationDisplayName({ kind: "im", name: "U0BOB0001", otherPerson: "Bob Builder" })).toBe(
      "DM with Bob Builder",
    );
    expect(conversationDisplayName({ kind: "mpim", name: "mpdm-alice--bob--carol-1" })).toBe(
      "group DM with alice, bob, carol",
    );
  });

  it("compares timestamps exactly, beyond what a double holds", () => {
    expect(compareSlackTs("1764000000.000101", "1764000000.000100")).toBe(1);
    expect(compareSlackTs("999999999.9", "1000000000.0")).toBe(-1);
    expect(compareSlackTs("1764000000.5", "1764000000.500000")).toBe(0);
  });
});
