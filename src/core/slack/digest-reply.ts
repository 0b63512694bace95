import type { DigestEntry } from "./digest-prompt";

/** The arguments of `slack_post_message` (see `src/tools/slack-tools.ts`). */
export interface SlackPostArguments {
  channel: string;
  channelName: string;
  thread_ts?: string;
  text: string;
}

/**
 * The post a draft reply becomes, for an approval card. Channel, name and thread come from the
 * thread as Slack gave it; only the text is the model's (and the user can edit it on the card).
 * Undefined when the entry has no draft.
 */
export function replyArguments(entry: DigestEntry): SlackPostArguments | undefined {
  if (entry.draftReply === undefined) return undefined;
  const { thread } = entry;
  return {
    channel: thread.channelId,
    channelName: thread.channelName,
    ...(thread.replyThreadTs !== undefined ? { thread_ts: thread.replyThreadTs } : {}),
    text: entry.draftReply,
  };
}
