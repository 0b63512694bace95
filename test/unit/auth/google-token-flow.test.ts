import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GmailController } from "../../../src/app/gmail-controller";
import { googleAuthorizeUrl, GoogleTokenFlow, googleTokenFromRedirect } from "../../../src/auth/google-token-flow";
import { callbackParameters, oauthRedirectUri } from "../../../src/auth/oauth-redirect";
import { TokenVault } from "../../../src/auth/token-vault";
import { SettingsStore } from "../../../src/store/settings-store";
import { GMAIL_COMPOSE_SCOPE, GMAIL_MODIFY_SCOPE, GMAIL_READONLY_SCOPE } from "../../../src/tools/gmail-scopes";
import { fetchViaFake, startFakeGoogle, type FakeGoogle } from "../../fakes/google/start-fake-google";
import { FreshDatabase } from "../store/fresh-database";

const APP_ORIGIN = "http://127.0.0.1:4173";
const CLIENT_ID = "tabclaw-test.apps.googleusercontent.com";
const REDIRECT = oauthRedirectUri(APP_ORIGIN);

let fake: FakeGoogle;
let database: FreshDatabase;
let vault: TokenVault;
let settings: SettingsStore;
const popups: URL[] = [];

/** The consent window, played by a fetch: Google's 302 to the redirect page carries the answer in its fragment. */
async function consentWindow(url: URL): Promise<URLSearchParams> {
  popups.push(url);
  const response = await fetchViaFake(fake)(url, { redirect: "manual" });
  const location = response.headers.get("location");
  if (response.status !== 302 || location === null) throw new Error(`Google refused: ${await response.text()}`);
  const parameters = callbackParameters(new URL(location));
  if (parameters.get("error") === "access_denied")
    throw Object.assign(new Error("denied"), { name: "OAuthDeniedError" });
  return parameters;
}

function flow(): GoogleTokenFlow {
  return new GoogleTokenFlow({ vault, redirectUri: REDIRECT, fetch: fetchViaFake(fake), openPopup: consentWindow });
}

beforeEach(async () => {
  fake = await startFakeGoogle({
    clients: [{ clientId: CLIENT_ID, redirectUris: [REDIRECT], javascriptOrigins: [APP_ORIGIN] }],
  });
  database = new FreshDatabase();
  const db = await database.open();
  settings = new SettingsStore(db);
  vault = await TokenVault.open(db, settings, { channel: null });
  popups.length = 0;
});

afterEach(async () => {
  expect(fake.violations).toEqual([]);
  vault.close();
  await fake.close();
  await database.dispose();
});

describe("Google's token flow", () => {
  it("builds the authorize URL with Google's parameter names", () => {
    const url = googleAuthorizeUrl({
      clientId: CLIENT_ID,
      redirectUri: REDIRECT,
      scopes: [GMAIL_READONLY_SCOPE, GMAIL_READONLY_SCOPE],
      state: "s1",
    });
    expect(`${url.origin}${url.pathname}`).toBe("https://accounts.google.com/o/oauth2/v2/auth");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT,
      response_type: "token",
      scope: GMAIL_READONLY_SCOPE,
      state: "s1",
      include_granted_scopes: "true",
    });
  });

  it("reads the token, its lifetime and the scopes Google actually granted", () => {
    const token = googleTokenFromRedirect(
      new URLSearchParams({
        access_token: "t",
        token_type: "Bearer",
        expires_in: "3599",
        scope: GMAIL_READONLY_SCOPE,
      }),
      [GMAIL_READONLY_SCOPE, GMAIL_MODIFY_SCOPE],
      1_000,
    );
    expect(token).toEqual({ accessToken: "t", expiresAt: 1_000 + 3_599_000, scopes: [GMAIL_READONLY_SCOPE] });
    expect(() => googleTokenFromRedirect(new URLSearchParams({ expires_in: "3600" }), [], 0)).toThrow(
      /no access token/,
    );
  });

  it("connects read-only, then asks for modify keeping what was granted, and the fake accepts every request", async () => {
    const controller = new GmailController({ settings, vault, flow: flow(), buildClientId: CLIENT_ID });
    await controller.init();
    expect(controller.status).toBe("disconnected");
    expect(await controller.connect("triage")).toBe(true);
    expect(controller.status).toBe("connected");
    expect(controller.features).toEqual({ triage: true, labels: false, drafts: false });

    expect(await controller.connect("labels")).toBe(true);
    expect(controller.features).toEqual({ triage: true, labels: true, drafts: true });
    expect(new Set(controller.scopes)).toEqual(new Set([GMAIL_READONLY_SCOPE, GMAIL_MODIFY_SCOPE]));
    expect(popups[1]?.searchParams.get("scope")?.split(" ").sort()).toEqual(
      [GMAIL_READONLY_SCOPE, GMAIL_MODIFY_SCOPE].sort(),
    );
    expect(fake.oauth.authorizations.every((record) => record.error === undefined)).toBe(true);
  });

  it("says which permission was left unticked, keeping the token for what was granted", async () => {
    const controller = new GmailController({ settings, vault, flow: flow(), buildClientId: CLIENT_ID });
    await controller.init();
    await controller.connect("triage");
    fake.oauth.scriptConsent({ kind: "grant", scopes: [GMAIL_READONLY_SCOPE] });
    expect(await controller.connect("drafts")).toBe(false);
    expect(controller.notice).toMatchObject({ kind: "error", text: expect.stringMatching(/Create drafts/) as unknown });
    expect(controller.status).toBe("connected");
    expect(controller.features.drafts).toBe(false);
    expect(controller.scopes).not.toContain(GMAIL_COMPOSE_SCOPE);
  });

  it("asks for a client ID before anything else", async () => {
    const controller = new GmailController({ settings, vault, flow: flow() });
    await controller.init();
    expect(controller.status).toBe("not_set_up");
    expect(await controller.connect("triage")).toBe(false);
    expect(controller.notice?.text).toMatch(/client ID/);
    expect(popups).toHaveLength(0);
    await controller.setClientId(` ${CLIENT_ID} `);
    expect(controller.clientId).toBe(CLIENT_ID);
    expect(controller.status).toBe("disconnected");
  });

  it("disconnect revokes the token at Google and forgets it here", async () => {
    const controller = new GmailController({ settings, vault, flow: flow(), buildClientId: CLIENT_ID });
    await controller.init();
    await controller.connect("triage");
    const token = vault.get("google")?.accessToken ?? "";
    await controller.disconnect();
    expect(fake.oauth.revocations).toEqual([token]);
    expect(fake.oauth.activeToken(token)).toBeUndefined();
    expect(vault.get("google")).toBeUndefined();
    expect(controller.status).toBe("disconnected");
    const revoke = fake.requests.find((request) => request.target.startsWith("/revoke"));
    // The token travels in the form body, never in the URL.
    expect(revoke?.target).toBe("/revoke");
    expect(controller.notice?.text).toMatch(/no longer lets Tabclaw/);
  });

  it("disconnecting with an expired sign-in forgets it and says where to withdraw the access", async () => {
    const controller = new GmailController({ settings, vault, flow: flow(), buildClientId: CLIENT_ID });
    await controller.init();
    await controller.connect("triage");
    fake.oauth.expireToken(vault.get("google")?.accessToken ?? "");
    await controller.disconnect();
    expect(vault.get("google")).toBeUndefined();
    expect(fake.oauth.revocations).toEqual([]);
    expect(controller.notice?.text).toMatch(/already expired.*myaccount\.google\.com\/permissions/);
  });

  it("an expired token reads as needs reconnect, and reconnect asks again for the same scopes", async () => {
    let now = Date.now();
    const controller = new GmailController({
      settings,
      vault,
      flow: new GoogleTokenFlow({
        vault,
        redirectUri: REDIRECT,
        fetch: fetchViaFake(fake),
        openPopup: consentWindow,
        now: () => now,
      }),
      buildClientId: CLIENT_ID,
      now: () => now,
    });
    await controller.init();
    await controller.connect("labels");
    now += 3_600_000;
    expect(controller.status).toBe("needs_reconnect");
    expect(controller.needsReconnect).toBe(true);
    expect(await controller.reconnect()).toBe(true);
    expect(popups.at(-1)?.searchParams.get("scope")).toBe(GMAIL_MODIFY_SCOPE);
    expect(controller.status).toBe("connected");
  });
});
