/**
 * What can go wrong talking to Slack, as errors whose `name` the UI and routines act on (the same
 * names the Gmail connector uses for the same situations). Each message says what to do; none of
 * them means anything was lost: a failed read keeps the digest's place, a refused post sent nothing.
 */

/** Which Tabclaw feature each user scope serves, for messages that say what to turn on. */
export const SCOPE_FEATURES: Readonly<Record<string, string>> = {
  "search:read": "finding messages that mention you",
  "im:history": "reading your direct messages",
  "im:read": "listing your direct messages",
  "mpim:history": "reading your group direct messages",
  "mpim:read": "listing your group direct messages",
  "channels:history": "reading the public channels you chose",
  "channels:read": "showing the names of public channels",
  "groups:history": "reading the private channels you chose",
  "groups:read": "showing the names of private channels",
  "users:read": "showing people's names",
  "chat:write": "posting the replies you approve",
};

/** The sign-in is missing, expired beyond refresh, or revoked: only the user can fix it. */
export class ReconnectNeededError extends Error {
  constructor(reason: string) {
    super(`${reason} Connect Slack again in Settings → Slack; the digest keeps its place until then.`);
    this.name = "ReconnectNeededError";
  }
}

/** Slack refused because the token lacks a scope; the message names the feature and how to get it. */
export class ScopeNeededError extends Error {
  readonly scope: string;
  constructor(scope: string) {
    const feature = SCOPE_FEATURES[scope] ?? `the Slack permission ${scope}`;
    const how =
      scope === "chat:write"
        ? 'turn on "Post replies I approve" in Settings → Slack and press Connect again'
        : "press Connect again in Settings → Slack and allow it (a workspace admin may have to approve the app)";
    super(`Slack did not give Tabclaw the ${scope} permission, which ${feature} needs: ${how}.`);
    this.name = "ScopeNeededError";
    this.scope = scope;
  }
}

/** Still rate-limited after waiting as long as Slack asked (or Slack asked for too long a wait). */
export class SlackRateLimitError extends Error {
  readonly retryAfterSeconds: number;
  constructor(method: string, retryAfterSeconds: number) {
    super(
      `Slack is limiting how often Tabclaw may call ${method} and asks to wait ${retryAfterSeconds} s. ` +
        `Nothing was lost: the next run picks up from here.`,
    );
    this.name = "SlackRateLimitError";
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Slack did not answer, or answered with a server error, after retries. */
export class SlackUnavailableError extends Error {
  constructor(detail: string) {
    super(`Slack is not answering (${detail}). Check the connection; the next run tries again from the same place.`);
    this.name = "SlackUnavailableError";
  }
}

/** Any other `ok: false` answer, with Slack's own error code. */
export class SlackApiError extends Error {
  readonly code: string;
  readonly method: string;
  constructor(method: string, code: string, hint = "") {
    super(`Slack refused ${method}: ${code}.${hint === "" ? "" : ` ${hint}`}`);
    this.name = "SlackApiError";
    this.code = code;
    this.method = method;
  }
}

/** A post whose channel or thread is not what the approval card showed: nothing is sent. */
export class SlackTargetMismatchError extends Error {
  constructor(detail: string) {
    super(`Nothing was posted: ${detail} Ask for a new draft; the card must show exactly where a reply goes.`);
    this.name = "SlackTargetMismatchError";
  }
}
