import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  exchangeSlackCode,
  prepareSlackAuthorization,
  refreshSlackToken,
  SlackOAuthError,
  unwrapSlackTokenResponse,
} from "../../../src/auth/slack-oauth";
import { isStoredToken } from "../../../src/auth/token-vault";
import { slackScopesFor } from "../../../src/core/slack/slack-scopes";
import { followAuthorize, READ_SCOPES, REDIRECT_URI, SlackFixture, START } from "../connectors/slack/slack-fixture";
import { useSlackFixture } from "../connectors/slack/use-slack-fixture";

let fixture: SlackFixture;

useSlackFixture((started) => {
  fixture = started;
});

describe("Connect: OAuth v2 with PKCE as a public client", () => {
  it("asks for user scopes only, with an S256 challenge of a fresh verifier", async () => {
    const request = await prepareSlackAuthorization({
      clientId: fixture.fake.clientId,
      redirectUri: REDIRECT_URI,
      scopes: slackScopesFor(false),
    });
    const query = request.url.searchParams;
    expect(request.url.origin + request.url.pathname).toBe("https://slack.com/oauth/v2/authorize");
    expect(query.get("user_scope")).toBe(READ_SCOPES.join(","));
    expect(query.has("scope")).toBe(false);
    expect(query.get("code_challenge_method")).toBe("S256");
    expect(query.get("code_challenge")).toBe(createHash("sha256").update(request.codeVerifier).digest("base64url"));
    expect(query.get("state")).toBe(request.state);
    const again = await prepareSlackAuthorization({ clientId: "x", redirectUri: REDIRECT_URI, scopes: ["users:read"] });
    expect(again.codeVerifier).not.toBe(request.codeVerifier);
    expect(again.state).not.toBe(request.state);
  });

  it("exchanges the code with the verifier and no secret, and keeps the user token from authed_user", async () => {
    const grant = await fixture.connect(slackScopesFor(true));
    expect(grant).toMatchObject({ userId: "U0ALICE01", teamId: "T0ACME001", teamName: "Acme" });
    expect(grant.token.accessToken).toMatch(/^xoxe\.xoxp-/);
    expect(grant.token.refreshToken).toMatch(/^xoxe-1-/);
    expect(grant.token.expiresAt).toBe(START + 43_200_000);
    expect(grant.token.scopes).toEqual(slackScopesFor(true));
    expect(isStoredToken(grant.token)).toBe(true);
    const [exchange] = fixture.fake.calls("oauth.v2.access");
    expect(Object.keys(exchange?.args ?? {}).sort()).toEqual([
      "client_id",
      "code",
      "code_verifier",
      "grant_type",
      "redirect_uri",
    ]);
    expect(exchange?.args.grant_type).toBe("authorization_code");
    expect(exchange?.args.redirect_uri).toBe(REDIRECT_URI);
    expect(exchange?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    // The token works where Slack checks it.
    expect((await fixture.client().call("auth.test")).user_id).toBe("U0ALICE01");
  });

  it("fails with a clear error when the verifier does not match, and connects nothing", async () => {
    const request = await prepareSlackAuthorization({
      clientId: fixture.fake.clientId,
      redirectUri: REDIRECT_URI,
      scopes: ["users:read"],
    });
    const callback = await followAuthorize(fixture.fake, request.url);
    const forged = { ...request, codeVerifier: "a".repeat(43) };
    const failure = await exchangeSlackCode({
      request: forged,
      callback,
      fetch: fixture.fetch,
      now: fixture.now,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SlackOAuthError);
    expect((failure as SlackOAuthError).code).toBe("invalid_grant");
    expect((failure as Error).message).toBe(
      "Slack did not accept the sign-in: the proof that this tab started it (the PKCE code verifier) did not match. " +
        "Nothing was connected; press Connect to try again.",
    );
    expect(fixture.vault.get("slack")).toBeUndefined();
  });

  it("refuses a redirect whose state is not the one it sent, before any exchange", async () => {
    const request = await prepareSlackAuthorization({
      clientId: fixture.fake.clientId,
      redirectUri: REDIRECT_URI,
      scopes: ["users:read"],
    });
    const callback = await followAuthorize(fixture.fake, request.url);
    callback.set("state", "someone-elses-state");
    await expect(exchangeSlackCode({ request, callback, fetch: fixture.fetch, now: fixture.now })).rejects.toThrow(
      /state/,
    );
    expect(fixture.fake.calls("oauth.v2.access")).toEqual([]);
  });

  it("keeps a non-expiring token when the app has token rotation off", async () => {
    fixture.fake.oauth.tokenRotation = false;
    const grant = await fixture.connect(["users:read"]);
    expect(grant.token.accessToken).toMatch(/^xoxp-/);
    expect(grant.token.refreshToken).toBeUndefined();
    expect(grant.token.expiresAt).toBeUndefined();
  });
});

describe("token rotation", () => {
  it("swaps the refresh token for a new pair and spends the old one", async () => {
    const grant = await fixture.connect(["users:read"]);
    fixture.now += 42_000_000;
    const fresh = await refreshSlackToken({
      clientId: fixture.fake.clientId,
      previous: grant.token,
      fetch: fixture.fetch,
      now: fixture.now,
    });
    expect(fresh.accessToken).not.toBe(grant.token.accessToken);
    expect(fresh.refreshToken).not.toBe(grant.token.refreshToken);
    expect(fresh.expiresAt).toBe(fixture.now + 43_200_000);
    expect(fresh.scopes).toEqual(["users:read"]);
    expect(fresh.account).toBe(grant.token.account);
    expect(fixture.fake.oauth.liveRefreshTokens()).toEqual([fresh.refreshToken]);
    const [, refresh] = fixture.fake.calls("oauth.v2.access");
    expect(Object.keys(refresh?.args ?? {}).sort()).toEqual(["client_id", "grant_type", "refresh_token"]);
    const spent = await refreshSlackToken({
      clientId: fixture.fake.clientId,
      previous: grant.token,
      fetch: fixture.fetch,
      now: fixture.now,
    }).catch((error: unknown) => error);
    expect((spent as SlackOAuthError).code).toBe("invalid_refresh_token");
  });
});

describe("Slack's token answer", () => {
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

  it("takes the user token from authed_user, not the bot token at the top level", async () => {
    const { standard } = await unwrapSlackTokenResponse(
      json({
        ok: true,
        access_token: "xoxb-bot",
        token_type: "bot",
        authed_user: { id: "U1", access_token: "xoxp-user", token_type: "user", scope: "a,b" },
      }),
    );
    expect(await standard.json()).toEqual({ access_token: "xoxp-user", token_type: "user", scope: "a,b" });
  });

  it("takes a refresh answer from the top level", async () => {
    const { standard } = await unwrapSlackTokenResponse(
      json({
        ok: true,
        access_token: "xoxe.xoxp-2",
        token_type: "user",
        refresh_token: "xoxe-1-r",
        expires_in: 43_200,
      }),
    );
    expect(await standard.json()).toMatchObject({ access_token: "xoxe.xoxp-2", refresh_token: "xoxe-1-r" });
  });

  it("turns ok:false (sent with HTTP 200) and a 429 into errors that say what happened", async () => {
    await expect(unwrapSlackTokenResponse(json({ ok: false, error: "bad_redirect_uri" }))).rejects.toThrow(
      "Slack refused the address it should send you back to: add it to the Redirect URLs of your Slack app",
    );
    await expect(unwrapSlackTokenResponse(json({ ok: false, error: "ratelimited" }, 429))).rejects.toThrow(
      "Slack is limiting sign-ins right now",
    );
  });
});
