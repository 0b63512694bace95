import { defineTool, type AnyToolDefinition } from "../core/agent/tool";
import { SLACK_POST_SCOPE, SLACK_READ_SCOPES } from "../core/slack/slack-scopes";

/**
 * The Slack tools (connector `slack`, run by the page's Slack connector). The Slack digest routine
 * proposes them: one read of what is new, then a post per draft reply the user approves. Where a
 * post goes comes from the thread Slack gave, and the card shows it whole: the channel's name and
 * id, the thread it replies in, and the text. The connector checks the name and thread again
 * against Slack before sending and refuses a post whose card was wrong.
 */

/** Slack conversation ids: `C…`, `G…`, `D…`, a few characters more in big workspaces. */
const CONVERSATION_ID = { type: "string", minLength: 9, maxLength: 24 } as const;
/** `#general`, `DM with …`: one line. Bounded strings cannot hold `"` under xgrammar; names have none. */
const CONVERSATION_NAME = { type: "string", minLength: 1, maxLength: 120 } as const;
/** A Slack ts, `1732451000.000100`. */
const SLACK_TS = { type: "string", minLength: 10, maxLength: 24 } as const;
/** The reply's text: unbounded in the schema (a bounded string could not hold a quote or a line break). */
const TEXT = { type: "string", minLength: 1 } as const;

/** A Slack ts as the time it stands for, in UTC, for cards (the same on every machine). */
export function slackTsAsTime(ts: string): string {
  const millis = Math.floor(Number(ts) * 1000);
  if (!Number.isFinite(millis)) return ts;
  return `${new Date(millis).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export const slackReadUpdatesTool = defineTool({
  name: "slack_read_updates",
  description: "Read new Slack mentions, direct messages and chosen channels since the last read.",
  effect: "read",
  connector: "slack",
  scope: SLACK_READ_SCOPES.join(" "),
  resultTrust: "untrusted",
  argumentsSchema: { type: "object", properties: {}, additionalProperties: false },
  preview: () => ({
    title: "Read new Slack messages",
    destination: "Slack: mentions of you, direct messages, chosen channels",
    fields: [],
  }),
});

export const slackPostMessageTool = defineTool({
  name: "slack_post_message",
  description: "Post a message as you in a Slack conversation, in a thread when thread_ts is given.",
  effect: "send",
  connector: "slack",
  scope: SLACK_POST_SCOPE,
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: {
      channel: CONVERSATION_ID,
      channelName: CONVERSATION_NAME,
      thread_ts: SLACK_TS,
      text: TEXT,
    },
    required: ["channel", "channelName", "text"],
    additionalProperties: false,
  },
  preview: (args) => {
    const where = `${args.channelName} (${args.channel})`;
    const thread =
      args.thread_ts === undefined
        ? "none: a new message in the conversation"
        : `replies in the thread of the message sent ${slackTsAsTime(args.thread_ts)} (ts ${args.thread_ts})`;
    return {
      title: args.thread_ts === undefined ? `Post in ${args.channelName}` : `Reply in a thread in ${args.channelName}`,
      destination: where,
      fields: [
        { label: "Channel", value: where },
        { label: "Thread", value: thread },
      ],
      body: args.text,
    };
  },
});

export const SLACK_TOOLS: readonly AnyToolDefinition[] = [slackReadUpdatesTool, slackPostMessageTool];
