/**
 * What the Gmail connector throws, by `name` (contract 2): the Gate records the name, routines and
 * the inbox read it. Each message says what the user can do.
 */

/** No token, an expired one, or Google answered 401: the user must connect again. Nothing was lost. */
export class ReconnectNeededError extends Error {
  constructor(detail = "Your Gmail sign-in has expired") {
    super(`${detail}. Reconnect Gmail in Settings → Accounts; Tabclaw continues where it stopped.`);
    this.name = "ReconnectNeededError";
  }
}

/** The token lacks the permission a call needs (Google's 403 insufficientPermissions, or known before asking). */
export class ScopeNeededError extends Error {
  readonly scope: string;
  constructor(scope: string, featureTitle: string | undefined) {
    super(
      featureTitle !== undefined
        ? `This needs the Gmail permission "${featureTitle}". Turn it on in Settings → Accounts, then try again.`
        : `This needs a Gmail permission Tabclaw has not been granted (${scope}). Reconnect Gmail in Settings → Accounts.`,
    );
    this.name = "ScopeNeededError";
    this.scope = scope;
  }
}

/** Still rate-limited after backing off, or a daily limit that no wait within the run would lift. */
export class GmailRateLimitError extends Error {
  constructor(retryAfterSeconds: number | undefined) {
    super(
      `Gmail is limiting Tabclaw's requests right now${
        retryAfterSeconds !== undefined ? ` (it asks to wait ${retryAfterSeconds} s)` : ""
      }. Nothing was lost; the next run tries again.`,
    );
    this.name = "GmailRateLimitError";
  }
}

/** Google kept answering 5xx (or could not be reached) after retries. */
export class GmailUnavailableError extends Error {
  constructor(status: number | undefined) {
    super(
      status === undefined
        ? "Gmail could not be reached. Check the connection; nothing was lost and the next run tries again."
        : `Gmail kept failing (HTTP ${status}) after several tries. Nothing was lost; the next run tries again.`,
    );
    this.name = "GmailUnavailableError";
  }
}

/**
 * A send or a new draft got no clear answer (5xx, or the connection dropped): Gmail may have done
 * it. Not retried, so a reply is never sent twice.
 */
export class GmailOutcomeUnknownError extends Error {
  constructor(status: number | undefined) {
    super(
      `Gmail did not confirm the request${status !== undefined ? ` (HTTP ${status})` : " (no answer)"}, and it may ` +
        "have gone through. Look in Gmail's Sent or Drafts before trying again.",
    );
    this.name = "GmailOutcomeUnknownError";
  }
}

/** Gmail refused the request itself (a 4xx other than the above): retrying would not help. */
export class GmailRequestError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  constructor(status: number, message: string, reason?: string) {
    super(`Gmail refused the request (HTTP ${status}): ${message}`);
    this.name = "GmailRequestError";
    this.status = status;
    this.reason = reason;
  }
}

/** The history id is too old for history.list (Gmail keeps about a week): the sync lists instead. */
export class GmailHistoryExpiredError extends Error {
  constructor() {
    super("Gmail no longer has the history since the last sync.");
    this.name = "GmailHistoryExpiredError";
  }
}
