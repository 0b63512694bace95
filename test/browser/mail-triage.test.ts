/**
 * Mail triage end to end in the app, with the scripted engine (a TEST DOUBLE answering from a
 * queue, never a model): mail stored as the importer stores it, the fixture model loaded, "Triage
 * now" in the Inbox runs the scheduler's mail-triage job in the agent worker; newsletters and
 * notifications are filed by rule with no engine call, the rest by the model under the triage
 * schema, and the result is in IndexedDB and in the Inbox. With Gmail connected (the fake Google),
 * the worker reads Gmail through the page's Gate and proposes labels and a reply draft as approval
 * cards: nothing reaches Gmail, nothing is sent.
 */
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { oauthRedirectUri } from "../../src/auth/oauth-redirect";
import { TRIAGE_SCHEMA_TEXT } from "../../src/core/mail/triage-schema";
import type { MailRecord } from "../../src/store/mail-record";
import {
  buildRawMail,
  DEFAULT_CLIENT_ID,
  routeGoogleToFake,
  startFakeGoogle,
  type FakeGoogle,
} from "../fakes/google/start-fake-google";
import { openView, waitForAppReady } from "./harness/app-steps";
import type { AppPage } from "./harness/browser";
import { loadFixtureModel } from "./harness/chat-steps";
import { categoryButton, inboxView, mailRecord, openInbox, seedMail, storedValue } from "./harness/inbox-steps";
import { storedJobRuns } from "./harness/routine-steps";
import { connectGmail } from "./harness/gmail-steps";
import { useBrowserSuite } from "./harness/suite";

const suite = useBrowserSuite({ webgpu: true });

const STEP_TIMEOUT_MS = 60_000;

const answer = (category: string, summary: string, draftReply = "") => ({
  text: JSON.stringify({ summary, category, draftReply }),
});

/** Waits until the worker's scheduler has added the default jobs (it starts at app open). */
async function waitForTriageJob(page: Page): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(async () => {
          const db = await new Promise<IDBDatabase>((resolve, reject) => {
            const request = indexedDB.open("tabclaw");
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
          });
          const job = await new Promise<unknown>((resolve) => {
            const request = db.transaction("jobs").objectStore("jobs").get("mail-triage");
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => resolve(undefined);
          });
          db.close();
          return job !== undefined;
        }),
      { timeout: STEP_TIMEOUT_MS },
    )
    .toBe(true);
}

async function triageNow(page: Page): Promise<string> {
  await openInbox(page);
  await waitForTriageJob(page);
  await inboxView(page).getByRole("button", { name: "Triage now" }).click();
  const notice = inboxView(page).getByTestId("inbox-notice");
  await expect.poll(() => notice.innerText(), { timeout: STEP_TIMEOUT_MS }).toMatch(/\S/);
  return notice.innerText();
}

test("Triage now: newsletters and notifications filed by rule with no engine call, the rest by the model, shown in the Inbox", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  const mails: MailRecord[] = [
    mailRecord({
      id: "local:news",
      from: { address: "digest@gardening.example" },
      subject: "This week in the garden",
      ruleHeaders: { listUnsubscribe: "<https://gardening.example/u>" },
      text: "Ten plants for shade.",
    }),
    mailRecord({
      id: "local:receipt",
      from: { address: "no-reply@shop.example" },
      subject: "Your order has shipped",
      text: "Order 1001 is on its way.",
    }),
    mailRecord({
      id: "local:kitchen",
      from: { name: "Office", address: "office@example.com" },
      subject: "Kitchen closed on Friday",
      text: "The kitchen is closed on Friday for cleaning.",
    }),
    // Newest: the model is asked about it first.
    mailRecord({
      id: "local:budget",
      from: { name: "Ann Example", address: "ann@example.com" },
      subject: "Budget for Q3",
      text: "Could you send me the Q3 numbers before Thursday?\n\n-- \nAnn Example\nFinance",
    }),
  ];
  await seedMail(page, mails);
  await loadFixtureModel(page, suite.server);
  suite.server.setEngineScript({
    responses: [
      answer("needs_reply", "Ann needs the Q3 numbers before Thursday.", "Hi Ann,\nYou will have them Wednesday."),
      answer("fyi", "The kitchen is closed on Friday."),
    ],
  });
  const before = suite.server.engineCalls.filter((call) => call.kind === "chat").length;

  const notice = await triageNow(page);
  expect(notice).toContain("Filed 4 mails: 2 by rules, 2 by the model");

  // The engine was asked exactly twice, under the triage schema, and never about the rule-filed mail.
  const calls = suite.server.engineCalls.filter((call) => call.kind === "chat").slice(before);
  expect(calls).toHaveLength(2);
  for (const call of calls) {
    expect(call.request.response_format).toEqual({ type: "json_object", schema: TRIAGE_SCHEMA_TEXT });
    const prompt = JSON.stringify(call.request.messages);
    expect(prompt).not.toContain("This week in the garden");
    expect(prompt).not.toContain("Your order has shipped");
    expect(prompt).toContain('<untrusted source=\\"email\\">');
  }
  expect(JSON.stringify(calls[0]?.request.messages)).toContain("Budget for Q3");
  // The signature was cut before the model read the mail.
  expect(JSON.stringify(calls[0]?.request.messages)).not.toContain("Finance");

  expect((await storedValue<MailRecord>(page, "mail", "local:news"))?.triage).toMatchObject({
    category: "newsletter",
    decidedBy: "rule",
    ruleId: "list-unsubscribe",
  });
  expect((await storedValue<MailRecord>(page, "mail", "local:receipt"))?.triage).toMatchObject({
    category: "automated",
    decidedBy: "rule",
  });
  expect((await storedValue<MailRecord>(page, "mail", "local:budget"))?.triage).toMatchObject({
    category: "needs_reply",
    summary: "Ann needs the Q3 numbers before Thursday.",
    draftReply: "Hi Ann,\nYou will have them Wednesday.",
    decidedBy: "model",
  });
  expect((await storedValue<MailRecord>(page, "mail", "local:kitchen"))?.triage).toMatchObject({
    category: "fyi",
    decidedBy: "model",
  });

  // The run is on record as a manual run of the job, with its tokens and the mail it filed.
  const runs = await storedJobRuns(page, "mail-triage");
  const manual = runs.filter((run) => run.trigger === "manual");
  expect(manual.map((run) => [run.outcome, run.itemsFound])).toEqual([["ran", 4]]);
  expect(manual[0]?.tokens).toBeGreaterThan(0);

  // The Inbox shows them where they were filed, with the model's summary.
  await expect.poll(() => categoryButton(page, "needs_reply").innerText()).toMatch(/Needs reply\s*1/);
  await expect.poll(() => categoryButton(page, "newsletter").innerText()).toMatch(/Newsletter\s*1/);
  await categoryButton(page, "needs_reply").click();
  await inboxView(page)
    .locator("tabclaw-mail-list", { hasText: "Ann needs the Q3 numbers before Thursday." })
    .waitFor({ timeout: STEP_TIMEOUT_MS });

  // Nothing waits any more: a second Triage now asks the engine nothing.
  const after = suite.server.engineCalls.filter((call) => call.kind === "chat").length;
  await inboxView(page).getByRole("button", { name: "Triage now" }).click();
  await expect.poll(() => storedJobRuns(page, "mail-triage").then((all) => all.length)).toBe(runs.length + 1);
  expect(suite.server.engineCalls.filter((call) => call.kind === "chat").length).toBe(after);
  assertNoErrors();
});

test("Gmail: the worker reads Gmail through the page's Gate, then proposes labels and a reply draft for approval; nothing reaches Gmail", async () => {
  let fake: FakeGoogle | undefined;
  let app: AppPage | undefined;
  try {
    fake = await startFakeGoogle();
    app = await suite.open();
    const { page, context, assertNoErrors } = app;
    await waitForAppReady(page);
    await routeGoogleToFake(context, fake);
    fake.oauth.authoriseRedirectUri(DEFAULT_CLIENT_ID, oauthRedirectUri(new URL(page.url()).origin));
    const digest = fake.gmail.addMessage({
      raw: buildRawMail({
        from: { address: "digest@news.example.org" },
        to: "user@example.com",
        subject: "Weekly news",
        text: "All the news.",
        headers: { "List-Unsubscribe": "<https://news.example.org/u>" },
        date: new Date(Date.UTC(2024, 4, 6, 9, 0)),
      }),
      labelIds: ["INBOX", "UNREAD"],
    });
    const question = fake.gmail.addMessage({
      raw: buildRawMail({
        from: { name: "Ann Example", address: "ann@example.com" },
        to: "user@example.com",
        subject: "Q3 budget",
        text: "Could you send me the Q3 budget numbers before Thursday's board meeting?",
        date: new Date(Date.UTC(2024, 4, 6, 10, 0)),
      }),
      labelIds: ["INBOX", "UNREAD"],
    });
    await loadFixtureModel(page, suite.server);
    await connectGmail(page);
    suite.server.setEngineScript({
      responses: [answer("needs_reply", "Ann wants the Q3 numbers.", "Hi Ann, I will send them on Wednesday.")],
    });

    const notice = await triageNow(page);
    expect(notice).toContain("Filed 2 mails: 1 by rules, 1 by the model");
    expect(notice).toContain("Gmail: 2 labels and 1 reply draft wait for your approval in Approvals.");
    expect((await storedValue<MailRecord>(page, "mail", `gmail:${digest.id}`))?.triage?.ruleId).toBe(
      "list-unsubscribe",
    );
    expect((await storedValue<MailRecord>(page, "mail", `gmail:${question.id}`))?.triage?.decidedBy).toBe("model");

    await openView(page, "Approvals");
    const labelCards = page.locator("tabclaw-approval-card", { hasText: "Label a mail" });
    await expect.poll(() => labelCards.count(), { timeout: STEP_TIMEOUT_MS }).toBe(2);
    const draftCard = page.locator("tabclaw-approval-card", { hasText: "Save a reply draft in Gmail" });
    await draftCard.waitFor({ timeout: STEP_TIMEOUT_MS });
    expect(await draftCard.getByTestId("taint-warning").innerText()).toContain(`gmail:${question.id}`);
    expect(await page.locator("tabclaw-approval-card", { hasText: "Send a reply from Gmail" }).count()).toBe(0);
    // Nothing ran in Gmail: no label, no draft, nothing sent.
    expect(fake.gmail.mailbox.drafts()).toEqual([]);
    expect(fake.gmail.mailbox.sent).toEqual([]);
    expect(fake.gmail.quotaUnitsByMethod()["gmail.users.messages.modify"] ?? 0).toBe(0);
    expect(fake.violations).toEqual([]);
    assertNoErrors();
  } finally {
    // Nothing may still be on its way to the fake when it closes.
    await app?.context.unrouteAll({ behavior: "ignoreErrors" });
    await fake?.close();
  }
});
