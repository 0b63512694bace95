/**
 * Slack as a user meets it, against the fake Slack (which checks every request against Slack's Web
 * API description, the PKCE exchange and the browser rule): the client ID in Settings → Slack,
 * Slack's consent window with PKCE, the granted scopes, the digest's channels, a reply approved and
 * posted once to exactly the channel and thread on the card, and Disconnect revoking the token.
 */
import type { BrowserContext, Page } from "playwright-core";
import { expect, test } from "vitest";
import { oauthRedirectUri } from "../../src/auth/oauth-redirect";
import type { ApprovalRecord } from "../../src/store/approval-record";
import { slackPostMessageTool } from "../../src/tools/slack-tools";
import { routeSlackToFake, type FakeSlack } from "../fakes/slack/fake-slack";
import { openView, waitForAppReady } from "./harness/app-steps";
import { approvalCard, seedApprovals } from "./harness/approval-steps";
import { useFakeSlack } from "./harness/slack-steps";
import { useBrowserSuite } from "./harness/suite";

const suite = useBrowserSuite({ webgpu: false });
let fake: FakeSlack;
useFakeSlack(suite, (started) => {
  fake = started;
});

function slack(page: Page) {
  return page.locator("tabclaw-slack-settings");
}

function statusText(page: Page): Promise<string> {
  return slack(page).getByTestId("slack-status").innerText();
}

async function openSettings(page: Page): Promise<void> {
  await openView(page, "Settings");
  await slack(page).getByTestId("slack-status").waitFor();
}

async function consentVia(context: BrowserContext, press: () => Promise<void>): Promise<void> {
  const popup = context.waitForEvent("page");
  await press();
  const window = await popup;
  await window.waitForEvent("close", { timeout: 30_000 });
}

function replyApproval(threadTs: string): ApprovalRecord {
  const id = "slack-reply-1";
  const args = {
    channel: "C0RELEASE1",
    channelName: "#releases",
    thread_ts: threadTs,
    text: 'Yes, ship it after the "smoke" tests.',
  };
  const proposedAt = Date.now();
  return {
    id,
    status: "pending",
    proposedAt,
    why: "Nothing is sent without your approval of exactly what goes out.",
    action: {
      id,
      tool: "slack_post_message",
      effect: "send",
      connector: "slack",
      scope: "chat:write",
      arguments: args,
      reason: "Bob asked whether to ship.",
      preview: slackPostMessageTool.preview(args),
      taint: { tainted: false, sources: [], reasons: [], argumentSources: [] },
      proposedAt,
    },
  };
}

test("connect with PKCE, choose channels, approve one reply posted where the card said, disconnect revokes", async () => {
  const { context, page, assertNoErrors } = await suite.open();
  await routeSlackToFake(context, fake);
  await waitForAppReady(page);
  await openSettings(page);
  expect(await statusText(page)).toMatch(/^Not set up/);
  expect(await slack(page).locator("fieldset").first().innerText()).toContain(oauthRedirectUri(suite.server.origin));

  await slack(page).getByLabel("Slack app client ID").fill(fake.clientId);
  await slack(page).getByRole("button", { name: "Save client ID" }).click();
  await expect.poll(() => statusText(page)).toMatch(/^Not connected/);
  await slack(page).getByLabel("Post replies I approve").check();
  await consentVia(context, () => slack(page).getByRole("button", { name: "Connect Slack" }).click());
  await expect.poll(() => statusText(page)).toMatch(/^Connected as U0ALICE01@Acme/);
  expect(await slack(page).getByTestId("slack-granted").innerText()).toContain(
    "chat:write: posting the replies you approve",
  );

  const [authorize] = fake.calls("authorize");
  expect(authorize?.args).toMatchObject({ client_id: fake.clientId, code_challenge_method: "S256" });
  expect(authorize?.args.scope).toBeUndefined();
  const [exchange] = fake.calls("oauth.v2.access");
  expect(Object.keys(exchange?.args ?? {}).sort()).toEqual([
    "client_id",
    "code",
    "code_verifier",
    "grant_type",
    "redirect_uri",
  ]);

  await slack(page).getByRole("button", { name: "Show my channels" }).click();
  await slack(page).getByLabel("#releases").check();
  await slack(page).getByRole("button", { name: "Save channels" }).click();
  await expect.poll(() => slack(page).getByTestId("slack-notice").innerText()).toMatch(/also reads 1 channel/);

  // Keep the sign-in across the reload that brings the approval in.
  await page.getByLabel("Keep sign-ins after reload (encrypted on this device)").check();
  const parent = fake.workspace.addMessage({ channel: "C0RELEASE1", user: "U0BOB0001", text: "Ship 4.2?" });
  await seedApprovals(page, [replyApproval(parent.ts)]);
  await openView(page, "Approvals");
  const card = approvalCard(page, "slack-reply-1");
  // The card shows where the reply goes and the whole text (its parts are in the card's shadow DOM).
  await card.getByText("#releases (C0RELEASE1)").first().waitFor();
  await card.getByText('Yes, ship it after the "smoke" tests.').first().waitFor();
  await card.getByRole("button", { name: "Approve", exact: true }).click();
  await expect.poll(() => fake.workspace.posted.length).toBe(1);
  expect(fake.workspace.posted[0]).toMatchObject({
    channel: "C0RELEASE1",
    threadTs: parent.ts,
    text: 'Yes, ship it after the "smoke" tests.',
  });
  expect(fake.calls("chat.postMessage").map((call) => call.tokenIn)).toEqual([["body"]]);

  await openSettings(page);
  const token = [...fake.oauth.tokens.keys()].at(-1) ?? "";
  await slack(page).getByRole("button", { name: "Disconnect (revokes access)" }).click();
  await expect.poll(() => statusText(page)).toMatch(/^Not connected/);
  expect(fake.oauth.authenticate(token)).toEqual({ error: "token_revoked" });
  assertNoErrors();
});
