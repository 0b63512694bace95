/**
 * Slack's sign-in errors, apart from the OAuth code (and oauth4webapi) that raises them: the Slack
 * client and session recognise them without loading sign-in code with the page.
 */

const OAUTH_MESSAGES: Readonly<Record<string, string>> = {
  invalid_grant:
    "Slack did not accept the sign-in: the proof that this tab started it (the PKCE code verifier) did not match.",
  invalid_code: "Slack did not accept the sign-in code: it was already used or has expired.",
  invalid_code_verifier:
    "Slack did not accept the sign-in: the proof that this tab started it (the PKCE code verifier) did not match.",
  bad_redirect_uri:
    "Slack refused the address it should send you back to: add it to the Redirect URLs of your Slack app (OAuth & Permissions).",
  invalid_client_id: "Slack does not know this client ID: check the Slack client ID in Settings → Slack.",
  bad_client_secret:
    "Slack asked for a client secret, which a page cannot keep: turn on PKCE for your Slack app (it makes the app a public client).",
  invalid_refresh_token: "Slack no longer accepts the saved sign-in (its refresh token expired or was used).",
  ratelimited: "Slack is limiting sign-ins right now: wait a minute.",
  access_denied: "Access was not granted in Slack's window.",
};

/** Slack answered the token exchange or a refresh with `ok: false` (or not at all usefully). */
export class SlackOAuthError extends Error {
  readonly code: string;
  constructor(code: string, detail?: string) {
    const known = OAUTH_MESSAGES[code];
    super(
      `${known ?? `Slack refused the sign-in (${code}${detail === undefined ? "" : `: ${detail}`}).`} ` +
        "Nothing was connected; press Connect to try again.",
    );
    this.name = "SlackOAuthError";
    this.code = code;
  }
}
