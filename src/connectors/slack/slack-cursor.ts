/**
 * What the Slack connector remembers between reads, in `connectorState` under {@link SLACK_STATE_KEY}
 * (never a token): who the user is, and how far each source has been read, as Slack timestamps.
 */

export const SLACK_STATE_KEY = "slack";

export interface SlackIdentity {
  userId: string;
  userName: string;
  teamId: string;
  teamName: string;
}

/** A thread with replies, re-read for new replies for a while after it was last active. */
export interface WatchedThread {
  channel: string;
  ts: string;
  /** Newest reply seen. */
  seen: string;
  /** Milliseconds since the epoch after which it is dropped. */
  until: number;
}

export interface SlackCursor {
  identity?: SlackIdentity;
  /** Newest mention (search) read. */
  mentions?: string;
  /** Per conversation (DMs and chosen channels): newest top-level message read. */
  conversations: Record<string, string>;
  /** Threads whose new replies are fetched on each read. */
  threads: WatchedThread[];
}

export const EMPTY_CURSOR: SlackCursor = { conversations: {}, threads: [] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isIdentity(value: unknown): value is SlackIdentity {
  return (
    isRecord(value) &&
    typeof value.userId === "string" &&
    typeof value.userName === "string" &&
    typeof value.teamId === "string" &&
    typeof value.teamName === "string"
  );
}

function isWatchedThread(value: unknown): value is WatchedThread {
  return (
    isRecord(value) &&
    typeof value.channel === "string" &&
    typeof value.ts === "string" &&
    typeof value.seen === "string" &&
    typeof value.until === "number"
  );
}

export function isSlackCursor(value: unknown): value is SlackCursor {
  return (
    isRecord(value) &&
    (value.identity === undefined || isIdentity(value.identity)) &&
    (value.mentions === undefined || typeof value.mentions === "string") &&
    isRecord(value.conversations) &&
    Object.values(value.conversations).every((ts) => typeof ts === "string") &&
    Array.isArray(value.threads) &&
    value.threads.every(isWatchedThread)
  );
}
