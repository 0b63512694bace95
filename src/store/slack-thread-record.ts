import type { SlackConversationKind, SlackMessage } from "../core/slack/slack-message";

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
  /** The model's one-line summary; empty while the thread waits for one (see `summaryProblem`). */
  summary: string;
  needsReply: boolean;
  /** The approval card proposing the draft reply, when one was proposed. */
  draftActionId?: string;
  /** The newest message's ts the summary covers. */
  latestTs: string;
  /** The digest run that wrote it. */
  runId?: string;
  updatedAt: number;
  kind?: SlackConversationKind;
  /** Where a reply goes: the thread's ts, or none for a plain direct message. */
  replyThreadTs?: string;
  /** The provenance of the thread, `slack:<channel>/<ts>`: what a draft's card names as its source. */
  source?: string;
  /** The thread's messages as read (oldest first, the newest kept when long), for summarising again. */
  messages?: SlackMessage[];
  /** `pending`: read but not summarised yet (no model, budget spent); `summarised`: `summary` is the model's. */
  summaryState?: "pending" | "summarised";
  /** Why the thread has no summary yet, in words for the digest view. */
  summaryProblem?: string;
  /** The model that wrote the summary. */
  modelId?: string;
  /** The draft reply as proposed (the card may be edited before it goes). */
  draftReply?: string;
  /** Why a draft the model wrote did not become a card (Slack not connected, posting not turned on). */
  draftProblem?: string;
  /** A link to the newest message in Slack. */
  permalink?: string;
}
