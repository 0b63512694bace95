/**
 * The user-token scopes Tabclaw asks Slack for, each for one thing the digest does. No bot scopes:
 * Tabclaw acts as the user who connects it, and sees only what that user already sees.
 */

/** Reading: asked for at every Connect. */
export const SLACK_READ_SCOPES = [
  /** Mentions of you anywhere, in one call (`search.messages`), instead of reading every channel. */
  "search:read",
  /** Direct and group direct messages: `conversations.list` finds them, `conversations.history` reads them. */
  "im:read",
  "im:history",
  "mpim:read",
  "mpim:history",
  /** The channels you chose for the digest (public, then private) and the threads in them. */
  "channels:history",
  "groups:history",
  /** Channel names for the digest, the channel picker and the post check (`conversations.info`/`list`). */
  "channels:read",
  "groups:read",
  /** Names of the people who wrote (`users.info`). */
  "users:read",
] as const;

/** Posting replies the user approved; asked for only when posting is turned on. */
export const SLACK_POST_SCOPE = "chat:write";

/** The scopes for a Connect, with posting on or off. */
export function slackScopesFor(posting: boolean): string[] {
  return posting ? [...SLACK_READ_SCOPES, SLACK_POST_SCOPE] : [...SLACK_READ_SCOPES];
}

/** Slack lists granted scopes with commas (`a,b`); OAuth's convention is spaces. Both are read. */
export function parseSlackScopes(text: string | undefined): string[] {
  if (text === undefined) return [];
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((scope) => scope.trim())
        .filter((scope) => scope !== ""),
    ),
  ];
}
