/**
 * Importing mailbox files as a user does, in Chromium, through the real import worker: files are
 * chosen in the Inbox's import panel, the progress bar moves, the mails land in the app's
 * IndexedDB, messages that could not be read completely are listed, and everything is still
 * there after a reload. Cancelling and a closed tab keep what was stored and say so (a full disk is
 * tested in Node: Chromium's CDP quota override did not make these IndexedDB writes fail).
 * The larger mailboxes are generated at test time into a temporary folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AxeResults } from "axe-core";
import type { Locator, Page } from "playwright-core";
import { afterAll, expect, test } from "vitest";
import type { MailImportRecord } from "../../src/store/mail-record";
import { PROJECT_ROOT } from "../fakes/paths";
import { writeGeneratedMbox } from "../bench/mbox-generator";
import { waitForAppReady, waitUntilControlled } from "./harness/app-steps";
import { inboxView, openInbox } from "./harness/inbox-steps";
import { useBrowserSuite } from "./harness/suite";

const suite = useBrowserSuite({ webgpu: false });
const FIXTURES = join(PROJECT_ROOT, "test", "fixtures", "mail");
const scratch = mkdtempSync(join(tmpdir(), "tabclaw-mail-import-test-"));
const STEP_TIMEOUT_MS = 60_000;
const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A generated Takeout-shaped mailbox of about `bytes`, and how many messages it holds. */
function generatedMailbox(name: string, bytes: number): { path: string; messages: number } {
  const path = join(scratch, name);
  return { path, messages: writeGeneratedMbox(path, bytes).messages };
}

function fixture(name: string): string {
  return join(FIXTURES, name);
}

function importPanel(page: Page): Locator {
  return inboxView(page).locator("tabclaw-mail-import-panel");
}

async function chooseFiles(page: Page, paths: string[]): Promise<void> {
  await importPanel(page).getByLabel("Choose .mbox or .eml files").setInputFiles(paths);
}

function summary(page: Page): Locator {
  return importPanel(page).getByTestId("mail-import-summary");
}

async function waitForSummary(page: Page, heading: string): Promise<string> {
  await summary(page).getByText(heading).waitFor({ timeout: STEP_TIMEOUT_MS });
  return summary(page).innerText();
}

/** Everything in one store of the app's IndexedDB. */
function storedAll<T>(page: Page, store: "mail" | "mailImports"): Promise<T[]> {
  return page.evaluate<T[], typeof store>(async (storeName) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("tabclaw");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
    });
    const values = await new Promise<unknown[]>((resolve, reject) => {
      const request = db.transaction(storeName).objectStore(storeName).getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not read"));
    });
    db.close();
    return values as T[];
  }, store);
}

async function storedMail(page: Page): Promise<{ id: string; subject: string; receivedAt: number; text: string }[]> {
  return storedAll(page, "mail");
}

test("an mbox and .eml files: progress in a worker, every mail stored, problems listed, all kept after a reload", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await openInbox(page);
  const big = generatedMailbox("takeout.mbox", 40_000_000);
  const files = [
    big.path,
    fixture("takeout-escapes.mbox"),
    fixture("nested-multipart.eml"),
    fixture("shift-jis.eml"),
    fixture("broken-boundary.eml"),
    fixture("truncated.eml"),
  ];
  const expected = big.messages + 3 + 4;
  const workerStarted = page.waitForEvent("worker", {
    predicate: (worker) => worker.url().includes("mail-import.worker"),
    timeout: STEP_TIMEOUT_MS,
  });
  await chooseFiles(page, files);

  // The import runs in its own worker, and the page shows it moving.
  await workerStarted;
  const progress = importPanel(page).getByRole("progressbar", { name: "Importing mail" });
  await progress.waitFor({ timeout: STEP_TIMEOUT_MS });
  expect(await progress.getAttribute("aria-valuetext")).toMatch(/^\d+%, .+ of .+ MB, [\d,]+ messages saved$/);
  expect(await importPanel(page).getByRole("button", { name: "Cancel import" }).isVisible()).toBe(true);

  const text = await waitForSummary(page, "Import finished");
  expect(text).toContain(`${expected.toLocaleString("en-US")} imported, 0 already there, 3 with problems.`);
  expect(await progress.count()).toBe(0);

  // Each problem names the file, the position, the subject, what went wrong and what to do.
  const problems = importPanel(page).getByTestId("mail-import-problems").locator("li");
  expect(await problems.count()).toBe(3);
  const listed = await problems.allInnerTexts();
  expect(listed.find((item) => item.startsWith("broken-boundary.eml, message 1"))).toMatch(
    /“Parts that do not match”[\s\S]*the boundary its Content-Type names never appears[\s\S]*It is in your Inbox as far as it could be read/,
  );
  expect(listed.find((item) => item.startsWith("takeout-escapes.mbox, message 3"))).toMatch(
    /“no sender, dated”[\s\S]*It names no sender/,
  );
  expect(listed.find((item) => item.startsWith("truncated.eml, message 1"))).toMatch(/looks cut off/);

  const mails = await storedMail(page);
  expect(mails).toHaveLength(expected);
  const subjects = new Set(mails.map((mail) => mail.subject));
  for (const subject of [
    "会議の議事録",
    "Quarterly plan, with the slides",
    "Re: Escapes in the body",
    "Parts that do not match",
  ]) {
    expect(subjects.has(subject), subject).toBe(true);
  }
  expect(mails.find((mail) => mail.subject === "Re: Escapes in the body")?.receivedAt).toBe(
    Date.UTC(2023, 2, 15, 9, 30, 0),
  );
  expect(mails.every((mail) => /^local:[0-9a-f]{64}$/.test(mail.id))).toBe(true);

  await page.reload();
  await waitForAppReady(page);
  await openInbox(page);
  expect(await storedMail(page)).toHaveLength(expected);
  // The Inbox lists the mail now, and the panel (under "Import more mail") still shows the report.
  await inboxView(page).locator("nav[aria-label='Mail categories']").waitFor({ timeout: STEP_TIMEOUT_MS });
  expect(await waitForSummary(page, "Import finished")).toContain("3 with problems");
  expect(await importPanel(page).getByTestId("mail-import-problems").locator("li").count()).toBe(3);

  // Importing a file again adds no copy.
  await chooseFiles(page, [fixture("shift-jis.eml")]);
  await summary(page).getByText("0 imported, 1 already there, 0 with problems.").waitFor({ timeout: STEP_TIMEOUT_MS });
  expect(await storedMail(page)).toHaveLength(expected);
  assertNoErrors();
});

test("Cancel import stops it, keeps what was stored and says how much", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await openInbox(page);
  const big = generatedMailbox("cancel.mbox", 120_000_000);
  await chooseFiles(page, [big.path]);
  const cancel = importPanel(page).getByRole("button", { name: "Cancel import" });
  await cancel.waitFor({ timeout: STEP_TIMEOUT_MS });
  await cancel.click();

  const text = await waitForSummary(page, "Import cancelled");
  const imported = Number(/([\d,]+) imported/.exec(text)?.[1]?.replace(/,/g, ""));
  expect(imported).toBeLessThan(big.messages);
  expect(await storedMail(page)).toHaveLength(imported);
  const [report] = await storedAll<MailImportRecord>(page, "mailImports");
  expect(report).toMatchObject({ status: "cancelled", stored: imported });
  assertNoErrors();
});

test("a tab closed mid-import: the next start shows it interrupted, with the mails it stored", async () => {
  const { context, page } = await suite.open();
  await waitForAppReady(page);
  await openInbox(page);
  const big = generatedMailbox("closed.mbox", 120_000_000);
  await chooseFiles(page, [big.path]);
  const progress = importPanel(page).getByRole("progressbar", { name: "Importing mail" });
  await progress.waitFor({ timeout: STEP_TIMEOUT_MS });
  // Wait until a batch is stored, then close the tab (its worker dies with it).
  await page.waitForFunction(
    () => {
      const app = document.querySelector("tabclaw-app");
      const inbox = app?.shadowRoot?.querySelector("tabclaw-inbox-view");
      const panel = inbox?.shadowRoot?.querySelector("tabclaw-mail-import-panel");
      const text = panel?.shadowRoot?.querySelector("[data-testid='mail-import-figures']")?.textContent ?? "";
      return /[1-9][\d,]* new/.test(text);
    },
    undefined,
    { timeout: STEP_TIMEOUT_MS },
  );
  await page.close();

  const next = await context.newPage();
  await next.goto("/");
  await waitForAppReady(next);
  await openInbox(next);
  const text = await waitForSummary(next, "Import interrupted");
  const imported = Number(/([\d,]+) imported/.exec(text)?.[1]?.replace(/,/g, ""));
  expect(imported).toBeGreaterThan(0);
  expect(imported).toBeLessThan(big.messages);
  expect(await importPanel(next).getByTestId("mail-import-error").innerText()).toMatch(
    /The tab closed before this import finished\. The [\d,]+ new mails it stored are kept; import the same files again/,
  );
  // The report is written just after each batch: a tab closed between the two leaves at most one
  // batch (200 mails) stored beyond the count.
  const stored = (await storedMail(next)).length;
  expect(stored).toBeGreaterThanOrEqual(imported);
  expect(stored).toBeLessThanOrEqual(imported + 200);
});

test("with the app installed and the network off, an import still runs (the worker comes from the precache)", async () => {
  const { context, page, assertNoErrors } = await suite.open();
  await waitUntilControlled(page);
  await context.setOffline(true);
  await page.reload();
  await waitForAppReady(page);
  await openInbox(page);
  await chooseFiles(page, [fixture("quoted-printable.eml"), fixture("iso-8859-1.eml")]);
  expect(await waitForSummary(page, "Import finished")).toContain("2 imported, 0 already there, 0 with problems.");
  const subjects = (await storedMail(page)).map((mail) => mail.subject).sort();
  expect(subjects).toEqual(["Grüße aus Köln", "Réunion à café"]);
  await context.setOffline(false);
  assertNoErrors([/net::ERR_INTERNET_DISCONNECTED/]);
});

/** axe on the import panel only (inside the app's and the Inbox's shadow roots). */
async function expectPanelAccessible(page: Page, where: string): Promise<void> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_PATH });
  const results = await page.evaluate(async (tags: string[]) => {
    const { axe } = window as unknown as { axe: { run(context: object, options: object): Promise<AxeResults> } };
    const found = await axe.run(
      { include: [{ fromShadowDom: ["tabclaw-app", "tabclaw-inbox-view", "tabclaw-mail-import-panel"] }] },
      { runOnly: tags },
    );
    return {
      passes: found.passes.length,
      violations: found.violations.map((violation) => ({
        id: violation.id,
        nodes: violation.nodes.map((node) => JSON.stringify(node.target)),
      })),
    };
  }, AXE_TAGS);
  expect(results.passes, where).toBeGreaterThan(3);
  expect(results.violations, `${where}: ${JSON.stringify(results.violations, null, 2)}`).toEqual([]);
}

for (const colorScheme of ["light", "dark"] as const) {
  test(`the panel passes axe while importing and with problems listed (${colorScheme})`, async () => {
    // bypassCSP only lets axe's own script in; the CSP itself is tested in csp.test.ts.
    const { page } = await suite.open({ contextOptions: { colorScheme, bypassCSP: true } });
    await waitForAppReady(page);
    await openInbox(page);
    await expectPanelAccessible(page, "the panel before an import");
    const big = generatedMailbox(`axe-${colorScheme}.mbox`, 120_000_000);
    await chooseFiles(page, [big.path, fixture("broken-boundary.eml")]);
    await importPanel(page).getByRole("progressbar", { name: "Importing mail" }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await expectPanelAccessible(page, "the panel while importing");
    await waitForSummary(page, "Import finished");
    await importPanel(page).getByTestId("mail-import-problems").waitFor({ timeout: STEP_TIMEOUT_MS });
    await expectPanelAccessible(page, "the panel with a problem listed");
  });
}
