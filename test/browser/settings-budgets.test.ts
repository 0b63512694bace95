/**
 * Settings → Daily token budgets as a user meets them: today's use against each limit, limits
 * edited with clear messages for what is not a whole number ≥ 0, kept across a reload, and reset.
 */
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { openView, waitForAppReady } from "./harness/app-steps";
import { useBrowserSuite } from "./harness/suite";

const suite = useBrowserSuite({ webgpu: true });

function budgets(page: Page) {
  return page.locator("tabclaw-budget-settings");
}

function limitInput(page: Page, label: string) {
  return budgets(page).getByLabel(label, { exact: true });
}

/** The usage table's row for one budget, as its cells' text: [label, used, limit, left]. */
async function usageRow(page: Page, id: string): Promise<string[]> {
  const cells = await budgets(page).locator(`tr[data-budget="${id}"] > *`).allInnerTexts();
  return cells.map((cell) => cell.trim());
}

async function save(page: Page): Promise<string> {
  await budgets(page).getByRole("button", { name: "Save limits", exact: true }).click();
  const status = budgets(page).getByTestId("budget-status");
  await expect.poll(() => status.innerText()).not.toBe("");
  return (await status.innerText()).trim();
}

test("shows today's use against the defaults, explains what happens at the limit", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await openView(page, "Settings");
  await page.getByRole("heading", { name: "Daily token budgets" }).waitFor();
  expect(await usageRow(page, "total")).toEqual(["Total", "0", "200,000", "200,000"]);
  expect(await usageRow(page, "chat")).toEqual(["Chat", "0", "150,000", "150,000"]);
  expect(await budgets(page).getByTestId("budget-explanation").innerText()).toMatch(
    /When a budget is reached, the run stops with a message saying which budget ran out and when it resets/,
  );
  expect(await limitInput(page, "Total per day").inputValue()).toBe("200000");
  expect(await limitInput(page, "Chat per day").inputValue()).toBe("150000");
  expect(await limitInput(page, "Each routine per day").inputValue()).toBe("20000");
  assertNoErrors();
});

test("refuses what is not a whole number ≥ 0 with a message per field, saves valid limits, keeps them across a reload, and resets", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await openView(page, "Settings");

  await limitInput(page, "Chat per day").fill("1.5");
  await limitInput(page, "Total per day").fill("-3");
  expect(await save(page)).toBe("Not saved: 2 limits need fixing.");
  expect(await budgets(page).getByTestId("budget-error").allInnerTexts()).toEqual([
    "A budget cannot be negative: enter 0 or more.",
    "Enter a whole number of tokens, without decimals.",
  ]);
  expect(await limitInput(page, "Chat per day").getAttribute("aria-invalid")).toBe("true");
  // What was typed stays, and the first field to fix has the focus.
  expect(await limitInput(page, "Chat per day").inputValue()).toBe("1.5");
  expect(await limitInput(page, "Total per day").evaluate((input) => input.matches(":focus"))).toBe(true);
  expect(await usageRow(page, "chat")).toEqual(["Chat", "0", "150,000", "150,000"]);

  await limitInput(page, "Total per day").fill("");
  expect(await save(page)).toBe("Not saved: 2 limits need fixing.");
  expect(await budgets(page).getByTestId("budget-error").first().innerText()).toBe(
    "Enter a number of tokens (0 or more).",
  );

  await limitInput(page, "Total per day").fill("120,000");
  await limitInput(page, "Chat per day").fill("50000");
  await limitInput(page, "Each routine per day").fill("0");
  expect(await save(page)).toBe("Saved. The new limits apply from the next run.");
  expect(await budgets(page).getByTestId("budget-error").count()).toBe(0);
  expect(await usageRow(page, "total")).toEqual(["Total", "0", "120,000", "120,000"]);
  expect(await usageRow(page, "chat")).toEqual(["Chat", "0", "50,000", "50,000"]);
  expect(await limitInput(page, "Total per day").inputValue()).toBe("120000");

  await page.reload();
  await waitForAppReady(page);
  await openView(page, "Settings");
  await expect.poll(() => usageRow(page, "chat")).toEqual(["Chat", "0", "50,000", "50,000"]);
  expect(await limitInput(page, "Total per day").inputValue()).toBe("120000");
  expect(await limitInput(page, "Each routine per day").inputValue()).toBe("0");

  await budgets(page).getByRole("button", { name: "Reset to defaults", exact: true }).click();
  await expect.poll(() => limitInput(page, "Chat per day").inputValue()).toBe("150000");
  expect((await budgets(page).getByTestId("budget-status").innerText()).trim()).toBe("Reset to the defaults.");
  await page.reload();
  await waitForAppReady(page);
  await openView(page, "Settings");
  await expect.poll(() => usageRow(page, "total")).toEqual(["Total", "0", "200,000", "200,000"]);
  assertNoErrors();
});
