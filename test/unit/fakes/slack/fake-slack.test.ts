import { createHash, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fetchViaFake, startFakeSlack, type FakeSlack, type FakeSlackOptions } from "../../../fakes/slack/fake-slack";
import { SlackSpec } from "../../../fakes/slack/slack-spec";

const START = Date.parse("2026-11-24T09:00:00Z");
const ALL_READ_SCOPES = [
  "channels:history",
  "groups:history",
  "im:history",
  "mpim:history",
  "channels:read",
  "groups:read",
  "im:read",
  "mpim:read",
  "search:read",
  "users:read",
];

let now = START;
let fake: FakeSlack;
let slackFetch: typeof fetch;

async function start(options: FakeSlackOptions = {}): Promise<void> {
  fake = await startFakeSlack({ now: () => now, ...options });
  slackFetch = fetchViaFake(fake);
}

beforeEach(async () => {
  now = START;
  await start();
});

afterEach(async () => {
  await fake.close();
});

/** A call the way Tabclaw's client makes it: a form POST with the token as a field. */
async function call(
  method: string,
  args: Record<string, string>,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown>; retryAfter: string | null }> {
  const form = new URLSearchParams(args);
  if (token !== undefined) form.set("token", token);
  const response = await slackFetch(`https://slack.com/api/${method}`, { method: "POST", body: form });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    retryAfter: response.headers.get("retry-after"),
  };
}

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

async function authorize(query: Record<string, string>): Promise<URL> {
  const url = new URL("https://slack.com/oauth/v2/authorize");
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const response = await slackFetch(url, { redirect: "manual" });
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location") ?? "");
}

const spec = SlackSpec.load();

describe("the fake Slack checks requests against Slack's description", () => {
  it("answers a form POST with the token in the body, in the shape the description gives", async () => {
    const token = fake.oauth.issueToken(["users:read"]).accessToken;
    const answer = await call("auth.test", {}, token);
    expect(answer.body).toMatchObject({ ok: true, user_id: "U0ALICE01", team: "Acme" });
    expect(spec.responseProblems("auth.test", answer.body)).toEqual([]);
    expect(fake.calls("auth.test")[0]?.tokenIn).toEqual(["body"]);
    expect(fake.violations).toEqual([]);
  });

  it("flags a token in an Authorization header, in the query string, a JSON body and a GET", async () => {
    const token = fake.oauth.issueToken([]).accessToken;
    await slackFetch("https://slack.com/api/auth.test", {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: new URLSearchParams(),
    });
    await slackFetch(`https://slack.com/api/auth.test?token=${token}`, { method: "POST", body: new URLSearchParams() });
    await slackFetch("https://slack.com/api/auth.test", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token }),
    });
    await slackFetch(`https://slack.com/api/users.info?user=U0BOB0001`);
    expect(fake.violations).toEqual([
      "auth.test: an Authorization header (needs a preflight from a page)",
      "auth.test: the token is in the query string",
      "auth.test: a JSON body needs a preflight from a page; send a form body",
      "users.info: GET from a page puts arguments in the URL; POST a form",
    ]);
  });

  it("flags unknown arguments, wrong types and missing required ones, and answers invalid_arguments", async () => {
    const token = fake.oauth.issueToken(ALL_READ_SCOPES).accessToken;
    const unknown = await call("conversations.history", { channel: "C0GENERAL1", since: "yesterday" }, token);
    const badType = await call("conversations.history", { channel: "C0GENERAL1", limit: "ten" }, token);
    const missing = await call("search.messages", { count: "5" }, token);
    for (const answer of [unknown, badType, missing])
      expect(answer.body).toEqual({ ok: false, error: "invalid_arguments" });
    expect(fake.violations).toEqual([
      'conversations.history: "since" is not an argument of this method',
      'conversations.history: "limit" must be a integer, got "ten"',
      'search.messages: the required argument "query" is missing',
    ]);
  });

  it("refuses a method the description does not have", async () => {
    const token = fake.oauth.issueToken([]).accessToken;
    const answer = await call("conversations.everything", {}, token);
    expect(answer.status).toBe(404);
    expect(fake.violations).toEqual(["conversations.everything: not a method in Slack's description"]);
  });

  it("answers missing_scope with the scope for the kind of conversation, without a violation", async () => {
    const token = fake.oauth.issueToken(["channels:history"]).accessToken;
    const dm = await call("conversations.history", { channel: "D0BOBALICE" }, token);
    expect(dm.body).toEqual({ ok: false, error: "missing_scope", needed: "im:history", provided: "channels:history" });
    expect(spec.responseProblems("conversations.history", dm.body)).toEqual([]);
    const search = await call("search.messages", { query: "deploy" }, token);
    expect(search.body).toMatchObject({ ok: false, error: "missing_scope", needed: "search:read" });
    const channel = await call("conversations.history", { channel: "C0GENERAL1" }, token);
    expect(channel.body.ok).toBe(true);
    expect(fake.violations).toEqual([]);
  });
});

describe("OAuth v2 with PKCE for a public client", () => {
  const redirect = "http://127.0.0.1:4173/oauth-callback";

  it("exchanges a code for a rotating user token under authed_user when the verifier matches", async () => {
    const { verifier, challenge } = pkcePair();
    const back = await authorize({
      client_id: fake.clientId,
      user_scope: "channels:history,search:read",
      redirect_uri: redirect,
      state: "s-1",
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    expect(back.origin + back.pathname).toBe(redirect);
    expect(back.searchParams.get("state")).toBe("s-1");
    const code = back.searchParams.get("code") ?? "";
    const answer = await call("oauth.v2.access", {
      client_id: fake.clientId,
      code,
      code_verifier: verifier,
      redirect_uri: redirect,
      grant_type: "authorization_code",
    });
    expect(answer.body).toMatchObject({
      ok: true,
      authed_user: { id: "U0ALICE01", scope: "channels:history,search:read", token_type: "user", expires_in: 43_200 },
      team: { id: "T0ACME001" },
    });
    expect(answer.body).not.toHaveProperty("access_token");
    expect(spec.responseProblems("oauth.v2.access", answer.body)).toEqual([]);
    // The code is spent.
    const again = await call("oauth.v2.access", {
      client_id: fake.clientId,
      code,
      code_verifier: verifier,
      redirect_uri: redirect,
    });
    expect(again.body).toEqual({ ok: false, error: "invalid_code" });
    expect(fake.violations).toEqual([]);
  });

  it("refuses a wrong verifier with invalid_grant and a public client that sends a secret", async () => {
    const { challenge } = pkcePair();
    const query = {
      client_id: fake.clientId,
      user_scope: "search:read",
      redirect_uri: redirect,
      state: "s-2",
      code_challenge: challenge,
      code_challenge_method: "S256",
    };
    const code = (await authorize(query)).searchParams.get("code") ?? "";
    const wrong = await call("oauth.v2.access", {
      client_id: fake.clientId,
      code,
      code_verifier: pkcePair().verifier,
      redirect_uri: redirect,
    });
    expect(wrong.body).toEqual({ ok: false, error: "invalid_grant" });
    expect(fake.violations).toEqual([]);
    const secret = await call("oauth.v2.access", { client_id: fake.clientId, client_secret: "x", code });
    expect(secret.body).toEqual({ ok: false, error: "bad_client_secret" });
    expect(fake.violations).toEqual(["oauth.v2.access: a public client has no client_secret to send"]);
  });

  it("sends the user back with access_denied when they decline", async () => {
    fake.oauth.consent = "deny";
    const back = await authorize({
      client_id: fake.clientId,
      user_scope: "search:read",
      redirect_uri: redirect,
      state: "s-3",
      code_challenge: pkcePair().challenge,
      code_challenge_method: "S256",
    });
    expect(Object.fromEntries(back.searchParams)).toEqual({ error: "access_denied", state: "s-3" });
  });

  it("flags a plain challenge method and an unregistered redirect", async () => {
    await fake.close();
    await start({ redirectUris: [redirect] });
    const plain = await slackFetch(
      `https://slack.com/oauth/v2/authorize?client_id=${fake.clientId}&user_scope=search:read&redirect_uri=${encodeURIComponent(redirect)}&code_challenge=${pkcePair().challenge}&code_challenge_method=plain`,
      { redirect: "manual" },
    );
    const elsewhere = await slackFetch(
      `https://slack.com/oauth/v2/authorize?client_id=${fake.clientId}&user_scope=search:read&redirect_uri=${encodeURIComponent("https://evil.example/cb")}`,
      { redirect: "manual" },
    );
    expect([plain.status, elsewhere.status]).toEqual([400, 400]);
    expect(fake.violations).toEqual([
      "authorize: code_challenge_method must be S256, got plain",
      "authorize: bad_redirect_uri",
    ]);
  });

  it("expires access tokens and rotates single-use refresh tokens", async () => {
    const { verifier, challenge } = pkcePair();
    const code =
      (
        await authorize({
          client_id: fake.clientId,
          user_scope: "users:read",
          redirect_uri: redirect,
          state: "s",
          code_challenge: challenge,
          code_challenge_method: "S256",
        })
      ).searchParams.get("code") ?? "";
    const granted = (
      await call("oauth.v2.access", { client_id: fake.clientId, code, code_verifier: verifier, redirect_uri: redirect })
    ).body.authed_user as { access_token: string; refresh_token: string };
    now += 43_200_000;
    expect((await call("auth.test", {}, granted.access_token)).body).toEqual({ ok: false, error: "token_expired" });
    const refreshed = await call("oauth.v2.access", {
      client_id: fake.clientId,
      grant_type: "refresh_token",
      refresh_token: granted.refresh_token,
    });
    expect(refreshed.body).toMatchObject({ ok: true, token_type: "user", expires_in: 43_200, scope: "users:read" });
    const fresh = refreshed.body as { access_token: string; refresh_token: string };
    expect(fresh.refresh_token).not.toBe(granted.refresh_token);
    expect((await call("auth.test", {}, fresh.access_token)).body.ok).toBe(true);
    const reused = await call("oauth.v2.access", {
      client_id: fake.clientId,
      grant_type: "refresh_token",
      refresh_token: granted.refresh_token,
    });
    expect(reused.body).toEqual({ ok: false, error: "invalid_refresh_token" });
    expect(fake.violations).toEqual([]);
  });

  it("revokes a token with auth.revoke", async () => {
    const token = fake.oauth.issueToken([]).accessToken;
    const answer = await call("auth.revoke", {}, token);
    expect(answer.body).toEqual({ ok: true, revoked: true });
    expect(spec.responseProblems("auth.revoke", answer.body)).toEqual([]);
    expect((await call("auth.test", {}, token)).body).toEqual({ ok: false, error: "token_revoked" });
  });
});

describe("rate limits", () => {
  it("answers 429 with Retry-After past a method's per-minute limit, and again after the window", async () => {
    await fake.close();
    await start({ perMinute: { "conversations.history": 2 } });
    const token = fake.oauth.issueToken(ALL_READ_SCOPES).accessToken;
    await call("conversations.history", { channel: "C0GENERAL1" }, token);
    now += 10_000;
    await call("conversations.history", { channel: "C0GENERAL1" }, token);
    const limited = await call("conversations.history", { channel: "C0GENERAL1" }, token);
    expect(limited).toEqual({ status: 429, body: { ok: false, error: "ratelimited" }, retryAfter: "50" });
    now += 50_000;
    expect((await call("conversations.history", { channel: "C0GENERAL1" }, token)).status).toBe(200);
  });

  it("lets chat.postMessage post once a second per channel", async () => {
    const token = fake.oauth.issueToken(["chat:write"]).accessToken;
    expect((await call("chat.postMessage", { channel: "C0GENERAL1", text: "one" }, token)).status).toBe(200);
    expect((await call("chat.postMessage", { channel: "C0RELEASE1", text: "other channel" }, token)).status).toBe(200);
    const second = await call("chat.postMessage", { channel: "C0GENERAL1", text: "two" }, token);
    expect([second.status, second.retryAfter]).toEqual([429, "1"]);
    now += 1_000;
    expect((await call("chat.postMessage", { channel: "C0GENERAL1", text: "two" }, token)).status).toBe(200);
    expect(fake.workspace.posted.map((post) => [post.channel, post.text])).toEqual([
      ["C0GENERAL1", "one"],
      ["C0RELEASE1", "other channel"],
      ["C0GENERAL1", "two"],
    ]);
  });
});

describe("conversations, search and posting", () => {
  let token: string;

  beforeEach(() => {
    token = fake.oauth.issueToken([...ALL_READ_SCOPES, "chat:write"]).accessToken;
  });

  it("lists history newest first between oldest and latest, page by page", async () => {
    const sent = ["a", "b", "c", "d"].map((text) => {
      now += 1_000;
      return fake.workspace.addMessage({ channel: "C0GENERAL1", user: "U0BOB0001", text });
    });
    const first = await call(
      "conversations.history",
      { channel: "C0GENERAL1", oldest: sent[0]?.ts ?? "", limit: "2" },
      token,
    );
    expect((first.body.messages as { text: string }[]).map((m) => m.text)).toEqual(["d", "c"]);
    expect(first.body.has_more).toBe(true);
    const cursor = (first.body.response_metadata as { next_cursor: string }).next_cursor;
    const second = await call(
      "conversations.history",
      { channel: "C0GENERAL1", oldest: sent[0]?.ts ?? "", limit: "2", cursor },
      token,
    );
    expect((second.body.messages as { text: string }[]).map((m) => m.text)).toEqual(["b"]);
    expect(second.body.has_more).toBe(false);
    // The description's history schema has no response_metadata, which Slack sends for paging.
    const problems = spec.responseProblems("conversations.history", first.body);
    expect(problems).toEqual(["conversations.history: (body) must NOT have additional properties"]);
    expect(fake.violations).toEqual([]);
  });

  it("gives a thread's parent and replies, and finds mentions with search", async () => {
    const parent = fake.workspace.addMessage({ channel: "C0RELEASE1", user: "U0BOB0001", text: "Release 4.2 today?" });
    now += 1_000;
    fake.workspace.addMessage({
      channel: "C0RELEASE1",
      user: "U0CAROL01",
      text: "<@U0ALICE01> can you sign off?",
      threadTs: parent.ts,
    });
    const thread = await call("conversations.replies", { channel: "C0RELEASE1", ts: parent.ts }, token);
    expect(
      (thread.body.messages as { text: string; reply_count?: number }[]).map((m) => [m.text, m.reply_count]),
    ).toEqual([
      ["Release 4.2 today?", 1],
      ["<@U0ALICE01> can you sign off?", undefined],
    ]);
    const found = await call("search.messages", { query: "<@U0ALICE01>", sort: "timestamp", sort_dir: "desc" }, token);
    const matches = (found.body.messages as { matches: { channel: { id: string }; permalink: string }[] }).matches;
    expect(matches).toHaveLength(1);
    expect(matches[0]?.channel.id).toBe("C0RELEASE1");
    expect(matches[0]?.permalink).toContain(`thread_ts=${parent.ts}`);
    expect(spec.responseProblems("search.messages", found.body)).toEqual([]);
    expect(fake.violations).toEqual([]);
  });

  it("records exactly what was posted, in the thread named", async () => {
    const parent = fake.workspace.addMessage({ channel: "C0GENERAL1", user: "U0BOB0001", text: "Lunch?" });
    const answer = await call(
      "chat.postMessage",
      { channel: "C0GENERAL1", text: "Yes, 12:30.", thread_ts: parent.ts },
      token,
    );
    expect(answer.body).toMatchObject({ ok: true, channel: "C0GENERAL1" });
    expect(spec.responseProblems("chat.postMessage", answer.body)).toEqual([]);
    expect(fake.workspace.posted).toEqual([
      {
        channel: "C0GENERAL1",
        text: "Yes, 12:30.",
        threadTs: parent.ts,
        ts: answer.body.ts,
        user: "U0ALICE01",
        arguments: { channel: "C0GENERAL1", text: "Yes, 12:30.", thread_ts: parent.ts },
      },
    ]);
    now += 1_000;
    const noThread = await call(
      "chat.postMessage",
      { channel: "C0GENERAL1", text: "x", thread_ts: "1111111111.000001" },
      token,
    );
    expect(noThread.body).toEqual({ ok: false, error: "thread_not_found" });
  });

  it("hides private conversations the user is not in, and describes the rest", async () => {
    const info = await call("conversations.info", { channel: "G0LEADS001" }, token);
    expect(info.body).toMatchObject({ ok: true, channel: { id: "G0LEADS001", name: "leads", is_private: true } });
    expect(spec.responseProblems("conversations.info", info.body)).toEqual([]);
    fake.workspace.addConversation({
      id: "G0SECRET01",
      kind: "private_channel",
      name: "secret",
      members: ["U0BOB0001"],
    });
    expect((await call("conversations.info", { channel: "G0SECRET01" }, token)).body).toEqual({
      ok: false,
      error: "channel_not_found",
    });
    const user = await call("users.info", { user: "U0BOB0001" }, token);
    expect(spec.responseProblems("users.info", user.body)).toEqual([]);
    const list = await call("conversations.list", { types: "im,mpim" }, token);
    expect((list.body.channels as { id: string }[]).map((c) => c.id)).toEqual(["D0BOBALICE", "C0MPIMTRIO"]);
    expect(spec.responseProblems("conversations.list", list.body)).toEqual([]);
  });
});
