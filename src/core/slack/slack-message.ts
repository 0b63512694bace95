/**
 * A Slack message as the digest sees it: plain data, written by someone else (so always untrusted),
 * with where it came from. `slack_read_updates` returns a list of these (`SlackUpdates`) as its
 * result text; the digest groups them by thread.
 */

export type SlackConversationKind = "public_channel" | "private_channel" | "im" | "mpim";

/**
 * Why the digest read it: it mentions you, it is a direct message, it is in a channel you chose,
 * or it is shown as context (the rest of a thread in which you were mentioned).
 */
export type SlackReason = "mention" | "direct" | "channel" | "context";

export interface SlackMessage {
  channelId: string;
  /** `#general`, `DM with Bob Builder`, `group DM with …`: how the digest and the cards name it. */
  channelName: string;
  kind: SlackConversationKind;
  /** Slack's id of the message: `seconds.micros`. */
  ts: string;
  /** The thread's parent ts when the message is in a thread (the parent itself included). */
  threadTs?: string;
  userId: string;
  userName: string;
  /** As Slack sent it: mentions like `<@U123>` and links like `<https://…|label>` still encoded. */
  text: string;
  reasons: SlackReason[];
  permalink?: string;
}

/** What one `slack_read_updates` brought back. */
export interface SlackUpdates {
  /** Milliseconds since the epoch. */
  readAt: number;
  /** The authorising user, so mentions of them can be shown as "you". */
  you: { userId: string; userName: string };
  messages: SlackMessage[];
  /** What was left out and why (a channel the token cannot read, a cap reached): for the digest to say. */
  notes: string[];
}

const KINDS: readonly string[] = ["public_channel", "private_channel", "im", "mpim"];
const REASONS: readonly string[] = ["mention", "direct", "channel", "context"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isString = (value: unknown): value is string => typeof value === "string";

export function isSlackMessage(value: unknown): value is SlackMessage {
  if (!isRecord(value)) return false;
  return (
    isString(value.channelId) &&
    isString(value.channelName) &&
    isString(value.kind) &&
    KINDS.includes(value.kind) &&
    isString(value.ts) &&
    (value.threadTs === undefined || isString(value.threadTs)) &&
    isString(value.userId) &&
    isString(value.userName) &&
    isString(value.text) &&
    Array.isArray(value.reasons) &&
    value.reasons.every((reason) => isString(reason) && REASONS.includes(reason)) &&
    (value.permalink === undefined || isString(value.permalink))
  );
}

export function isSlackUpdates(value: unknown): value is SlackUpdates {
  if (!isRecord(value) || !isRecord(value.you)) return false;
  return (
    typeof value.readAt === "number" &&
    isString(value.you.userId) &&
    isString(value.you.userName) &&
    Array.isArray(value.messages) &&
    value.messages.every(isSlackMessage) &&
    Array.isArray(value.notes) &&
    value.notes.every(isString)
  );
}

/** The result text of `slack_read_updates`. */
export function serializeSlackUpdates(updates: SlackUpdates): string {
  return JSON.stringify(updates);
}

/** Reads a `slack_read_updates` result back; undefined when it is not one (the routine then stops). */
export function parseSlackUpdates(text: string): SlackUpdates | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isSlackUpdates(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Compares two Slack timestamps exactly (six decimals do not survive a double). */
export function compareSlackTs(a: string, b: string): number {
  const [aSeconds = "0", aFraction = ""] = a.split(".");
  const [bSeconds = "0", bFraction = ""] = b.split(".");
  const order = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return (
    order(aSeconds.padStart(12, "0"), bSeconds.padStart(12, "0")) ||
    order(aFraction.padEnd(6, "0"), bFraction.padEnd(6, "0"))
  );
}

/** A Slack ts as milliseconds since the epoch (for showing a time). */
export function slackTsToMillis(ts: string): number {
  return Math.floor(Number(ts) * 1000);
}

/** The provenance source of a message or thread: `slack:<channel>/<ts>`. */
export function slackSource(channelId: string, ts: string): string {
  return `slack:${channelId}/${ts}`;
}
