/**
 * One Slack thread as the digest summarised it (schema v6). The text came from others: shown as
 * text, never followed.
 */
export interface SlackThreadRecord {
  /** `<channel id>/<thread ts>`. */
  id: string;
  channelId: string;
  /** `#general`, `DM with Ann`, …. */
  channelName: string;
  threadTs: string;
  /** Why it is in the digest. */
  reason: "mention" | "direct" | "channel";
  summary: string;
  needsReply: boolean;
  /** The approval card proposing the draft reply, when one was proposed. */
  draftActionId?: string;
  /** The newest message's ts the summary covers. */
  latestTs: string;
  /** The digest run that wrote it. */
  runId?: string;
  updatedAt: number;
}
