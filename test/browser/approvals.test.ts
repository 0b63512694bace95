/**
 * The Approvals view and its cards as a user meets them, with approvals stored the way the Gate
 * stores them (no model needed): the badge, the tainted warning and per-argument origins, an
 * edit the tool's schema refuses (kept, with the reason), a frozen card while paused, and a
 * rejection with a note that moves the card to the recent decisions.
 */
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { approvalCard, seedApprovals, taintedSaveFile } from "./harness/approval-steps";
import { openView, waitForAppReady } from "./harness/app-steps";
import { useBrowserSuite } from "./harness/suite";

const suite = useBrowserSuite({ webgpu: true });

function approvalsButton(page: Page) {
  return page.getByRole("navigation", { name: "Views" }).getByRole("button", { name: /^Approvals\b/ });
}

test("the Approvals view starts empty and says what will appear there", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  expect((await approvalsButton(page).innerText()).trim()).toBe("Approvals");
  await openView(page, "Approvals");
  expect(await page.getByTestId("approvals-empty").innerText()).toMatch(/^Nothing is waiting for you\. When the agent/);
  assertNoErrors();
});

test("a tainted pending card: warning, origins, a refused edit kept with its reason, frozen while paused, rejected with a note", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  const record = taintedSaveFile();
  await seedApprovals(page, [record]);

  // The badge is in the button's name and announced.
  await expect.poll(() => approvalsButton(page).getAttribute("aria-current")).toBe("false");
  expect(await page.getByRole("button", { name: /^Approvals\s+1\s+waiting$/ }).count()).toBe(1);
  expect(await page.getByTestId("approvals-announcement").innerText()).toBe("1 action waits for your approval.");

  await openView(page, "Approvals");
  const card = approvalCard(page, record.id);
  await card.getByRole("heading", { name: "Save a file to your Downloads", level: 4 }).waitFor();
  expect(await card.getByTestId("approval-state").innerText()).toBe("Waiting for your decision");
  expect(await card.getByText("Will change", { exact: true }).count()).toBe(1);
  const warning = await card.getByTestId("taint-warning").innerText();
  expect(warning).toContain("Caution: untrusted content was involved.");
  expect(warning).toContain("Untrusted sources: gmail:18f0c.");
  expect(await card.getByTestId("argument-origins").locator("li").allInnerTexts()).toEqual([
    "filename: copied from gmail:18f0c (untrusted)",
    "content: written by the model",
  ]);
  // The body is shown as text: markup in it stays markup.
  expect(await card.getByTestId("approval-body").innerText()).toBe(record.action.preview.body);
  expect(await card.locator("pre b").count()).toBe(0);
  expect(await card.getByText("The mail asks for the notes to be saved.").count()).toBe(1);
  expect(await card.getByText("(written by the model: not evidence)").count()).toBe(1);

  // An edit the schema refuses: the reason next to the form, the draft kept.
  await card.getByRole("button", { name: "Edit", exact: true }).click();
  const filename = card.getByLabel("filename", { exact: true });
  expect(await filename.evaluate((input) => input.matches(":focus"))).toBe(true);
  await filename.fill("");
  await card.getByLabel("content", { exact: true }).fill("Edited notes");
  await card.getByRole("button", { name: "Approve edited", exact: true }).click();
  const answer = card.getByTestId("approval-answer");
  await expect.poll(() => answer.innerText()).toMatch(/^The edit does not fit save_file: arguments\.filename/);
  expect(await card.locator("#arg-filename-problem").innerText()).toBe("filename must be at least 1 characters");
  expect(await filename.getAttribute("aria-invalid")).toBe("true");
  expect(await card.getByLabel("content", { exact: true }).inputValue()).toBe("Edited notes");
  expect(await card.getByTestId("approval-state").innerText()).toBe("Waiting for your decision");
  await card.getByRole("button", { name: "Cancel edit", exact: true }).click();

  // Paused: approving is impossible and says why; rejecting still works.
  await page.locator("tabclaw-kill-switch").getByRole("button", { name: "Pause everything", exact: true }).click();
  await expect.poll(() => card.getByTestId("approval-state").innerText()).toBe("Frozen: Tabclaw is paused");
  expect(await card.getByRole("button", { name: "Approve", exact: true }).isDisabled()).toBe(true);
  expect(await card.getByTestId("frozen-reason").innerText()).toMatch(/cannot be approved until you resume/);

  await card.getByRole("button", { name: "Reject…", exact: true }).click();
  await card.getByLabel("Note (optional)").fill("Not from that sender.");
  await card.getByRole("button", { name: "Reject", exact: true }).click();
  const recent = page.getByTestId("approvals-recent");
  await recent.locator(`tabclaw-approval-card[data-id="${record.id}"]`).waitFor();
  const decided = recent.locator(`tabclaw-approval-card[data-id="${record.id}"]`);
  expect(await decided.getByTestId("approval-state").innerText()).toBe("Rejected");
  expect(await decided.getByText("Not from that sender.").count()).toBe(1);
  expect(await decided.getByRole("button").count()).toBe(0);
  expect(await page.getByTestId("approvals-none-pending").innerText()).toBe("Nothing is waiting for your decision.");
  expect((await approvalsButton(page).innerText()).trim()).toBe("Approvals");
  await expect
    .poll(() => page.locator("tabclaw-approvals-view").getByRole("status").first().innerText())
    .toBe("Save a file to your Downloads: Rejected: it will not run.");
  assertNoErrors();
});
