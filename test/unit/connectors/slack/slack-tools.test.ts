import { describe, expect, it } from "vitest";
import { ToolRegistry } from "../../../../src/core/agent/tool-registry";
import { slackPostMessageTool, slackReadUpdatesTool, SLACK_TOOLS } from "../../../../src/tools/slack-tools";

const registry = new ToolRegistry(SLACK_TOOLS);

describe("the Slack tools", () => {
  it("declare a read of outside text and a send that always asks", () => {
    expect([slackReadUpdatesTool.effect, slackReadUpdatesTool.resultTrust, slackReadUpdatesTool.connector]).toEqual([
      "read",
      "untrusted",
      "slack",
    ]);
    expect([slackPostMessageTool.effect, slackPostMessageTool.scope, slackPostMessageTool.connector]).toEqual([
      "send",
      "chat:write",
      "slack",
    ]);
  });

  it("show on the card the channel's name and id, the thread it replies in, and the whole text", () => {
    const preview = slackPostMessageTool.preview({
      channel: "C0RELEASE1",
      channelName: "#releases",
      thread_ts: "1732451000.000100",
      text: "Ship it.\nI'll watch.",
    });
    expect(preview).toEqual({
      title: "Reply in a thread in #releases",
      destination: "#releases (C0RELEASE1)",
      fields: [
        { label: "Channel", value: "#releases (C0RELEASE1)" },
        {
          label: "Thread",
          value: "replies in the thread of the message sent 2024-11-24 12:23 UTC (ts 1732451000.000100)",
        },
      ],
      body: "Ship it.\nI'll watch.",
    });
    const direct = slackPostMessageTool.preview({ channel: "D0BOBALICE", channelName: "DM with Bob", text: "ok" });
    expect(direct.fields[1]).toEqual({ label: "Thread", value: "none: a new message in the conversation" });
  });

  it("refuse a post without a channel, or with arguments they do not declare", () => {
    expect(registry.validateArguments("slack_post_message", { channelName: "#general", text: "hi" })).toEqual([
      { path: "arguments.channel", message: "is required" },
    ]);
    expect(
      registry.validateArguments("slack_post_message", {
        channel: "C0GENERAL1",
        channelName: "#general",
        text: "hi",
        reply_broadcast: true,
      }),
    ).toEqual([{ path: "arguments.reply_broadcast", message: "is not an allowed argument" }]);
  });
});
