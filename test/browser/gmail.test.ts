/**
 * Gmail as a user meets it, against the fake Google (which validates every request against Gmail's
 * discovery document and Google's OAuth rules): the client ID in Settings → Accounts, Google's
 * consent window, a sync through the Gate, the labels permission asked only when turned on, a label
 * approved and run once, Disconnect revoking, and what a reload does with and without
 * "Keep sign-ins after reload".
 */
import { pendingLabelApproval } from "./harness/label-approval";
import type { BrowserContext, Page } from "playwright-core";
import { afterEach, beforeEach, expect, test } from "vitest";
import { oauthRedirectUri } from "../../src/auth/oauth-redirect";
import type { ApprovalRecord } from "../../src/store/approval-record";
import type { MailRecord } from "../../src/store/mail-record";
import { GMAIL_MODIFY_SCOPE, GMAIL_READONLY_SCOPE } from "../../src/tools/gmail-scopes";
import { buildRawMail, routeGoogleToFake, startFakeGoogle, type FakeGoogle } from "../fakes/google/start-fake-google";
import { openView, waitForAppReady } from "./harness/app-steps";
import { approvalCard, seedApprovals } from "./harness/approval-steps";
import { storedValue } from "./harness/inbox-steps";
import { useBrowserSuite } from "./harness/suite";

const CLIENT_ID = "tabclaw-browser-test.apps.googleusercontent.com";
const suite = useBrowserSuite({ webgpu: false });
let fake: FakeGoogle;

beforeEach(async () => {
  const origin = suite.server.origin;
  fake = await startFakeGoogle({
    clients: [{ clientId: CLIENT_ID, redirectUris: [oauthRedirectUri(origin)], javascriptOrigins: [origin] }],
  });
});

afterEach(async () => {
  expect(fake.violations).toEqual([]);
  await fake.close();
});

function accounts(page: Page) {
  return page.locator("tabclaw-accounts-settings");
}

function statusText(page: Page): Promise<string> {
  return accounts(page).getByTestId("gmail-status").innerText();
}

async function openAccounts(page: Page): Promise<void> {
  await openView(page, "Settings");
  await page.getByRole("heading", { name: "Accounts" }).waitFor();
}

async function setClientId(page: Page): Promise<void> {
  await accounts(page).getByLabel("Google OAuth client ID").fill(CLIENT_ID);
  await accounts(page).getByRole("button", { name: "Save client ID" }).click();
  await expect.poll(() => statusText(page)).toMatch(/^Not connected/);
}

/** Presses a button that opens Google's window, and waits for that window to land back and close. */
async function consentVia(context: BrowserContext, press: () => Promise<void>): Promise<void> {
  const popup = context.waitForEvent("page");
  await press();
  const window = await popup;
  await window.waitForEvent("close", { timeout: 30_000 });
}

async function connectReadOnly(context: BrowserContext, page: Page): Promise<void> {
  await openAccounts(page);
  await setClientId(page);
  await consentVia(context, () => accounts(page).getByRole("button", { name: "Connect Gmail (read-only)" }).click());
  await expect.poll(() => statusText(page)).toMatch(/^Connected/);
}

function deliver(count: number): string[] {
  return Array.from({ length: count }, (_, index) => {
    const raw = buildRawMail({
      from: { name: `Newsletter ${index}`, address: `news${index}@example.org` },
      to: "user@example.com",
      subject: `Issue ${index}: what's new`,
      text: `Issue ${index} body`,
      headers: { "List-Unsubscribe": `<mailto:leave${index}@example.org>` },
    });
    return fake.gmail.addMessage({ raw, labelIds: ["INBOX", "UNREAD"] }).id;
  });
}

/** The keys of the app's connectorState store (sync positions, sealed tokens). */
function connectorStateKeys(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("tabclaw");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
    });
    const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
      const request = db.transaction("connectorState").objectStore("connectorState").getAllKeys();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not read"));
    });
    db.close();
    return keys.map(String);
  });
}

function labelApproval(mail: MailRecord): ApprovalRecord {
  return pendingLabelApproval({
    id: `label-${mail.sourceId}`,
    mailId: mail.id,
    mailSubject: mail.subject,
    mailFrom: mail.from?.address ?? "",
    proposedAt: Date.now(),
    reason: "It has List-Unsubscribe: a newsletter.",
  });
}

test("connect read-only, sync through the Gate, ask for labels when turned on, approve one label, disconnect revokes", async () => {
  const { context, page, assertNoErrors } = await suite.open();
  await routeGoogleToFake(context, fake);
  await waitForAppReady(page);
  await openAccounts(page);
  expect(await statusText(page)).toMatch(/^Not set up/);
  expect(await accounts(page).locator("fieldset").innerText()).toContain(oauthRedirectUri(suite.server.origin));

  await connectReadOnly(context, page);
  const first = fake.oauth.authorizations[0]?.parameters;
  expect(first).toMatchObject({
    client_id: CLIENT_ID,
    response_type: "token",
    scope: GMAIL_READONLY_SCOPE,
    include_granted_scopes: "true",
    redirect_uri: oauthRedirectUri(suite.server.origin),
  });
  expect(await accounts(page).getByTestId("gmail-granted").innerText()).toMatch(/read your mail/);
  expect(await accounts(page).getByLabel("Apply labels").isChecked()).toBe(false);

  // A sync, proposed to the Gate like a routine's: metadata only, stored for triage.
  const ids = deliver(3);
  await accounts(page).getByRole("button", { name: "Check Gmail now" }).click();
  await expect.poll(() => accounts(page).getByTestId("gmail-notice").innerText()).toMatch(/3 new mails stored/);
  const stored = await storedValue<MailRecord>(page, "mail", `gmail:${ids[0] ?? ""}`);
  expect(stored).toMatchObject({ source: "gmail", status: "new", bodyLoaded: false, subject: "Issue 0: what's new" });
  expect(stored?.ruleHeaders.listUnsubscribe).toBe("<mailto:leave0@example.org>");
  expect(
    fake.gmail.calls.filter((call) => call.methodId === "gmail.users.messages.get").every((call) => call.inBatch),
  ).toBe(true);

  // Turning labels on asks Google for gmail.modify, keeping what was granted.
  await consentVia(context, () => accounts(page).getByLabel("Apply labels").click());
  await expect.poll(() => accounts(page).getByLabel("Apply labels").isChecked()).toBe(true);
  expect(fake.oauth.authorizations[1]?.parameters.scope?.split(" ").sort()).toEqual(
    [GMAIL_READONLY_SCOPE, GMAIL_MODIFY_SCOPE].sort(),
  );
  expect(await accounts(page).getByTestId("gmail-granted").innerText()).toMatch(/change labels and archive/);

  // With sign-ins kept, the reload that brings the approval in keeps Gmail connected.
  await accounts(page).getByLabel("Keep sign-ins after reload (encrypted on this device)").check();
  await expect.poll(() => accounts(page).getByTestId("gmail-notice").innerText()).toMatch(/kept across reloads/);
  if (!stored) throw new Error("the mail was not stored");
  const approval = labelApproval(stored);
  await seedApprovals(page, [approval]);
  await openAccounts(page);
  await expect.poll(() => statusText(page)).toMatch(/^Connected/);

  await openView(page, "Approvals");
  const card = approvalCard(page, approval.id);
  await card.getByRole("button", { name: "Approve", exact: true }).click();
  await expect.poll(() => fake.gmail.mailbox.labelByName("Tabclaw/Newsletter")?.id).toBeTruthy();
  const label = fake.gmail.mailbox.labelByName("Tabclaw/Newsletter")?.id ?? "";
  await expect.poll(() => fake.gmail.mailbox.message(ids[0] ?? "")?.labelIds.has(label)).toBe(true);
  const modifies = fake.gmail.calls.filter((call) => call.methodId === "gmail.users.messages.modify");
  expect(modifies).toHaveLength(1);
  expect(modifies[0]?.target).toContain(ids[0]);

  // Disconnect revokes at Google and signs out here.
  await openAccounts(page);
  // The app holds the newest token (the one with labels).
  const token = fake.oauth.tokens().at(-1)?.accessToken;
  await accounts(page).getByRole("button", { name: "Disconnect (revokes access)" }).click();
  await expect.poll(() => statusText(page)).toMatch(/^Not connected/);
  expect(fake.oauth.revocations).toEqual([token]);
  expect(fake.oauth.tokens().every((issued) => issued.revoked)).toBe(true);
  assertNoErrors();
});

test("a reload without Keep sign-ins asks to connect again; with it, Gmail stays connected", async () => {
  const { context, page, assertNoErrors } = await suite.open();
  await routeGoogleToFake(context, fake);
  await waitForAppReady(page);
  await connectReadOnly(context, page);

  await page.reload();
  await waitForAppReady(page);
  await openAccounts(page);
  await expect.poll(() => statusText(page)).toMatch(/^Not connected/);
  await accounts(page).getByRole("button", { name: "Connect Gmail (read-only)" }).waitFor();
  // Nothing of the token was stored: the app's connectorState holds no vault entry.
  expect((await connectorStateKeys(page)).filter((key) => key.startsWith("vault:"))).toEqual([]);

  await consentVia(context, () => accounts(page).getByRole("button", { name: "Connect Gmail (read-only)" }).click());
  await expect.poll(() => statusText(page)).toMatch(/^Connected/);
  await accounts(page).getByLabel("Keep sign-ins after reload (encrypted on this device)").check();
  await expect.poll(() => accounts(page).getByTestId("gmail-notice").innerText()).toMatch(/kept across reloads/);
  await page.reload();
  await waitForAppReady(page);
  await openAccounts(page);
  await expect.poll(() => statusText(page)).toMatch(/^Connected/);
  expect(await connectorStateKeys(page)).toEqual(expect.arrayContaining(["vault:key", "vault:token:google"]));
  assertNoErrors();
});
