import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEFAULT_CLIENT_ID,
  fetchViaFake,
  startFakeGoogle,
  type FakeGoogle,
} from "../../../fakes/google/start-fake-google";

const APP = "http://127.0.0.1:4173";
const REDIRECT = `${APP}/oauth/callback`;
const READONLY = "https://www.googleapis.com/auth/gmail.readonly";
const MODIFY = "https://www.googleapis.com/auth/gmail.modify";
const COMPOSE = "https://www.googleapis.com/auth/gmail.compose";

let fake: FakeGoogle;
let googleFetch: typeof fetch;

beforeEach(async () => {
  fake = await startFakeGoogle();
  fake.oauth.authoriseRedirectUri(DEFAULT_CLIENT_ID, REDIRECT);
  googleFetch = fetchViaFake(fake);
});

afterEach(async () => {
  await fake.close();
});

function authUrl(parameters: Record<string, string>): string {
  const url = new URL("https://accounts.google.com/o/oauth2/v2/auth");
  const defaults = { client_id: DEFAULT_CLIENT_ID, redirect_uri: REDIRECT, response_type: "token", state: "s-123" };
  for (const [name, value] of Object.entries({ ...defaults, ...parameters })) url.searchParams.set(name, value);
  return url.toString();
}

/** Follows the consent page like a browser would, returning the redirect's fragment (or the error page). */
async function authorize(
  parameters: Record<string, string>,
): Promise<{ status: number; fragment?: URLSearchParams; page?: string; location?: string }> {
  const response = await googleFetch(authUrl(parameters), { redirect: "manual" });
  const location = response.headers.get("location");
  if (response.status !== 302 || location === null) return { status: response.status, page: await response.text() };
  return { status: 302, location, fragment: new URLSearchParams(new URL(location).hash.slice(1)) };
}

describe("fake Google OAuth (token flow)", () => {
  it("redirects to the registered redirect URI with a Bearer token for the requested scopes and the state", async () => {
    const result = await authorize({ scope: READONLY });
    expect(result.status).toBe(302);
    expect(result.location?.startsWith(`${REDIRECT}#`)).toBe(true);
    const fragment = result.fragment ?? new URLSearchParams();
    expect(fragment.get("token_type")).toBe("Bearer");
    expect(fragment.get("expires_in")).toBe("3599");
    expect(fragment.get("scope")).toBe(READONLY);
    expect(fragment.get("state")).toBe("s-123");
    const token = fragment.get("access_token") ?? "";

    const info = await googleFetch(`https://oauth2.googleapis.com/tokeninfo?access_token=${token}`);
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ aud: DEFAULT_CLIENT_ID, scope: READONLY, email: "user@example.com" });

    const profile = await googleFetch("https://gmail.googleapis.com/gmail/v1/users/me/profile", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(profile.status).toBe(200);
  });

  it("accumulates granted scopes with include_granted_scopes=true", async () => {
    await authorize({ scope: READONLY });
    const second = await authorize({ scope: MODIFY, include_granted_scopes: "true" });
    expect(second.fragment?.get("scope")?.split(" ").sort()).toEqual([MODIFY, READONLY].sort());
    const third = await authorize({ scope: COMPOSE });
    expect(third.fragment?.get("scope")).toBe(COMPOSE);
  });

  it("answers access_denied when the user denies, and only the ticked scopes when the user grants a subset", async () => {
    fake.oauth.scriptConsent({ kind: "deny" }, { kind: "grant", scopes: [READONLY] });
    const denied = await authorize({ scope: READONLY });
    expect(denied.fragment?.get("error")).toBe("access_denied");
    expect(denied.fragment?.get("state")).toBe("s-123");
    expect(denied.fragment?.has("access_token")).toBe(false);
    const partial = await authorize({ scope: `${READONLY} ${MODIFY}` });
    expect(partial.fragment?.get("scope")).toBe(READONLY);
  });

  it("shows an error page, never a redirect, for an unknown client or a redirect URI that is not registered", async () => {
    const unknownClient = await authorize({ client_id: "nobody.apps.googleusercontent.com", scope: READONLY });
    expect(unknownClient.status).toBe(401);
    expect(unknownClient.page).toContain("invalid_client");
    const mismatch = await authorize({ redirect_uri: `${APP}/elsewhere`, scope: READONLY });
    expect(mismatch.status).toBe(400);
    expect(mismatch.page).toContain("redirect_uri_mismatch");
    const badScope = await authorize({ scope: "https://www.googleapis.com/auth/gmail.everything" });
    expect(badScope.page).toContain("invalid_scope");
    const code = await authorize({ scope: READONLY, response_type: "code" });
    expect(code.page).toContain("unsupported_response_type");
  });

  it("refuses parameters the endpoint does not take, and a redirect origin that is not an authorised JavaScript origin", async () => {
    const extra = await authorize({ scope: READONLY, code_challenge: "abc" });
    expect(extra.status).toBe(400);
    expect(extra.page).toContain("Parameter not allowed for this message type: code_challenge");
    fake.oauth.registerClient({
      clientId: "other.apps.googleusercontent.com",
      redirectUris: [REDIRECT],
      javascriptOrigins: ["https://tabclaw.example"],
    });
    const origin = await authorize({ client_id: "other.apps.googleusercontent.com", scope: READONLY });
    expect(origin.page).toContain("origin_mismatch");
    const commas = await authorize({ scope: `${READONLY},${MODIFY}` });
    expect(commas.page).toContain("invalid_scope");
    expect(fake.oauth.authorizations.map((record) => record.error)).toEqual([
      "invalid_request",
      "origin_mismatch",
      "invalid_scope",
    ]);
  });

  it("with prompt=none issues a token only for scopes granted before, else consent_required", async () => {
    const silent = await authorize({ scope: READONLY, prompt: "none" });
    expect(silent.fragment?.get("error")).toBe("consent_required");
    await authorize({ scope: READONLY });
    fake.oauth.scriptConsent({ kind: "deny" });
    const again = await authorize({ scope: READONLY, prompt: "none" });
    expect(again.fragment?.get("scope")).toBe(READONLY);
    // prompt=none never showed the screen, so the scripted deny is still waiting.
    const shown = await authorize({ scope: READONLY });
    expect(shown.fragment?.get("error")).toBe("access_denied");
    expect((await authorize({ scope: READONLY, prompt: "none consent" })).status).toBe(400);
  });

  it("signs in the account named by login_hint when it is one of the known accounts", async () => {
    const other = await startFakeGoogle({ otherAccounts: ["work@example.com"] });
    try {
      other.oauth.authoriseRedirectUri(DEFAULT_CLIENT_ID, REDIRECT);
      const response = await fetchViaFake(other)(authUrl({ scope: READONLY, login_hint: "work@example.com" }), {
        redirect: "manual",
      });
      const token =
        new URLSearchParams(new URL(response.headers.get("location") ?? "").hash.slice(1)).get("access_token") ?? "";
      expect(other.oauth.activeToken(token)?.account).toBe("work@example.com");
      const withoutHint = await fetchViaFake(other)(authUrl({ scope: READONLY }), { redirect: "manual" });
      const defaultToken =
        new URLSearchParams(new URL(withoutHint.headers.get("location") ?? "").hash.slice(1)).get("access_token") ?? "";
      expect(other.oauth.activeToken(defaultToken)?.account).toBe("user@example.com");
    } finally {
      await other.close();
    }
  });

  it("reports remaining lifetime in tokeninfo and stops honouring a token once it has expired", async () => {
    let now = Date.UTC(2024, 4, 6, 9, 0, 0);
    const clocked = await startFakeGoogle({ now: () => now });
    try {
      clocked.oauth.authoriseRedirectUri(DEFAULT_CLIENT_ID, REDIRECT);
      const clockedFetch = fetchViaFake(clocked);
      const response = await clockedFetch(authUrl({ scope: READONLY }), { redirect: "manual" });
      const token =
        new URLSearchParams(new URL(response.headers.get("location") ?? "").hash.slice(1)).get("access_token") ?? "";
      now += 600_000;
      const info = (await (
        await clockedFetch(`https://oauth2.googleapis.com/tokeninfo?access_token=${token}`)
      ).json()) as Record<string, string>;
      expect(info.expires_in).toBe("2999");
      now += 3_000_000;
      const profile = await clockedFetch("https://gmail.googleapis.com/gmail/v1/users/me/profile", {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(profile.status).toBe(401);
    } finally {
      await clocked.close();
    }
  });

  it("revokes the token (form body), after which Gmail answers 401 and tokeninfo says invalid_token", async () => {
    const token = (await authorize({ scope: READONLY })).fragment?.get("access_token") ?? "";
    const revoke = await googleFetch("https://oauth2.googleapis.com/revoke", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(revoke.status).toBe(200);
    const profile = await googleFetch("https://gmail.googleapis.com/gmail/v1/users/me/profile", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(profile.status).toBe(401);
    const info = await googleFetch(`https://oauth2.googleapis.com/tokeninfo?access_token=${token}`);
    expect(info.status).toBe(400);
    expect(await info.json()).toMatchObject({ error: "invalid_token" });
    const again = await googleFetch("https://oauth2.googleapis.com/revoke", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(again.status).toBe(400);
  });
});
