import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SlackController } from "../../../src/app/slack-controller";
import { SLACK_STATE_KEY, isSlackCursor } from "../../../src/connectors/slack/slack-cursor";
import { slackScopesFor } from "../../../src/core/slack/slack-scopes";
import { followAuthorize, REDIRECT_URI, SlackFixture } from "../connectors/slack/slack-fixture";

let fixture: SlackFixture;
let controller: SlackController;
/** The URLs the "sign-in window" was opened with, in order. */
let opened: URL[];

beforeEach(async () => {
  fixture = await new SlackFixture().start();
  opened = [];
  controller = new SlackController({
    settings: fixture.settings,
    vault: fixture.vault,
    connector: fixture.connector,
    fetch: fixture.fetch,
    redirectUri: REDIRECT_URI,
    now: () => fixture.now,
    // Stands in for the sign-in window: Slack's page is opened, the fake consents and redirects back.
    authorize: (url) => {
      opened.push(url);
      return followAuthorize(fixture.fake, url);
    },
  });
  await controller.init();
});

afterEach(async () => {
  expect(fixture.fake.violations).toEqual([]);
  await fixture.stop();
});

describe("Settings → Slack", () => {
  it("opens Slack's window inside the click, before any await, and keeps the token", async () => {
    expect(controller.status).toBe("disconnected");
    const connecting = controller.connect();
    // The prepared PKCE request let the window open synchronously (a browser blocks it otherwise).
    expect(opened).toHaveLength(1);
    expect(controller.busy).toBe("connect");
    expect(await connecting).toBe(true);
    expect(controller.status).toBe("connected");
    expect(controller.scopes).toEqual(slackScopesFor(false));
    expect(controller.canPost).toBe(false);
    expect(controller.notice).toEqual({ kind: "info", text: "Connected to Slack as U0ALICE01 in Acme." });
    expect(fixture.vault.get("slack")?.refreshToken).toMatch(/^xoxe-1-/);
  });

  it("asks for chat:write only when posting is turned on", async () => {
    await controller.setPosting(true);
    await controller.connect();
    expect(opened[0]?.searchParams.get("user_scope")?.split(",")).toContain("chat:write");
    expect(controller.canPost).toBe(true);
  });

  it("uses a fresh verifier for every sign-in", async () => {
    await controller.connect();
    await controller.connect();
    const challenges = opened.map((url) => url.searchParams.get("code_challenge"));
    expect(new Set(challenges).size).toBe(2);
  });

  it("says so, and keeps nothing, when the user declines in Slack", async () => {
    fixture.fake.oauth.consent = "deny";
    expect(await controller.connect()).toBe(false);
    expect(controller.notice).toEqual({
      kind: "error",
      text: "Access was not granted in Slack's window. Nothing was connected; press Connect to try again.",
    });
    expect(controller.token).toBeUndefined();
  });

  it("disconnects by revoking the token at Slack, and forgets where the digest was", async () => {
    await controller.connect();
    const token = fixture.vault.get("slack")?.accessToken ?? "";
    await fixture.execute("slack_read_updates");
    expect(await fixture.state.get(SLACK_STATE_KEY, isSlackCursor)).toBeDefined();
    await controller.disconnect();
    expect(fixture.fake.calls("auth.revoke").map((call) => call.tokenIn)).toEqual([["body"]]);
    expect(fixture.fake.oauth.authenticate(token)).toEqual({ error: "token_revoked" });
    expect(controller.token).toBeUndefined();
    expect(controller.status).toBe("disconnected");
    expect(await fixture.state.get(SLACK_STATE_KEY, isSlackCursor)).toBeUndefined();
    expect(controller.notice?.text).toBe("Disconnected. Slack revoked Tabclaw's token.");
  });

  it("lists the channels the user is in and keeps the chosen ones", async () => {
    await controller.connect();
    await controller.loadChannels();
    expect(controller.availableChannels).toEqual([
      { id: "C0GENERAL1", name: "#general" },
      { id: "G0LEADS001", name: "#leads (private)" },
      { id: "C0RELEASE1", name: "#releases" },
    ]);
    await controller.setChannels(["C0RELEASE1", "not a channel", "C0RELEASE1"]);
    expect(await fixture.settings.get("slackChannels")).toEqual(["C0RELEASE1"]);
  });

  it("needs a client ID before anything can connect", async () => {
    await controller.setClientId("");
    await fixture.settings.set("slackClientId", undefined);
    const bare = new SlackController({
      settings: fixture.settings,
      vault: fixture.vault,
      connector: fixture.connector,
      fetch: fixture.fetch,
      redirectUri: REDIRECT_URI,
      authorize: () => Promise.reject(new Error("must not open")),
    });
    await bare.init();
    expect(bare.status).toBe("not_set_up");
    expect(await bare.connect()).toBe(false);
    expect(bare.notice?.kind).toBe("error");
  });
});
