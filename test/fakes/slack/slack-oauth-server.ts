import { createHash, randomBytes } from "node:crypto";
import type { FakeSlackWorkspace } from "./slack-workspace";

/**
 * The OAuth side of the fake Slack: `GET /oauth/v2/authorize` with scripted consent, and
 * `oauth.v2.access` for the PKCE code exchange and token rotation, as Slack documents them for a
 * PKCE-enabled (public) app: no client secret, `code_verifier` proves the code's owner, expiring
 * user tokens (`xoxe.xoxp-…`, 12 hours) with single-use refresh tokens (`xoxe-1-…`) when rotation
 * is on. Sources: docs.slack.dev/authentication/installing-with-oauth, …/using-pkce,
 * …/using-token-rotation, and the oauth.v2.access reference.
 */

export interface IssuedToken {
  accessToken: string;
  userId: string;
  teamId: string;
  scopes: string[];
  /** Milliseconds since the epoch; absent for a token that never expires (rotation off). */
  expiresAt?: number;
  revoked: boolean;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  userScopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
  used: boolean;
}

interface RefreshGrant {
  userId: string;
  scopes: string[];
  used: boolean;
}

export type Consent = "approve" | "deny";

/** What the authorize endpoint answers: a redirect back to the app, or a page (Slack shows an error page). */
export type AuthorizeAnswer = { kind: "redirect"; location: string } | { kind: "page"; status: number; text: string };

/** A Slack Web API body, before it is sent. */
export type SlackBody = Record<string, unknown>;

const CODE_LIFETIME_MS = 10 * 60_000;
export const ACCESS_TOKEN_LIFETIME_S = 43_200;

function b64url(bytes: Buffer): string {
  return bytes.toString("base64url");
}

export interface FakeSlackOAuthOptions {
  clientId: string;
  /** Redirect URLs registered in the app's settings; empty accepts any http(s) URL (still matched at the exchange). */
  redirectUris: string[];
  /** Expiring tokens with refresh tokens (Slack's "token rotation" setting). */
  tokenRotation: boolean;
  /** The user who signs in and consents. */
  userId: string;
  now: () => number;
  violation: (text: string) => void;
}

export class FakeSlackOAuth {
  /** What the user does on Slack's consent screen next time. */
  consent: Consent = "approve";
  /** Scopes the workspace refuses to grant (an admin's restriction), whatever is asked. */
  withheldScopes: string[] = [];
  readonly tokens = new Map<string, IssuedToken>();
  readonly #codes = new Map<string, PendingCode>();
  readonly #refresh = new Map<string, RefreshGrant>();
  readonly #options: FakeSlackOAuthOptions;
  readonly #workspace: FakeSlackWorkspace;
  #serial = 0;

  constructor(options: FakeSlackOAuthOptions, workspace: FakeSlackWorkspace) {
    this.#options = options;
    this.#workspace = workspace;
  }

  get clientId(): string {
    return this.#options.clientId;
  }

  get tokenRotation(): boolean {
    return this.#options.tokenRotation;
  }

  set tokenRotation(on: boolean) {
    this.#options.tokenRotation = on;
  }

  /** A token as if the flow had run, for tests about the API rather than sign-in. */
  issueToken(scopes: readonly string[], options: { lifetimeSeconds?: number; userId?: string } = {}): IssuedToken {
    const token = this.#mint([...scopes], options.userId ?? this.#options.userId, options.lifetimeSeconds);
    return token;
  }

  /** Makes a token expire now (as if 12 hours had passed). */
  expire(accessToken: string): void {
    const token = this.tokens.get(accessToken);
    if (token) token.expiresAt = this.#options.now() - 1;
  }

  /** The refresh tokens still usable, for assertions. */
  liveRefreshTokens(): string[] {
    return [...this.#refresh].filter(([, grant]) => !grant.used).map(([token]) => token);
  }

  /** The token behind a call, or the Slack error for it. */
  authenticate(accessToken: string | undefined): { token: IssuedToken } | { error: string } {
    if (accessToken === undefined || accessToken === "") return { error: "not_authed" };
    const token = this.tokens.get(accessToken);
    if (!token) return { error: "invalid_auth" };
    if (token.revoked) return { error: "token_revoked" };
    if (token.expiresAt !== undefined && token.expiresAt <= this.#options.now()) return { error: "token_expired" };
    return { token };
  }

  revoke(accessToken: string): void {
    const token = this.tokens.get(accessToken);
    if (token) token.revoked = true;
  }

  authorize(query: URLSearchParams): AuthorizeAnswer {
    const problem = (text: string): AuthorizeAnswer => {
      this.#options.violation(`authorize: ${text}`);
      return { kind: "page", status: 400, text };
    };
    for (const name of new Set(query.keys())) {
      if (query.getAll(name).length > 1) return problem(`"${name}" is given more than once`);
    }
    const known = [
      "client_id",
      "scope",
      "user_scope",
      "redirect_uri",
      "state",
      "team",
      "code_challenge",
      "code_challenge_method",
    ];
    for (const name of query.keys())
      if (!known.includes(name)) return problem(`"${name}" is not an authorize parameter`);
    const clientId = query.get("client_id");
    if (clientId !== this.#options.clientId) return problem("invalid_client_id");
    const redirectUri = query.get("redirect_uri");
    if (redirectUri === null) return problem("the redirect_uri is missing (Tabclaw always names it)");
    let redirect: URL;
    try {
      redirect = new URL(redirectUri);
    } catch {
      return problem("bad_redirect_uri");
    }
    const registered = this.#options.redirectUris;
    if (registered.length > 0 ? !registered.includes(redirectUri) : !/^https?:$/.test(redirect.protocol)) {
      return problem("bad_redirect_uri");
    }
    const userScopes = (query.get("user_scope") ?? "").split(",").filter((scope) => scope !== "");
    const botScopes = (query.get("scope") ?? "").split(",").filter((scope) => scope !== "");
    if (userScopes.length === 0 && botScopes.length === 0) return problem("no_scopes");
    if (botScopes.length > 0) return problem("bot scopes were asked for: Tabclaw's Slack app has no bot user");
    const state = query.get("state");
    const challenge = query.get("code_challenge") ?? undefined;
    const method = query.get("code_challenge_method") ?? undefined;
    if (challenge !== undefined) {
      if (method !== "S256") return problem(`code_challenge_method must be S256, got ${String(method)}`);
      if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return problem("code_challenge is not a base64url SHA-256 digest");
    } else if (method !== undefined) {
      return problem("code_challenge_method without code_challenge");
    }
    const back = new URL(redirectUri);
    if (this.consent === "deny") {
      back.searchParams.set("error", "access_denied");
    } else {
      const code = `${this.#workspace.team.id}.${b64url(randomBytes(18))}`;
      this.#codes.set(code, {
        clientId: this.#options.clientId,
        redirectUri,
        userScopes,
        ...(challenge !== undefined ? { codeChallenge: challenge } : {}),
        ...(method !== undefined ? { codeChallengeMethod: method } : {}),
        expiresAt: this.#options.now() + CODE_LIFETIME_MS,
        used: false,
      });
      back.searchParams.set("code", code);
    }
    if (state !== null) back.searchParams.set("state", state);
    return { kind: "redirect", location: back.toString() };
  }

  /** `oauth.v2.access`: the code exchange or a refresh, with Slack's answer. */
  access(args: ReadonlyMap<string, string>): SlackBody {
    if (args.has("client_secret")) {
      this.#options.violation("oauth.v2.access: a public client has no client_secret to send");
      return { ok: false, error: "bad_client_secret" };
    }
    if (args.get("client_id") !== this.#options.clientId) return { ok: false, error: "invalid_client_id" };
    const grant = args.get("grant_type") ?? "authorization_code";
    return grant === "refresh_token" ? this.#refreshGrant(args) : this.#codeGrant(args);
  }

  #codeGrant(args: ReadonlyMap<string, string>): SlackBody {
    const codeValue = args.get("code");
    if (codeValue === undefined) {
      this.#options.violation("oauth.v2.access: the authorization-code grant needs a code");
      return { ok: false, error: "invalid_code" };
    }
    const code = this.#codes.get(codeValue);
    if (!code || code.used || code.expiresAt <= this.#options.now()) return { ok: false, error: "invalid_code" };
    // A code is spent by any exchange attempt, as RFC 6749 asks of a server.
    code.used = true;
    if (args.get("redirect_uri") !== code.redirectUri) return { ok: false, error: "bad_redirect_uri" };
    const verifier = args.get("code_verifier");
    if (code.codeChallenge === undefined) {
      // Without a challenge, only a client secret could prove the caller; a public client has none.
      this.#options.violation(
        "oauth.v2.access: the code was issued without PKCE and no client_secret can prove the caller",
      );
      return { ok: false, error: "bad_client_secret" };
    }
    // Slack names a failed PKCE check `invalid_grant` (its openid.connect.token reference says so;
    // the oauth.v2.access page lists no separate code), as RFC 6749 does.
    if (verifier === undefined || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier))
      return { ok: false, error: "invalid_grant" };
    const computed = b64url(createHash("sha256").update(verifier, "ascii").digest());
    if (computed !== code.codeChallenge) return { ok: false, error: "invalid_grant" };
    const scopes = code.userScopes.filter((scope) => !this.withheldScopes.includes(scope));
    return this.#grantBody(this.#mint(scopes, this.#options.userId), scopes, "authed_user");
  }

  #refreshGrant(args: ReadonlyMap<string, string>): SlackBody {
    const value = args.get("refresh_token");
    if (value === undefined) {
      this.#options.violation("oauth.v2.access: grant_type=refresh_token without a refresh_token");
      return { ok: false, error: "invalid_refresh_token" };
    }
    const grant = this.#refresh.get(value);
    if (!grant || grant.used) return { ok: false, error: "invalid_refresh_token" };
    grant.used = true;
    return this.#grantBody(this.#mint(grant.scopes, grant.userId), grant.scopes, "top_level");
  }

  /**
   * Slack's success body. The code exchange puts a user token under `authed_user` (the top level
   * is for a bot token, which Tabclaw never asks for); a refresh answers at the top level.
   */
  #grantBody(token: IssuedToken, scopes: string[], shape: "authed_user" | "top_level"): SlackBody {
    const refresh = this.#options.tokenRotation ? this.#mintRefresh(token.userId, scopes) : undefined;
    const tokenFields: SlackBody = {
      scope: scopes.join(","),
      access_token: token.accessToken,
      token_type: "user",
      ...(refresh !== undefined ? { refresh_token: refresh, expires_in: ACCESS_TOKEN_LIFETIME_S } : {}),
    };
    const team = { id: this.#workspace.team.id, name: this.#workspace.team.name };
    const common: SlackBody = { ok: true, app_id: "A0TABCLAW1", team, enterprise: null, is_enterprise_install: false };
    return shape === "authed_user"
      ? { ...common, authed_user: { id: token.userId, ...tokenFields } }
      : { ...common, authed_user: { id: token.userId }, ...tokenFields };
  }

  #mint(scopes: string[], userId: string, lifetimeSeconds?: number): IssuedToken {
    this.#serial += 1;
    const secret = b64url(randomBytes(12));
    const rotating = this.#options.tokenRotation || lifetimeSeconds !== undefined;
    const accessToken = rotating ? `xoxe.xoxp-1-${this.#serial}-${secret}` : `xoxp-${this.#serial}-${secret}`;
    const lifetime = lifetimeSeconds ?? ACCESS_TOKEN_LIFETIME_S;
    const token: IssuedToken = {
      accessToken,
      userId,
      teamId: this.#workspace.team.id,
      scopes,
      ...(rotating ? { expiresAt: this.#options.now() + lifetime * 1000 } : {}),
      revoked: false,
    };
    this.tokens.set(accessToken, token);
    return token;
  }

  #mintRefresh(userId: string, scopes: string[]): string {
    const token = `xoxe-1-${b64url(randomBytes(24))}`;
    this.#refresh.set(token, { userId, scopes, used: false });
    return token;
  }
}
