import { describe, expect, it } from "vitest";
import {
  ReconnectNeededError,
  ScopeNeededError,
  SlackRateLimitError,
} from "../../../../src/connectors/slack/slack-errors";
import { READ_SCOPES, SlackFixture } from "./slack-fixture";
import { useSlackFixture } from "./use-slack-fixture";

let fixture: SlackFixture;

useSlackFixture((started) => {
  fixture = started;
});

describe("the token travels in the form body", () => {
  it("posts every call as a form with the token as a field and no header of its own", async () => {
    await fixture.signIn(READ_SCOPES);
    const client = fixture.client();
    await client.call("auth.test");
    await client.call("conversations.history", { channel: "C0GENERAL1", limit: 5 });
    expect(fixture.sent.map((request) => [request.method, request.url, request.bodyType, request.headers])).toEqual([
      ["POST", "https://slack.com/api/auth.test", "URLSearchParams", {}],
      ["POST", "https://slack.com/api/conversations.history", "URLSearchParams", {}],
    ]);
    for (const request of fixture.fake.requests) {
      expect(request.tokenIn).toEqual(["body"]);
      expect(request.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    }
  });

  it("leaves the token out of the audit log, which names only method, host and path", async () => {
    await fixture.signIn(READ_SCOPES);
    await fixture.client().call("users.info", { user: "U0BOB0001" });
    expect(fixture.audit).toEqual([
      {
        kind: "request",
        request: {
          method: "POST",
          host: "slack.com",
          path: "/api/users.info",
          status: 200,
          bytes: expect.any(Number) as unknown,
        },
      },
    ]);
    expect(JSON.stringify(fixture.audit)).not.toContain("xox");
  });
});

describe("rate limits", () => {
  it("waits as long as Retry-After says, then sends the call again", async () => {
    await fixture.signIn(READ_SCOPES);
    fixture.fake.rateLimits.refuseNext("conversations.history", 7);
    const answer = await fixture.client().call("conversations.history", { channel: "C0GENERAL1" });
    expect(answer.ok).toBe(true);
    const calls = fixture.fake.calls("conversations.history");
    expect(calls.map((call) => call.status)).toEqual([429, 200]);
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(7_000);
  });

  it("gives up with a clear error when Slack asks for a wait longer than a minute", async () => {
    await fixture.signIn(READ_SCOPES);
    fixture.fake.rateLimits.refuseNext("search.messages", 600);
    const failure = await fixture
      .client()
      .call("search.messages", { query: "deploy" })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SlackRateLimitError);
    expect((failure as Error).message).toBe(
      "Slack is limiting how often Tabclaw may call search.messages and asks to wait 600 s. Nothing was lost: the next run picks up from here.",
    );
    expect(fixture.fake.calls("search.messages")).toHaveLength(1);
  });

  it("keeps to a method's tier so Slack never has to refuse (Tier 2: 20 a minute)", async () => {
    await fixture.signIn(READ_SCOPES);
    const client = fixture.client();
    for (let call = 0; call < 45; call += 1) await client.call("search.messages", { query: "deploy" });
    expect(fixture.fake.rateLimits.refusals).toEqual([]);
    const times = fixture.fake.calls("search.messages").map((call) => call.at);
    // No sliding minute holds more than 20 of them.
    for (let index = 20; index < times.length; index += 1) {
      expect((times[index] ?? 0) - (times[index - 20] ?? 0)).toBeGreaterThanOrEqual(60_000);
    }
  });
});

describe("Slack's refusals become errors that say what to do", () => {
  it("names the feature a missing scope would turn on", async () => {
    await fixture.signIn(["channels:history"]);
    const failure = await fixture
      .client()
      .call("search.messages", { query: "<@U0ALICE01>" })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ScopeNeededError);
    expect((failure as Error).message).toBe(
      "Slack did not give Tabclaw the search:read permission, which finding messages that mention you needs: press Connect again in Settings → Slack and allow it (a workspace admin may have to approve the app).",
    );
  });

  it("asks to reconnect when the token was revoked", async () => {
    const token = await fixture.signIn(READ_SCOPES);
    fixture.fake.oauth.revoke(token.accessToken);
    await expect(fixture.client().call("auth.test")).rejects.toThrow(ReconnectNeededError);
    await expect(fixture.client().call("auth.test")).rejects.toThrow(
      "Slack no longer accepts Tabclaw's sign-in (token_revoked). Connect Slack again in Settings → Slack; the digest keeps its place until then.",
    );
  });

  it("asks to reconnect when nobody is signed in, without calling Slack", async () => {
    await expect(fixture.client().call("auth.test")).rejects.toThrow("Slack is not connected.");
    expect(fixture.fake.requests).toEqual([]);
  });
});

describe("token rotation", () => {
  it("refreshes a token that is about to expire before using it, and stores the new refresh token", async () => {
    const grant = await fixture.connect(READ_SCOPES);
    fixture.now += 43_200_000 - 60_000;
    await fixture.client().call("auth.test");
    expect(fixture.fake.requests.map((request) => request.method)).toEqual([
      "authorize",
      "oauth.v2.access",
      "oauth.v2.access",
      "auth.test",
    ]);
    const stored = fixture.vault.get("slack");
    expect(stored?.accessToken).not.toBe(grant.token.accessToken);
    expect(stored?.refreshToken).not.toBe(grant.token.refreshToken);
    expect(fixture.fake.oauth.liveRefreshTokens()).toEqual([stored?.refreshToken]);
  });

  it("refreshes and sends again when Slack says the token expired early", async () => {
    const grant = await fixture.connect(READ_SCOPES);
    fixture.fake.oauth.expire(grant.token.accessToken);
    const answer = await fixture.client().call("auth.test");
    expect(answer.ok).toBe(true);
    expect(fixture.fake.calls("auth.test").map((call) => call.error ?? "ok")).toEqual(["token_expired", "ok"]);
  });

  it("refreshes once when two calls find the token expiring together", async () => {
    await fixture.connect(READ_SCOPES);
    fixture.now += 43_200_000;
    const client = fixture.client();
    await Promise.all([client.call("auth.test"), client.call("users.info", { user: "U0BOB0001" })]);
    expect(fixture.fake.calls("oauth.v2.access")).toHaveLength(2);
  });

  it("asks to reconnect when the refresh token is spent", async () => {
    const grant = await fixture.connect(READ_SCOPES);
    // Someone else used it (another copy of the token): Slack now refuses it.
    await fixture.vault.set("slack", { ...grant.token, expiresAt: fixture.now });
    const spent = { ...grant.token };
    await fixture.client().call("auth.test");
    await fixture.vault.set("slack", { ...spent, expiresAt: fixture.now });
    await expect(fixture.client().call("auth.test")).rejects.toThrow(
      "Slack no longer accepts the saved sign-in (it expired or was revoked). Connect Slack again in Settings → Slack",
    );
  });
});
