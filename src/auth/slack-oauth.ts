import {
  authorizationCodeGrantRequest,
  calculatePKCECodeChallenge,
  customFetch,
  generateRandomCodeVerifier,
  None,
  processAuthorizationCodeResponse,
  processRefreshTokenResponse,
  refreshTokenGrantRequest,
  validateAuthResponse,
  type AuthorizationServer,
  type Client,
  type TokenEndpointResponse,
} from "oauth4webapi";
import { parseSlackScopes } from "../core/slack/slack-scopes";
import type { FetchFunction } from "../gate/audited-fetch";
import { newOAuthState } from "./oauth-redirect";
import { SlackOAuthError } from "./slack-oauth-error";
import type { StoredToken } from "./token-vault";

// Raised here, recognised by the Slack client and session, which load without this file.
export { SlackOAuthError };

/**
 * Slack sign-in as a public client: OAuth v2 with PKCE (S256), no client secret, a user token only.
 * oauth4webapi builds the requests (the code verifier and challenge, the code and refresh grants
 * with `None()` client authentication, which puts `client_id` in the form body, the state check of
 * the redirect) and validates the token fields. Slack's `oauth.v2.access` answer is not a plain
 * OAuth token response, so it is unwrapped first (`unwrapSlackTokenResponse`).
 */

/** Slack publishes no OAuth metadata document for v2, so its endpoints are written down here. */
export const SLACK_AUTHORIZATION_SERVER: AuthorizationServer = {
  issuer: "https://slack.com",
  authorization_endpoint: "https://slack.com/oauth/v2/authorize",
  token_endpoint: "https://slack.com/api/oauth.v2.access",
};

/** One sign-in attempt: what the authorize URL carried and what the exchange must prove. */
export interface SlackAuthorizationRequest {
  url: URL;
  state: string;
  codeVerifier: string;
  redirectUri: string;
  clientId: string;
}

/** A successful Connect: the token for the vault and who it belongs to. */
export interface SlackGrant {
  token: StoredToken;
  userId: string;
  teamId: string;
  teamName: string;
}

function clientOf(clientId: string): Client {
  return { client_id: clientId };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Prepares one sign-in: a fresh code verifier (kept only in memory), its S256 challenge, a state,
 * and the authorize URL asking for user scopes only (`user_scope`, never `scope`, which is for a bot).
 */
export async function prepareSlackAuthorization(options: {
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
}): Promise<SlackAuthorizationRequest> {
  const codeVerifier = generateRandomCodeVerifier();
  const state = newOAuthState();
  const url = new URL(SLACK_AUTHORIZATION_SERVER.authorization_endpoint ?? "");
  url.searchParams.set("client_id", options.clientId);
  url.searchParams.set("user_scope", options.scopes.join(","));
  url.searchParams.set("redirect_uri", options.redirectUri);
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", await calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set("code_challenge_method", "S256");
  return { url, state, codeVerifier, redirectUri: options.redirectUri, clientId: options.clientId };
}

/**
 * Slack's `oauth.v2.access` answer → a plain OAuth token response that oauth4webapi can check.
 *
 * Slack answers HTTP 200 with `{"ok": false, "error": "…"}` for a refusal (oauth4webapi would see a
 * 200 and then miss `access_token`), so `ok` is read first and a refusal becomes a
 * `SlackOAuthError` naming Slack's code. A user token from the code exchange sits under
 * `authed_user` (`access_token`, `token_type: "user"`, `scope` with commas, and with token rotation
 * `refresh_token` and `expires_in`); the top level is for a bot token, which Tabclaw never asks for.
 * A refresh answers at the top level. Whichever holds an `access_token` is passed on, alone, as the
 * standard fields; `token_type: "user"` is then accepted through oauth4webapi's
 * `recognizedTokenTypes`, and the token is only ever sent in a form body, never as a Bearer header.
 */
export async function unwrapSlackTokenResponse(
  response: Response,
): Promise<{ standard: Response; slack: Record<string, unknown> }> {
  if (response.status === 429) throw new SlackOAuthError("ratelimited");
  if (!response.ok) throw new SlackOAuthError(`http_${response.status}`, "Slack's sign-in service did not answer");
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new SlackOAuthError("not_json", "Slack's answer was not JSON");
  }
  if (!isRecord(body)) throw new SlackOAuthError("not_json", "Slack's answer was not an object");
  if (body.ok !== true) throw new SlackOAuthError(typeof body.error === "string" ? body.error : "unknown_error");
  const user = isRecord(body.authed_user) ? body.authed_user : undefined;
  const fields = user !== undefined && typeof user.access_token === "string" ? user : body;
  const standard = {
    access_token: fields.access_token,
    token_type: fields.token_type,
    scope: fields.scope,
    refresh_token: fields.refresh_token,
    expires_in: fields.expires_in,
  };
  return {
    standard: new Response(JSON.stringify(standard), { status: 200, headers: { "content-type": "application/json" } }),
    slack: body,
  };
}

const SLACK_TOKEN_TYPES = { user: () => undefined };

function storedTokenOf(
  tokens: TokenEndpointResponse,
  now: number,
  account: string | undefined,
  previous?: StoredToken,
): StoredToken {
  const scopes = parseSlackScopes(tokens.scope);
  return {
    accessToken: tokens.access_token,
    // Rotation hands out a new refresh token each time; the old one is spent. Without rotation there is none.
    ...(tokens.refresh_token !== undefined ? { refreshToken: tokens.refresh_token } : {}),
    ...(tokens.expires_in !== undefined ? { expiresAt: now + tokens.expires_in * 1000 } : {}),
    scopes: scopes.length > 0 ? scopes : [...(previous?.scopes ?? [])],
    ...(account !== undefined ? { account } : previous?.account !== undefined ? { account: previous.account } : {}),
  };
}

/**
 * The second half of Connect: checks the redirect's `state` (and any `error`) with oauth4webapi,
 * exchanges the code with the verifier (`grant_type=authorization_code`, `client_id`, `code`,
 * `code_verifier`, `redirect_uri`; no secret), and returns the user token for the vault.
 */
export async function exchangeSlackCode(options: {
  request: SlackAuthorizationRequest;
  callback: URLSearchParams;
  fetch: FetchFunction;
  now: number;
}): Promise<SlackGrant> {
  const client = clientOf(options.request.clientId);
  // The sign-in window maps these too; a refusal must read the same however it arrives.
  const refused = options.callback.get("error");
  if (refused !== null && options.callback.get("state") === options.request.state) throw new SlackOAuthError(refused);
  const callback = validateAuthResponse(SLACK_AUTHORIZATION_SERVER, client, options.callback, options.request.state);
  const response = await authorizationCodeGrantRequest(
    SLACK_AUTHORIZATION_SERVER,
    client,
    None(),
    callback,
    options.request.redirectUri,
    options.request.codeVerifier,
    { [customFetch]: options.fetch },
  );
  const { standard, slack } = await unwrapSlackTokenResponse(response);
  const tokens = await processAuthorizationCodeResponse(SLACK_AUTHORIZATION_SERVER, client, standard, {
    recognizedTokenTypes: SLACK_TOKEN_TYPES,
  });
  const user = isRecord(slack.authed_user) ? slack.authed_user : {};
  const team = isRecord(slack.team) ? slack.team : {};
  const userId = typeof user.id === "string" ? user.id : "";
  const teamId = typeof team.id === "string" ? team.id : "";
  const teamName = typeof team.name === "string" ? team.name : teamId;
  if (userId === "") throw new SlackOAuthError("no_user", "Slack's answer named no user");
  return { token: storedTokenOf(tokens, options.now, `${userId}@${teamName}`), userId, teamId, teamName };
}

/**
 * Swaps a refresh token for a new access token and a new refresh token (Slack's token rotation;
 * `grant_type=refresh_token`, `client_id`, no secret for a public client). The caller must store
 * the returned token at once: the refresh token it used is spent.
 */
export async function refreshSlackToken(options: {
  clientId: string;
  previous: StoredToken;
  fetch: FetchFunction;
  now: number;
}): Promise<StoredToken> {
  const refreshToken = options.previous.refreshToken;
  if (refreshToken === undefined) throw new SlackOAuthError("invalid_refresh_token");
  const client = clientOf(options.clientId);
  const response = await refreshTokenGrantRequest(SLACK_AUTHORIZATION_SERVER, client, None(), refreshToken, {
    [customFetch]: options.fetch,
  });
  const { standard } = await unwrapSlackTokenResponse(response);
  const tokens = await processRefreshTokenResponse(SLACK_AUTHORIZATION_SERVER, client, standard, {
    recognizedTokenTypes: SLACK_TOKEN_TYPES,
  });
  return storedTokenOf(tokens, options.now, undefined, options.previous);
}
