/**
 * The Inbox as a user meets it, with mail stored the way the importer and the Gmail connector
 * store it: the empty state and its two ways in, categories with counts, summaries and who filed
 * each mail, problems from the import, text mail and attachments, re-filing a mail and the rule it
 * becomes, live updates from another tab, the batch of label changes in Approvals, and axe on all
 * of it in the light and the dark theme.
 */
import { pendingLabelApproval } from "./harness/label-approval";
import { oauthRedirectUri } from "../../src/auth/oauth-redirect";
import { expect, test } from "vitest";
import type { ApprovalRecord } from "../../src/store/approval-record";
import type { MailRecord, MailRule } from "../../src/store/mail-record";
import { approvalCard, seedApprovals } from "./harness/approval-steps";
import { openView, waitForAppReady } from "./harness/app-steps";
import type { AppPage } from "./harness/browser";
import {
  categoryButton,
  fixtureMail,
  inboxView,
  mailFrame,
  mailReader,
  mailRecord,
  openInbox,
  openMail,
  seedMail,
  storedValue,
} from "./harness/inbox-steps";
import { allowGmailLabels, connectGmail } from "./harness/gmail-steps";
import { useBrowserSuite } from "./harness/suite";
import { expectAccessible } from "./harness/axe-steps";
import {
  buildRawMail,
  DEFAULT_CLIENT_ID,
  routeGoogleToFake,
  startFakeGoogle,
  type FakeGoogle,
} from "../fakes/google/start-fake-google";

const suite = useBrowserSuite({ webgpu: false });

/** Every app page here may meet DOMPurify's parse-time CSP reports (see mail-xss.test.ts). */
const PARSE_TIME_CSP_REPORTS = [
  /Applying inline style violates the following Content Security Policy directive 'style-src 'self''/,
  /Executing inline event handler violates the following Content Security Policy directive 'script-src/,
];

async function openApp(colorScheme: "light" | "dark" = "light"): Promise<AppPage> {
  // bypassCSP only lets axe's own script in; the CSP itself is tested in csp.test.ts and mail-xss.test.ts.
  const app = await suite.open({ contextOptions: { colorScheme, bypassCSP: true } });
  await waitForAppReady(app.page);
  return app;
}

const userRule: MailRule = {
  id: "rule-ops",
  from: "@ops.example.com",
  category: "fyi",
  origin: "correction",
  createdAt: Date.UTC(2025, 4, 1),
};

/** One mail per way of being filed, plus one still waiting and one the import could not read completely. */
function seededInbox(): MailRecord[] {
  return [
    mailRecord({
      id: "local:urgent",
      from: { name: "Ann Example", address: "ann@example.com" },
      subject: "Server down",
      snippet: "The production server is down since 9:00",
      status: "triaged",
      triage: {
        category: "urgent",
        summary: "Production is down; Ann needs a decision now.",
        decidedBy: "model",
        modelId: "Qwen2.5-1.5B-Instruct-q4f32_1-MLC",
        at: 1,
      },
    }),
    mailRecord({
      id: "local:news",
      from: { address: "digest@news.example.org" },
      subject: "This week in gardening",
      snippet: "Tomatoes, tulips and more",
      ruleHeaders: { listUnsubscribe: "<mailto:unsubscribe@news.example.org>", listId: "<garden.news.example.org>" },
      status: "triaged",
      triage: { category: "newsletter", decidedBy: "rule", ruleId: "list-unsubscribe", at: 1 },
    }),
    mailRecord({
      id: "local:ops",
      from: { name: "Ops bot", address: "bot@ops.example.com" },
      subject: "Nightly backup finished",
      text: "Backup finished.\n\nDuration: 42 minutes\nSize: 1.2 GB",
      snippet: "Backup finished.",
      attachments: [
        { filename: "backup-report.pdf", mimeType: "application/pdf", size: 1_234_567 },
        { mimeType: "text/csv", size: 900 },
      ],
      status: "triaged",
      triage: { category: "fyi", decidedBy: "rule", ruleId: "rule-ops", at: 1 },
    }),
    mailRecord({
      id: "local:broken",
      from: { address: "someone@example.net" },
      subject: "Half a message",
      text: "The first part arrived",
      snippet: "The first part arrived",
      problem: "The multipart boundary is never closed: the rest of the message is missing.",
    }),
  ];
}

test("without mail, the Inbox explains the two ways in: import a file here, or connect Gmail in Settings", async () => {
  const { page, assertNoErrors } = await openApp();
  await openInbox(page);
  const empty = inboxView(page).getByTestId("inbox-empty");
  expect(await empty.getByRole("heading", { name: "No mail yet" }).count()).toBe(1);
  const text = await empty.innerText();
  expect(text).toContain("Either way, triage runs here, on this device.");
  expect(text).toMatch(/Import a mailbox file: an \.mbox file/);
  expect(text).toMatch(/Connect Gmail in Settings → Accounts/);
  // The importer itself, embedded where it is explained.
  expect(await empty.locator("tabclaw-mail-import-panel").count()).toBe(1);
  await expectAccessible(page, "empty Inbox");

  await empty.getByRole("button", { name: "Open Settings" }).click();
  await page.locator(`nav button[aria-current="page"]`, { hasText: "Settings" }).waitFor();
  // Settings loads on first use: wait for its Accounts section rather than count at once.
  await page.locator("tabclaw-accounts-settings").waitFor();
  assertNoErrors();
});

test("mail by category: counts, summaries or snippets, who filed it, import problems, text mail and attachments", async () => {
  const { page, assertNoErrors } = await openApp();
  await seedMail(page, seededInbox(), { mailRules: [userRule] });
  await openInbox(page);

  const counts = await inboxView(page).locator("nav[aria-label='Mail categories'] button").allInnerTexts();
  expect(counts.map((text) => text.replace(/\s+/g, " ").trim())).toEqual([
    "Urgent 1",
    "Needs reply 0",
    "FYI 1",
    "Newsletter 1",
    "Automated 0",
    "Suspicious 0",
    "Not triaged yet 1",
  ]);
  // The first category with mail is open, with the model's one-line summary.
  expect(await categoryButton(page, "urgent").getAttribute("aria-pressed")).toBe("true");
  const urgent = inboxView(page).locator("tabclaw-mail-list button[data-mail-id='local:urgent']");
  expect(await urgent.innerText()).toContain("Production is down; Ann needs a decision now.");
  expect(await urgent.innerText()).toContain("Filed by the model (Qwen2.5-1.5B-Instruct-q4f32_1-MLC) · Imported");

  // A built-in rule by its id; a rule of the user's by what it matches. No summary: the snippet.
  await categoryButton(page, "newsletter").click();
  const news = inboxView(page).locator("tabclaw-mail-list button[data-mail-id='local:news']");
  expect(await news.innerText()).toContain("Tomatoes, tulips and more");
  expect(await news.innerText()).toContain("Filed by a rule: List-Unsubscribe header");
  await openMail(page, "fyi", "local:ops");
  expect(await mailReader(page).getByTestId("mail-decided-by").innerText()).toBe(
    "Filed by your rule: Mail from anyone at ops.example.com",
  );
  // Text-only mail as text, attachments by name, type and size.
  expect(await mailReader(page).getByTestId("mail-text").innerText()).toBe(
    "Backup finished.\n\nDuration: 42 minutes\nSize: 1.2 GB",
  );
  expect(await mailReader(page).locator("tabclaw-mail-frame").count()).toBe(0);
  expect(await mailReader(page).getByTestId("mail-attachments").locator("li").allInnerTexts()).toEqual([
    "backup-report.pdf — application/pdf, 1.2 MB",
    "(no name) — text/csv, 900 B",
  ]);

  // What the import could not read is marked in the list and explained in the mail.
  await categoryButton(page, "new").click();
  const broken = inboxView(page).locator("tabclaw-mail-list button[data-mail-id='local:broken']");
  expect(await broken.innerText()).toContain("Waiting for triage · Imported · Not read completely");
  await openMail(page, "new", "local:broken");
  expect(await mailReader(page).getByTestId("mail-problem").innerText()).toContain(
    "This mail could not be read completely: The multipart boundary is never closed",
  );
  assertNoErrors();
});

test("re-filing a mail files it as yours and offers a rule; the rule is listed, kept across a reload, and deleted", async () => {
  const { page, assertNoErrors } = await openApp();
  await seedMail(page, seededInbox());
  await openInbox(page);
  await openMail(page, "urgent", "local:urgent");

  await mailReader(page).getByLabel("Category").selectOption("newsletter");
  await mailReader(page).getByTestId("rule-offer").waitFor();
  expect(await mailReader(page).getByTestId("mail-decided-by").innerText()).toBe("Filed by you");
  expect((await categoryButton(page, "urgent").innerText()).replace(/\s+/g, " ").trim()).toBe("Urgent 0");
  expect((await categoryButton(page, "newsletter").innerText()).replace(/\s+/g, " ").trim()).toBe("Newsletter 2");
  const stored = await storedValue<MailRecord>(page, "mail", "local:urgent");
  expect(stored?.triage).toMatchObject({ category: "newsletter", decidedBy: "user" });
  // The model's summary still describes the mail; it stays.
  expect(stored?.triage?.summary).toBe("Production is down; Ann needs a decision now.");

  const offer = mailReader(page).getByTestId("rule-offer");
  expect(await offer.getByRole("button").allInnerTexts()).toEqual([
    "Mail from ann@example.com",
    "Mail from anyone at example.com",
    "Only this mail",
  ]);
  await offer.getByRole("button", { name: "Mail from anyone at example.com" }).click();
  await mailReader(page).getByTestId("mail-notice").filter({ hasText: "Rule saved" }).waitFor();
  const rules = inboxView(page).locator("tabclaw-mail-rules-list");
  expect((await rules.locator("li").innerText()).replace(/\s+/g, " ")).toMatch(
    /^Mail from anyone at example\.com → Newsletter \(from your correction, /,
  );
  expect(await storedValue<MailRule[]>(page, "settings", "mailRules")).toEqual([
    expect.objectContaining({
      from: "@example.com",
      category: "newsletter",
      origin: "correction",
      fromMailId: "local:urgent",
    }),
  ]);

  await page.reload();
  await waitForAppReady(page);
  await openInbox(page);
  expect(await inboxView(page).locator("tabclaw-mail-rules-list li").count()).toBe(1);
  await openMail(page, "newsletter", "local:urgent");
  expect(await mailReader(page).getByTestId("mail-decided-by").innerText()).toBe("Filed by you");

  await rules.getByRole("button", { name: "Delete the rule: Mail from anyone at example.com" }).click();
  await rules.getByTestId("mail-rules-empty").waitFor();
  expect(await storedValue<MailRule[]>(page, "settings", "mailRules")).toEqual([]);
  assertNoErrors();
});

test("mail stored by another tab or the agent worker appears at once, announced on the tabclaw-mail channel", async () => {
  const { page, assertNoErrors } = await openApp();
  await seedMail(page, seededInbox());
  await openInbox(page);
  const fresh = mailRecord({ id: "local:fresh", subject: "Just arrived", snippet: "Hello from the importer" });
  // What the import worker does: store, then announce.
  await page.evaluate(async (record) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("tabclaw");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
    });
    const tx = db.transaction("mail", "readwrite");
    tx.objectStore("mail").put(record);
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
    const channel = new BroadcastChannel("tabclaw-mail");
    channel.postMessage({ type: "changed" });
    channel.close();
  }, fresh);
  await expect
    .poll(async () => (await categoryButton(page, "new").innerText()).replace(/\s+/g, " ").trim())
    .toBe("Not triaged yet 2");
  await categoryButton(page, "new").click();
  expect(await inboxView(page).locator("tabclaw-mail-list button[data-mail-id='local:fresh']").innerText()).toContain(
    "Hello from the importer",
  );
  assertNoErrors();
});

/** Pending label changes as triage proposes them: tainted by the mail each one files. */
function pendingLabel(n: number): ApprovalRecord {
  const mailId = `gmail:18f0c${n}`;
  return pendingLabelApproval({
    id: `label-${n}`,
    mailId,
    mailSubject: `Weekly digest ${n}`,
    mailFrom: "news@example.org",
    proposedAt: Date.UTC(2025, 5, 2, 9, n),
    reason: "A newsletter: it has List-Unsubscribe.",
    taintedBy: mailId,
  });
}

function pendingSend(): ApprovalRecord {
  const record = pendingLabel(9);
  const args = { mailId: "gmail:18f0c9", to: "ann@example.com", subject: "Re: Hi", body: "Yes." };
  return {
    ...record,
    id: "send-1",
    action: {
      ...record.action,
      id: "send-1",
      tool: "gmail_send_reply",
      effect: "send",
      scope: "https://www.googleapis.com/auth/gmail.compose",
      arguments: args,
      preview: { title: "Send a reply from Gmail", fields: [{ label: "To", value: args.to }], body: args.body },
    },
  };
}

test("Approvals lists waiting label changes for one decision, keeps each card's Reject, and never batches a send", async () => {
  const { page, assertNoErrors } = await openApp();
  await seedApprovals(page, [pendingLabel(1), pendingLabel(2), pendingLabel(3), pendingSend()]);
  await openView(page, "Approvals");
  const batch = page.getByTestId("label-batch");
  await batch.waitFor();
  expect(await batch.locator("li").allInnerTexts()).toEqual([
    "“Weekly digest 1” from news@example.org → Tabclaw/Newsletter",
    "“Weekly digest 2” from news@example.org → Tabclaw/Newsletter",
    "“Weekly digest 3” from news@example.org → Tabclaw/Newsletter",
  ]);
  expect(await batch.innerText()).toContain(
    "The labels were chosen after reading these mails, which someone else wrote.",
  );
  await expectAccessible(page, "Approvals with a batch of label changes");

  // One card rejected on its own: the batch shrinks, the send is never in it.
  await approvalCard(page, "label-1").getByRole("button", { name: "Reject…" }).click();
  await approvalCard(page, "label-1").getByRole("button", { name: "Reject", exact: true }).click();
  await batch.getByRole("button", { name: "Approve all 2 label changes" }).waitFor();

  // Gmail is not connected in this profile: each approval reaches the Gate, which says so, and nothing runs.
  await batch.getByRole("button", { name: "Approve all 2 label changes" }).click();
  await expect
    .poll(() => page.getByTestId("approvals-decision-announcement").innerText())
    .toBe(
      "0 label changes done; 2 did not run: gmail is not connected: connect it, then approve. gmail is not connected: connect it, then approve.",
    );
  const waiting = await page
    .getByTestId("approvals-pending")
    .locator("tabclaw-approval-card")
    .evaluateAll((cards) => cards.map((card) => card.getAttribute("data-id")));
  expect(waiting).toEqual(["label-2", "label-3", "send-1"]);
  assertNoErrors();
});

test("a correction becomes a rule that files later mail: Triage now files the next mail from that domain by it, with no model", async () => {
  const { page, assertNoErrors } = await openApp();
  const later = mailRecord({
    id: "local:later",
    from: { name: "Bob Example", address: "bob@example.com" },
    subject: "Another one from example.com",
    snippet: "More news from example.com",
  });
  const newsletter = mailRecord({
    id: "local:unsubscribe",
    from: { address: "digest@garden.example.org" },
    subject: "Garden digest",
    ruleHeaders: { listUnsubscribe: "<https://garden.example.org/unsubscribe>" },
  });
  await seedMail(page, [...seededInbox(), later, newsletter]);
  await openInbox(page);
  await openMail(page, "urgent", "local:urgent");
  await mailReader(page).getByLabel("Category").selectOption("newsletter");
  await mailReader(page)
    .getByTestId("rule-offer")
    .getByRole("button", { name: "Mail from anyone at example.com" })
    .click();
  await mailReader(page).getByTestId("mail-notice").filter({ hasText: "Rule saved" }).waitFor();

  // No model is loaded (this browser has none): rules still file what they match, at 0 tokens.
  await inboxView(page).getByRole("button", { name: "Triage now" }).click();
  const notice = inboxView(page).getByTestId("inbox-notice");
  await notice.filter({ hasText: /\S/ }).waitFor({ timeout: 60_000 });
  // The run's own report, not a failure.
  expect(await notice.getAttribute("class")).not.toBe("error");
  expect(await notice.innerText()).toMatch(/^Filed 2 mails: 2 by rules/);
  await expect
    .poll(async () => (await storedValue<MailRecord>(page, "mail", "local:later"))?.triage)
    .toMatchObject({ category: "newsletter", decidedBy: "rule" });
  expect((await storedValue<MailRecord>(page, "mail", "local:unsubscribe"))?.triage).toMatchObject({
    category: "newsletter",
    decidedBy: "rule",
    ruleId: "list-unsubscribe",
  });
  await categoryButton(page, "newsletter").click();
  const filed = inboxView(page).locator("tabclaw-mail-list button[data-mail-id='local:later']");
  expect(await filed.innerText()).toContain("Filed by your rule: Mail from anyone at example.com");
  expect(
    await inboxView(page).locator("tabclaw-mail-list button[data-mail-id='local:unsubscribe']").innerText(),
  ).toContain("Filed by a rule: List-Unsubscribe header");
  // What needs the model still waits for it, and the run said so.
  expect((await storedValue<MailRecord>(page, "mail", "local:broken"))?.status).toBe("new");
  assertNoErrors([/No available adapters/]);
});

for (const colorScheme of ["light", "dark"] as const) {
  test(`the Inbox with mail, an open HTML mail and an open text mail pass axe (${colorScheme})`, async () => {
    const { page, assertNoErrors } = await openApp(colorScheme);
    const newsletter = await fixtureMail("mail-xss", "remote-images.eml", {
      status: "triaged",
      triage: { category: "newsletter", decidedBy: "rule", ruleId: "list-unsubscribe", at: 1 },
    });
    const replyNeeded = mailRecord({
      id: "local:reply",
      subject: "Can we meet on Tuesday?",
      status: "triaged",
      triage: {
        category: "needs_reply",
        summary: "Ann asks for a meeting on Tuesday.",
        draftReply: "Hi Ann, Tuesday at 10 works for me.",
        decidedBy: "model",
        at: 1,
      },
    });
    await seedMail(page, [...seededInbox(), newsletter, replyNeeded]);
    await openInbox(page);
    await expectAccessible(page, `Inbox (${colorScheme})`);

    await openMail(page, "newsletter", newsletter.id);
    await mailFrame(page);
    await mailReader(page).getByTestId("remote-images").waitFor();
    await expectAccessible(page, `open HTML mail with blocked images (${colorScheme})`);

    await openMail(page, "needs_reply", "local:reply");
    expect(await mailReader(page).getByLabel("Reply text").inputValue()).toBe("Hi Ann, Tuesday at 10 works for me.");
    // An imported mail cannot be answered through Gmail.
    expect(await mailReader(page).getByRole("button", { name: "Create draft in Gmail" }).count()).toBe(0);
    await mailReader(page).getByLabel("Category").selectOption("fyi");
    await mailReader(page).getByTestId("rule-offer").waitFor();
    await expectAccessible(page, `open text mail with the rule offer (${colorScheme})`);
    assertNoErrors(PARSE_TIME_CSP_REPORTS);
  });
}

test("Gmail: opening a mail reads its body through the Gate; its draft and its label changes wait for approval, then reach Gmail once", async () => {
  let fake: FakeGoogle | undefined;
  let app: AppPage | undefined;
  try {
    fake = await startFakeGoogle();
    app = await openApp();
    const { page, context, assertNoErrors } = app;
    await routeGoogleToFake(context, fake);
    fake.oauth.authoriseRedirectUri(DEFAULT_CLIENT_ID, oauthRedirectUri(new URL(page.url()).origin));
    const question = fake.gmail.addMessage({
      raw: buildRawMail({
        from: { name: "Ann Example", address: "ann@example.com" },
        to: "user@example.com",
        subject: "Q3 budget",
        text: "Could you send me the Q3 budget numbers before Thursday's board meeting?",
      }),
    });
    const digest = fake.gmail.addMessage({
      raw: buildRawMail({ from: "digest@news.example.org", to: "user@example.com", subject: "Weekly", text: "News." }),
    });
    // As Gmail sync stores them: headers and snippet only, triaged.
    const gmailMail = (id: string, overrides: Partial<MailRecord>): MailRecord =>
      mailRecord({ id: `gmail:${id}`, source: "gmail", sourceId: id, bodyLoaded: false, text: "", ...overrides });
    await seedMail(page, [
      gmailMail(question.id, {
        threadId: question.threadId,
        from: { name: "Ann Example", address: "ann@example.com" },
        subject: "Q3 budget",
        snippet: "Could you send me the Q3 budget numbers",
        status: "triaged",
        triage: {
          category: "needs_reply",
          summary: "Ann wants the Q3 numbers before Thursday.",
          draftReply: "Hi Ann, I will send the Q3 numbers on Wednesday.",
          decidedBy: "model",
          at: 1,
        },
      }),
      gmailMail(digest.id, { from: { address: "digest@news.example.org" }, subject: "Weekly", snippet: "News." }),
    ]);
    await connectGmail(page);
    await allowGmailLabels(page);

    await openInbox(page);
    await openMail(page, "needs_reply", `gmail:${question.id}`);
    await mailReader(page).getByTestId("mail-text").filter({ hasText: "before Thursday's board meeting" }).waitFor();
    expect((await storedValue<MailRecord>(page, "mail", `gmail:${question.id}`))?.triage?.category).toBe("needs_reply");

    await mailReader(page).getByRole("button", { name: "Create draft in Gmail" }).click();
    await expect
      .poll(() => mailReader(page).getByTestId("mail-notice").innerText())
      .toBe("The Gmail draft waits for your approval in Approvals. Nothing leaves until you approve it there.");
    expect(await mailReader(page).getByRole("button", { name: "Create draft in Gmail" }).isDisabled()).toBe(true);
    expect(fake.gmail.mailbox.drafts()).toEqual([]);

    await mailReader(page).getByRole("button", { name: "Open Approvals" }).click();
    const card = page.locator("tabclaw-approval-card", { hasText: "Save a reply draft in Gmail" });
    const warning = await card.getByTestId("taint-warning").innerText();
    expect(warning).toContain(`Untrusted sources: gmail:${question.id}.`);
    expect(await card.getByTestId("argument-origins").locator("li").allInnerTexts()).toEqual([
      `mailId: from you`,
      `to: copied from gmail:${question.id} (untrusted)`,
      // "Re: Q3 budget" shares no 12-character run with the mail: the taint check cannot see it was derived.
      "subject: written by the model",
      "body: written by the model",
    ]);
    await card.getByRole("button", { name: "Approve", exact: true }).click();
    await expect.poll(() => fake?.gmail.mailbox.drafts().length).toBe(1);
    const draft = fake.gmail.mailbox.message(fake.gmail.mailbox.drafts()[0]?.messageId ?? "");
    expect(draft?.threadId).toBe(question.threadId);
    expect(draft?.text).toContain("I will send the Q3 numbers on Wednesday.");

    // Label changes from triage, approved together: each reaches Gmail once.
    const labelFor = (n: number, id: string, subject: string, from: string): ApprovalRecord => {
      const record = pendingLabel(n);
      const args = { mailId: `gmail:${id}`, label: "Tabclaw/Newsletter", mailSubject: subject, mailFrom: from };
      return { ...record, action: { ...record.action, arguments: args } };
    };
    await seedApprovals(page, [
      labelFor(1, digest.id, "Weekly", "digest@news.example.org"),
      labelFor(2, question.id, "Q3 budget", "ann@example.com"),
    ]);
    // A reload ends the in-memory sign-in unless it is kept: sign in again.
    await connectGmail(page);
    await allowGmailLabels(page);
    await openView(page, "Approvals");
    await page.getByTestId("label-batch").getByRole("button", { name: "Approve all 2 label changes" }).click();
    await expect
      .poll(() => page.getByTestId("approvals-decision-announcement").innerText())
      .toBe("2 label changes done.");
    const label = fake.gmail.mailbox.labelByName("Tabclaw/Newsletter");
    expect(label).toBeDefined();
    for (const id of [digest.id, question.id]) {
      expect(fake.gmail.mailbox.message(id)?.labelIds.has(label?.id ?? "")).toBe(true);
    }
    expect(fake.violations).toEqual([]);
    assertNoErrors(PARSE_TIME_CSP_REPORTS);
  } finally {
    // Nothing may still be on its way to the fake when it closes.
    await app?.context.unrouteAll({ behavior: "ignoreErrors" });
    await fake?.close();
  }
});
