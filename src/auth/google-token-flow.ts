import type { FetchFunction } from "../gate/audited-fetch";
import { openOAuthPopup, type OAuthPopupOptions } from "./oauth-popup";
import { newOAuthState } from "./oauth-redirect";
import type { StoredToken, TokenVault } from "./token-vault";

/**
 * Google's OAuth 2.0 for client-side web apps (the implicit token flow): a page cannot keep a
 * client secret, so it asks the authorization endpoint for an access token directly and gets it in
 * the redirect's fragment. Tokens last about an hour and there is no refresh token: when one
 * expires, the user connects again (Google skips the consent screen for scopes already granted).
 */

export const GOOGLE_AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth";
export const GOOGLE_REVOKE_URL = "https://oauth2.googleapis.com/revoke";

/** No client ID in Settings and none built in. */
export class GoogleClientIdMissingError extends Error {
  constructor() {
    super(
      "Tabclaw has no Google OAuth client ID yet. Create one (README → Gmail) and paste it in Settings → Accounts.",
    );
    this.name = "GoogleClientIdMissingError";
  }
}

/** The redirect came back without a usable token. */
export class GoogleTokenResponseError extends Error {
  constructor(detail: string) {
    super(`Google's answer could not be used (${detail}). Press Connect to try again.`);
    this.name = "GoogleTokenResponseError";
  }
}

/** The user unticked a permission on Google's consent screen. */
export class ScopeNotGrantedError extends Error {
  readonly missing: string[];
  constructor(missing: string[], feature: string) {
    super(
      `Google did not grant what "${feature}" needs (${missing.join(", ")}): the box for it was left unticked on ` +
        `Google's consent screen. Turn "${feature}" on again and tick it.`,
    );
    this.name = "ScopeNotGrantedError";
    this.missing = missing;
  }
}

export interface GoogleAuthorizeRequest {
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  state: string;
  /** The account signed in before: Google preselects it. */
  loginHint?: string;
}

/** The authorize URL for the token flow, with Google's parameter names. */
export function googleAuthorizeUrl(request: GoogleAuthorizeRequest): URL {
  const url = new URL(GOOGLE_AUTHORIZE_URL);
  url.searchParams.set("client_id", request.clientId);
  url.searchParams.set("redirect_uri", request.redirectUri);
  url.searchParams.set("response_type", "token");
  url.searchParams.set("scope", [...new Set(request.scopes)].join(" "));
  url.searchParams.set("state", request.state);
  // Incremental authorization: the new token carries every scope granted before, too.
  url.searchParams.set("include_granted_scopes", "true");
  if (request.loginHint !== undefined) url.searchParams.set("login_hint", request.loginHint);
  return url;
}

/**
 * The token in a redirect's parameters. Scopes are those Google says it granted (`scope`), which
 * may be fewer than asked for; when Google sends none, the request's scopes were granted as asked
 * (RFC 6749 §5.1).
 */
export function googleTokenFromRedirect(
  parameters: URLSearchParams,
  requestedScopes: readonly string[],
  now: number,
  account?: string,
): StoredToken {
  const accessToken = parameters.get("access_token");
  if (accessToken === null || accessToken === "") throw new GoogleTokenResponseError("no access token");
  const tokenType = parameters.get("token_type");
  if (tokenType !== null && tokenType.toLowerCase() !== "bearer") {
    throw new GoogleTokenResponseError(`token type ${tokenType}`);
  }
  const expiresIn = Number(parameters.get("expires_in"));
  if (!Number.isFinite(expiresIn) || expiresIn <= 0) throw new GoogleTokenResponseError("no lifetime");
  const scopeText = parameters.get("scope");
  const scopes = scopeText === null ? [...requestedScopes] : scopeText.split(" ").filter((scope) => scope !== "");
  return {
    accessToken,
    expiresAt: now + expiresIn * 1000,
    scopes,
    ...(account !== undefined ? { account } : {}),
  };
}

/** `failed`: Google answered with an error, or could not be reached; the token was forgotten here all the same. */
export type RevokeOutcome = "revoked" | "already_invalid" | "failed";

export interface GoogleTokenFlowOptions {
  vault: TokenVault;
  /** The app's redirect URI (`oauthRedirectUri(location.origin)`). */
  redirectUri: string;
  /** For revocation; the page passes one that writes to the audit log. */
  fetch: FetchFunction;
  now?: () => number;
  /** `openOAuthPopup` in the app; tests may pass another. */
  openPopup?: (url: URL, state: string, options: OAuthPopupOptions) => Promise<URLSearchParams>;
}

export class GoogleTokenFlow {
  readonly #options: GoogleTokenFlowOptions;

  constructor(options: GoogleTokenFlowOptions) {
    this.#options = options;
  }

  /**
   * Opens Google's consent window for `scopes` plus those granted before, and stores the token.
   * Call it straight from a click (the window opens before the first await). Rejects, storing
   * nothing new, when the window is blocked, closed, denied or times out; rejects with
   * `ScopeNotGrantedError` (keeping the token, which still works for what was granted) when the
   * user unticked a scope in `required`.
   */
  async connect(
    clientId: string | undefined,
    scopes: readonly string[],
    feature: string,
    popupOptions: OAuthPopupOptions = {},
  ): Promise<StoredToken> {
    if (clientId === undefined || clientId.trim() === "") throw new GoogleClientIdMissingError();
    const previous = this.#options.vault.get("google");
    const asked = [...new Set([...(previous?.scopes ?? []), ...scopes])];
    const state = newOAuthState();
    const url = googleAuthorizeUrl({
      clientId: clientId.trim(),
      redirectUri: this.#options.redirectUri,
      scopes: asked,
      state,
      ...(previous?.account !== undefined ? { loginHint: previous.account } : {}),
    });
    const open = this.#options.openPopup ?? openOAuthPopup;
    const parameters = await open(url, state, { service: "Google", ...popupOptions });
    const now = (this.#options.now ?? Date.now)();
    const token = googleTokenFromRedirect(parameters, asked, now, previous?.account);
    await this.#options.vault.set("google", token);
    const missing = scopes.filter((scope) => !token.scopes.includes(scope));
    if (missing.length > 0) throw new ScopeNotGrantedError(missing, feature);
    return token;
  }

  /**
   * Revokes the token at Google (which withdraws every permission Tabclaw was granted) and forgets
   * it here, whatever Google answers: a user who disconnects is signed out on this device at once.
   */
  async disconnect(): Promise<RevokeOutcome> {
    const token = this.#options.vault.get("google");
    if (!token) return "already_invalid";
    let outcome: RevokeOutcome;
    try {
      const response = await this.#options.fetch(GOOGLE_REVOKE_URL, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: token.accessToken }).toString(),
      });
      // 400 invalid_token: it had expired or was revoked already; nothing left to withdraw with it.
      outcome = response.ok ? "revoked" : response.status === 400 ? "already_invalid" : "failed";
    } catch {
      outcome = "failed";
    }
    await this.#options.vault.remove("google");
    return outcome;
  }
}
