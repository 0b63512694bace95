/**
 * Gmail in Settings → Accounts against the fake Google (routed in place of Google's hosts by
 * `routeGoogleToFake`): the client ID the fake knows, Google's consent window, the labels permission.
 */
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { DEFAULT_CLIENT_ID } from "../../fakes/google/start-fake-google";
import { openView } from "./app-steps";

const STEP_TIMEOUT_MS = 60_000;

/** Saves the fake's client ID (once), signs in read-only in Google's window; returns once connected. */
export async function connectGmail(page: Page): Promise<void> {
  await openView(page, "Settings");
  const accounts = page.locator("tabclaw-accounts-settings");
  const save = accounts.getByRole("button", { name: "Save client ID" });
  await accounts.getByLabel("Google OAuth client ID").fill(DEFAULT_CLIENT_ID);
  if (await save.isEnabled()) await save.click();
  await accounts.getByRole("button", { name: "Connect Gmail (read-only)" }).click();
  await accounts.locator("[data-testid='gmail-status'][data-status='connected']").waitFor({ timeout: STEP_TIMEOUT_MS });
}

/** Turns on Apply labels (gmail.modify, which allows drafts too) unless Google already granted it. */
export async function allowGmailLabels(page: Page): Promise<void> {
  const labels = page.locator("tabclaw-accounts-settings").getByLabel("Apply labels");
  // The box stays unticked until Google answers (it shows what was granted).
  if (!(await labels.isChecked())) await labels.click();
  await expect.poll(() => labels.isChecked()).toBe(true);
}
