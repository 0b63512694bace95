import type { SlackMessage } from "../../../../src/core/slack/slack-message";

/** A message as `slack_read_updates` returns it; `ts` counts seconds from a fixed morning. */
export function message(overrides: Partial<SlackMessage> & { at: number }): SlackMessage {
  const { at, ...rest } = overrides;
  return {
    channelId: "C0GENERAL1",
    channelName: "#general",
    kind: "public_channel",
    ts: `${1_764_000_000 + at}.000100`,
    userId: "U0BOB0001",
    userName: "Bob Builder",
    text: `message at ${at}`,
    reasons: ["channel"],
    ...rest,
  };
}

export const YOU = { userId: "U0ALICE01", userName: "Alice Example" };
