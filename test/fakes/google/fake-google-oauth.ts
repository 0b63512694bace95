import { randomBytes } from "node:crypto";
import {
  htmlResponse,
  jsonResponse,
  redirectResponse,
  requestUrl,
  type FakeRequest,
  type FakeResponse,
} from "./google-exchange";

/**
 * Google's OAuth 2.0 server for client-side web apps (the implicit token flow), as documented in
 * "OAuth 2.0 for Client-side Web Applications": the authorization endpoint
 * `https://accounts.google.com/o/oauth2/v2/auth`, revocation at `https://oauth2.googleapis.com/revoke`
 * and token information at `https://oauth2.googleapis.com/tokeninfo`. Consent is scripted: each
 * authorization takes the next scripted answer (grant all by default).
 */

export const AUTH_PATH = "/o/oauth2/v2/auth";
export const REVOKE_PATH = "/revoke";
export const TOKENINFO_PATH = "/tokeninfo";

/** Seconds a new access token lives, as Google issues them. */
export const TOKEN_LIFETIME_SECONDS = 3599;

/** Sign-in scopes Google knows besides each API's own. */
const SIGN_IN_SCOPES = [
  "openid",
  "email",
  "profile",
  "https://www.googleapis.com/auth/userinfo.email",
  "https://www.googleapis.com/auth/userinfo.profile",
];

/** Parameters the authorization endpoint accepts for the token flow. */
const AUTH_PARAMETERS = new Set([
  "client_id",
  "redirect_uri",
  "response_type",
  "scope",
  "state",
  "include_granted_scopes",
  "enable_granular_consent",
  "login_hint",
  "prompt",
  "hd",
  "nonce",
]);

const PROMPT_VALUES = new Set(["none", "consent", "select_account"]);

export interface RegisteredClient {
  clientId: string;
  /** Authorised redirect URIs; `redirect_uri` must equal one exactly. */
  redirectUris: string[];
  /** Authorised JavaScript origins; the redirect URI's origin must be one of them. */
  javascriptOrigins: string[];
}

/** What the (scripted) user answers on the consent screen. */
export type ConsentAnswer =
  | { kind: "grant-all" }
  /** Grants only these of the requested scopes (granular consent: the user unticks the rest). */
  | { kind: "grant"; scopes: string[] }
  | { kind: "deny" };

export interface IssuedToken {
  accessToken: string;
  clientId: string;
  account: string;
  scopes: string[];
  /** Epoch ms. */
  expiresAt: number;
  revoked: boolean;
}

/** One authorization request as the fake saw it, for tests to assert on. */
export interface AuthorizationRecord {
  parameters: Record<string, string>;
  /** The error page or redirect error, if the request failed. */
  error?: string;
  /** Scopes granted (before merging earlier grants), when a token was issued. */
  granted?: string[];
}

export interface FakeGoogleOAuthOptions {
  clients?: RegisteredClient[];
  /** Accounts that can sign in; the first is signed in unless `login_hint` names another. */
  accounts?: string[];
  /** Scopes besides the sign-in ones that the server knows (the fake Gmail adds the discovery document's). */
  knownScopes?: Iterable<string>;
  now?: () => number;
}

function html(title: string, detail: string): string {
  const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1><p>${escape(detail)}</p></body></html>`;
}

export class FakeGoogleOAuth {
  readonly #clients = new Map<string, RegisteredClient>();
  readonly #accounts: string[];
  readonly #knownScopes: Set<string>;
  readonly #tokens = new Map<string, IssuedToken>();
  /** Scopes the user has granted, per client and account, until revoked. */
  readonly #grants = new Map<string, Set<string>>();
  readonly #consentScript: ConsentAnswer[] = [];
  readonly authorizations: AuthorizationRecord[] = [];
  readonly revocations: string[] = [];
  readonly now: () => number;

  constructor(options: FakeGoogleOAuthOptions = {}) {
    for (const client of options.clients ?? []) this.registerClient(client);
    this.#accounts = options.accounts ?? ["user@example.com"];
    this.#knownScopes = new Set([...SIGN_IN_SCOPES, ...(options.knownScopes ?? [])]);
    this.now = options.now ?? Date.now;
  }

  registerClient(client: RegisteredClient): void {
    this.#clients.set(client.clientId, client);
  }

  /** Adds an authorised redirect URI (and its origin as a JavaScript origin) to a registered client. */
  authoriseRedirectUri(clientId: string, redirectUri: string): void {
    const client = this.#clients.get(clientId);
    if (!client) throw new Error(`No client ${clientId} is registered`);
    if (!client.redirectUris.includes(redirectUri)) client.redirectUris.push(redirectUri);
    const origin = new URL(redirectUri).origin;
    if (!client.javascriptOrigins.includes(origin)) client.javascriptOrigins.push(origin);
  }

  addKnownScopes(scopes: Iterable<string>): void {
    for (const scope of scopes) this.#knownScopes.add(scope);
  }

  /** Queues the answers the user gives on the next consent screens, in order. */
  scriptConsent(...answers: ConsentAnswer[]): void {
    this.#consentScript.push(...answers);
  }

  /** Issues a token directly, as if the user had consented earlier; for Node tests that skip the popup. */
  issueToken(
    scopes: string[],
    options: { clientId?: string; account?: string; lifetimeSeconds?: number } = {},
  ): IssuedToken {
    const clientId = options.clientId ?? this.#clients.keys().next().value ?? "test-client.apps.googleusercontent.com";
    const account = options.account ?? this.#accounts[0] ?? "user@example.com";
    const grant = this.#grant(clientId, account);
    for (const scope of scopes) grant.add(scope);
    return this.#mint(clientId, account, scopes, options.lifetimeSeconds ?? TOKEN_LIFETIME_SECONDS);
  }

  /** Makes a token expire now (Gmail then answers 401), as an hour passing would. */
  expireToken(accessToken: string): void {
    const token = this.#tokens.get(accessToken);
    if (!token) throw new Error(`No token ${accessToken} was issued`);
    token.expiresAt = this.now() - 1;
  }

  /** The live token's record, or undefined when it is unknown, expired or revoked. */
  activeToken(accessToken: string | undefined): IssuedToken | undefined {
    if (accessToken === undefined) return undefined;
    const token = this.#tokens.get(accessToken);
    if (!token || token.revoked || token.expiresAt <= this.now()) return undefined;
    return token;
  }

  tokens(): IssuedToken[] {
    return [...this.#tokens.values()].map((token) => ({ ...token, scopes: [...token.scopes] }));
  }

  /** Scopes the account has granted the client so far (what include_granted_scopes adds). */
  grantedScopes(clientId: string, account: string): string[] {
    return [...(this.#grants.get(`${clientId} ${account}`) ?? [])];
  }

  handle(request: FakeRequest): FakeResponse | undefined {
    const url = requestUrl(request);
    if (request.host === "accounts.google.com" && url.pathname === AUTH_PATH && request.method === "GET") {
      return this.#authorize(url);
    }
    if (request.host === "oauth2.googleapis.com" || request.host === "www.googleapis.com") {
      if (url.pathname === REVOKE_PATH || url.pathname === "/o/oauth2/revoke") return this.#revoke(request, url);
      if (url.pathname === TOKENINFO_PATH || url.pathname === "/oauth2/v3/tokeninfo")
        return this.#tokenInfo(request, url);
    }
    return undefined;
  }

  #grant(clientId: string, account: string): Set<string> {
    const key = `${clientId} ${account}`;
    let grant = this.#grants.get(key);
    if (!grant) {
      grant = new Set();
      this.#grants.set(key, grant);
    }
    return grant;
  }

  #mint(clientId: string, account: string, scopes: string[], lifetimeSeconds: number): IssuedToken {
    const token: IssuedToken = {
      accessToken: `ya29.fake-${randomBytes(18).toString("base64url")}`,
      clientId,
      account,
      scopes: [...new Set(scopes)],
      expiresAt: this.now() + lifetimeSeconds * 1000,
      revoked: false,
    };
    this.#tokens.set(token.accessToken, token);
    return token;
  }

  #authorize(url: URL): FakeResponse {
    const parameters = Object.fromEntries(url.searchParams);
    const record: AuthorizationRecord = { parameters };
    this.authorizations.push(record);
    const errorPage = (status: number, error: string, detail: string): FakeResponse => {
      record.error = error;
      return htmlResponse(status, html(`Error ${status}: ${error}`, detail));
    };

    const duplicated = [...new Set(url.searchParams.keys())].filter((name) => url.searchParams.getAll(name).length > 1);
    if (duplicated.length > 0)
      return errorPage(400, "invalid_request", `Parameter given twice: ${duplicated.join(", ")}`);
    const unknown = Object.keys(parameters).filter((name) => !AUTH_PARAMETERS.has(name));
    if (unknown.length > 0) {
      return errorPage(400, "invalid_request", `Parameter not allowed for this message type: ${unknown.join(", ")}`);
    }

    const clientId = parameters.client_id;
    if (clientId === undefined) return errorPage(400, "invalid_request", "Missing required parameter: client_id");
    const client = this.#clients.get(clientId);
    if (!client) return errorPage(401, "invalid_client", `The OAuth client was not found: ${clientId}`);

    const redirectUri = parameters.redirect_uri;
    if (redirectUri === undefined) return errorPage(400, "invalid_request", "Missing required parameter: redirect_uri");
    if (!client.redirectUris.includes(redirectUri)) {
      return errorPage(
        400,
        "redirect_uri_mismatch",
        `redirect_uri ${redirectUri} is not an authorised redirect URI of ${clientId} (authorised: ${client.redirectUris.join(", ")})`,
      );
    }
    let redirect: URL;
    try {
      redirect = new URL(redirectUri);
    } catch {
      return errorPage(400, "invalid_request", `redirect_uri is not a URL: ${redirectUri}`);
    }
    if (!client.javascriptOrigins.includes(redirect.origin)) {
      return errorPage(
        400,
        "origin_mismatch",
        `${redirect.origin} is not an authorised JavaScript origin of ${clientId} (authorised: ${client.javascriptOrigins.join(", ")})`,
      );
    }

    const responseType = parameters.response_type;
    if (responseType === undefined)
      return errorPage(400, "invalid_request", "Missing required parameter: response_type");
    if (responseType !== "token") {
      return errorPage(
        400,
        "unsupported_response_type",
        `This fake implements the token flow for client-side web apps only; response_type must be "token", got "${responseType}"`,
      );
    }

    const scopeText = parameters.scope;
    if (scopeText === undefined || scopeText.trim() === "") {
      return errorPage(400, "invalid_request", "Missing required parameter: scope");
    }
    const requested = scopeText.split(" ").filter((scope) => scope !== "");
    if (scopeText.includes(",") || scopeText.includes("+")) {
      return errorPage(400, "invalid_scope", `Scopes are separated by single spaces: ${JSON.stringify(scopeText)}`);
    }
    const unknownScopes = requested.filter((scope) => !this.#knownScopes.has(scope));
    if (unknownScopes.length > 0) {
      return errorPage(400, "invalid_scope", `Some requested scopes were invalid: ${unknownScopes.join(", ")}`);
    }

    const includeGranted = parameters.include_granted_scopes;
    if (includeGranted !== undefined && includeGranted !== "true" && includeGranted !== "false") {
      return errorPage(400, "invalid_request", `include_granted_scopes must be true or false, got ${includeGranted}`);
    }
    const prompts = (parameters.prompt ?? "").split(" ").filter((value) => value !== "");
    const badPrompt = prompts.filter((value) => !PROMPT_VALUES.has(value));
    if (badPrompt.length > 0 || (prompts.includes("none") && prompts.length > 1)) {
      return errorPage(400, "invalid_request", `Invalid prompt: ${parameters.prompt ?? ""}`);
    }

    const account =
      parameters.login_hint !== undefined && this.#accounts.includes(parameters.login_hint)
        ? parameters.login_hint
        : (this.#accounts[0] ?? "user@example.com");
    const state = parameters.state;
    const fragment = new URLSearchParams();
    const finish = (): FakeResponse => {
      if (state !== undefined) fragment.set("state", state);
      redirect.hash = fragment.toString();
      return redirectResponse(redirect.toString());
    };

    const grant = this.#grant(clientId, account);
    let granted: string[];
    if (prompts.includes("none")) {
      // No screen may be shown: only scopes granted before can be issued.
      if (!requested.every((scope) => grant.has(scope))) {
        record.error = "consent_required";
        fragment.set("error", "consent_required");
        return finish();
      }
      granted = requested;
    } else {
      const answer = this.#consentScript.shift() ?? { kind: "grant-all" };
      if (answer.kind === "deny") {
        record.error = "access_denied";
        fragment.set("error", "access_denied");
        return finish();
      }
      granted = answer.kind === "grant-all" ? requested : requested.filter((scope) => answer.scopes.includes(scope));
      if (granted.length === 0) {
        record.error = "access_denied";
        fragment.set("error", "access_denied");
        return finish();
      }
    }
    for (const scope of granted) grant.add(scope);
    record.granted = granted;
    const tokenScopes = includeGranted === "true" ? [...grant] : granted;
    const token = this.#mint(clientId, account, tokenScopes, TOKEN_LIFETIME_SECONDS);
    fragment.set("access_token", token.accessToken);
    fragment.set("token_type", "Bearer");
    fragment.set("expires_in", String(TOKEN_LIFETIME_SECONDS));
    fragment.set("scope", token.scopes.join(" "));
    fragment.set("authuser", "0");
    fragment.set("prompt", prompts.includes("none") ? "none" : "consent");
    return finish();
  }

  #revoke(request: FakeRequest, url: URL): FakeResponse {
    if (request.method !== "POST") {
      return jsonResponse(405, { error: "invalid_request", error_description: "Revocation is a POST" });
    }
    const contentType = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    const form =
      contentType === "application/x-www-form-urlencoded"
        ? new URLSearchParams(request.body.toString("utf8"))
        : undefined;
    const tokenValue = form?.get("token") ?? url.searchParams.get("token") ?? undefined;
    if (tokenValue === undefined) {
      return jsonResponse(400, { error: "invalid_request", error_description: "Missing required parameter: token" });
    }
    const token = this.#tokens.get(tokenValue);
    if (!token || token.revoked || token.expiresAt <= this.now()) {
      return jsonResponse(400, { error: "invalid_token", error_description: "Token expired or revoked" });
    }
    // Revoking one token withdraws the whole grant: every token of the client for the account.
    for (const other of this.#tokens.values()) {
      if (other.clientId === token.clientId && other.account === token.account) other.revoked = true;
    }
    this.#grants.delete(`${token.clientId} ${token.account}`);
    this.revocations.push(tokenValue);
    return jsonResponse(200, {});
  }

  #tokenInfo(request: FakeRequest, url: URL): FakeResponse {
    const fromForm =
      request.method === "POST" ? new URLSearchParams(request.body.toString("utf8")).get("access_token") : null;
    const accessToken = url.searchParams.get("access_token") ?? fromForm ?? undefined;
    const token = this.activeToken(accessToken);
    if (!token) return jsonResponse(400, { error: "invalid_token", error_description: "Invalid Value" });
    const expiresIn = Math.max(0, Math.floor((token.expiresAt - this.now()) / 1000));
    return jsonResponse(200, {
      azp: token.clientId,
      aud: token.clientId,
      sub: String(100000000000000 + (this.#accounts.indexOf(token.account) + 1)),
      scope: token.scopes.join(" "),
      exp: String(Math.floor(token.expiresAt / 1000)),
      expires_in: String(expiresIn),
      email: token.account,
      email_verified: "true",
      access_type: "online",
    });
  }
}
