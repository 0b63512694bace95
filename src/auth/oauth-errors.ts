/**
 * Why a sign-in window did not bring back a grant. Each message says what happened and what to do;
 * nothing was connected in any of these cases.
 */

export class OAuthPopupBlockedError extends Error {
  constructor(service: string) {
    super(
      `The browser blocked the ${service} sign-in window. Allow pop-ups for this site (the blocked-pop-up icon at the ` +
        `right of the address bar, or the site settings), then press Connect again.`,
    );
    this.name = "OAuthPopupBlockedError";
  }
}

export class OAuthPopupClosedError extends Error {
  constructor(service: string) {
    super(
      `The ${service} sign-in window was closed before it finished. Nothing was connected; press Connect to try again.`,
    );
    this.name = "OAuthPopupClosedError";
  }
}

export class OAuthDeniedError extends Error {
  constructor(service: string) {
    super(`Access was not granted in the ${service} window. Nothing was connected; press Connect to try again.`);
    this.name = "OAuthDeniedError";
  }
}

/** Any other `error` the provider sent back (a misconfigured client, say). */
export class OAuthProviderError extends Error {
  readonly code: string;
  constructor(service: string, code: string, description: string | undefined) {
    super(
      `${service} refused the sign-in (${code}${description ? `: ${description}` : ""}). ` +
        `Check the client ID and the authorised redirect URI in Settings → Accounts, then try again.`,
    );
    this.name = "OAuthProviderError";
    this.code = code;
  }
}

export class OAuthStateMismatchError extends Error {
  constructor(service: string) {
    super(
      `The ${service} sign-in came back for a request Tabclaw did not make (its state did not match), so it was ignored. ` +
        `Press Connect to start again.`,
    );
    this.name = "OAuthStateMismatchError";
  }
}

export class OAuthTimeoutError extends Error {
  constructor(service: string, minutes: number) {
    super(`The ${service} sign-in did not finish within ${minutes} minutes. Press Connect to try again.`);
    this.name = "OAuthTimeoutError";
  }
}

/** The user pressed Cancel in Tabclaw while the window was open. */
export class OAuthCancelledError extends Error {
  constructor(service: string) {
    super(`The ${service} sign-in was cancelled. Nothing was connected.`);
    this.name = "OAuthCancelledError";
  }
}
