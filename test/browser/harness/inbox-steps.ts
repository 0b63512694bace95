/**
 * The Inbox without an import or a Gmail account: mail is written straight into the app's
 * IndexedDB as the importer and the Gmail connector store it, then the page reloads so the app
 * reads it. Fixture mails are parsed by the product's own parser (`mailFromMime`) in Node first.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Frame, Locator, Page } from "playwright-core";
import { mailFromMime } from "../../../src/mail/mail-from-mime";
import type { MailRecord } from "../../../src/store/mail-record";
import type { Settings } from "../../../src/store/settings-store";
import { PROJECT_ROOT } from "../../fakes/paths";
import { storedMail } from "../../fakes/stored-mail";
import { waitForAppReady } from "./app-steps";

const STEP_TIMEOUT_MS = 30_000;

/** A plain stored mail; every field can be overridden. */
export const mailRecord = storedMail;

/** One file of `test/fixtures/<folder>/` parsed into a MailRecord as an import would store it. */
export async function fixtureMail(
  folder: string,
  file: string,
  overrides: Partial<MailRecord> = {},
): Promise<MailRecord> {
  const raw = await readFile(join(PROJECT_ROOT, "test", "fixtures", folder, file));
  const parsed = await mailFromMime(new Uint8Array(raw), { source: "local", sourceId: "fixture-import" }, Date.now());
  return { ...parsed.mail, ...overrides };
}

/** Stores `mails` (and settings, if given) as the app does, then reloads so the app reads them. */
export async function seedMail(
  page: Page,
  mails: readonly MailRecord[],
  settings: Partial<Pick<Settings, "mailRules" | "mailRemoteImageSenders">> = {},
): Promise<void> {
  await page.evaluate(
    async ({ records, values }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open("tabclaw");
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
      });
      const tx = db.transaction(["mail", "settings"], "readwrite");
      for (const record of records) tx.objectStore("mail").put(record);
      for (const [key, value] of Object.entries(values)) tx.objectStore("settings").put(value, key);
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error ?? new Error("could not store the mail"));
      });
      db.close();
    },
    { records: [...mails], values: settings },
  );
  await page.reload();
  await waitForAppReady(page);
}

/** Reads one stored value of the app's IndexedDB (a mail, a setting). */
export function storedValue<T>(page: Page, store: "mail" | "settings", key: string): Promise<T | undefined> {
  return page.evaluate(
    async ({ storeName, id }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open("tabclaw");
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
      });
      const value = await new Promise<unknown>((resolve, reject) => {
        const request = db.transaction(storeName).objectStore(storeName).get(id);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error("could not read"));
      });
      db.close();
      return value as T | undefined;
    },
    { storeName: store, id: key },
  );
}

export function inboxView(page: Page): Locator {
  return page.locator("tabclaw-inbox-view");
}

/** Presses Inbox in the header and waits until the view has read the mail store. */
export async function openInbox(page: Page): Promise<void> {
  await page
    .getByRole("navigation", { name: "Views" })
    .getByRole("button", { name: /^Inbox\b/ })
    .click();
  await inboxView(page).locator("h2", { hasText: "Inbox" }).waitFor({ timeout: STEP_TIMEOUT_MS });
  await inboxView(page)
    .locator("nav[aria-label='Mail categories'], [data-testid='inbox-empty']")
    .first()
    .waitFor({ timeout: STEP_TIMEOUT_MS });
}

/** The category button in the Inbox (its name is the title followed by the count). */
export function categoryButton(page: Page, category: string): Locator {
  return inboxView(page).locator(`nav[aria-label='Mail categories'] button[data-category="${category}"]`);
}

/** Picks a category, then opens one of its mails; returns once the reader shows it. */
export async function openMail(page: Page, category: string, mailId: string): Promise<void> {
  await categoryButton(page, category).click();
  await inboxView(page).locator(`tabclaw-mail-list button[data-mail-id="${mailId}"]`).click();
  await mailReader(page).locator(`article[data-mail-id="${mailId}"]`).waitFor({ timeout: STEP_TIMEOUT_MS });
}

export function mailReader(page: Page): Locator {
  return inboxView(page).locator("tabclaw-mail-reader");
}

/** The open mail's frame once its document has loaded. */
export async function mailFrame(page: Page): Promise<Frame> {
  const element = await mailReader(page)
    .locator("tabclaw-mail-frame iframe")
    .elementHandle({ timeout: STEP_TIMEOUT_MS });
  if (!element) throw new Error("The open mail has no frame.");
  const frame = await element.contentFrame();
  if (!frame) throw new Error("The mail frame has no document.");
  await frame.waitForLoadState("load");
  return frame;
}
