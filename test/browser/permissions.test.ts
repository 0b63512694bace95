/**
 * Settings → Permissions as a user meets it: letting "Save files" run without asking makes the
 * agent's next save_file run at once (no approval click), the card in the chat says Done, and the
 * choice is kept across a reload. The model is the scripted engine (a TEST DOUBLE behind web-llm's
 * real worker protocol): it really emits the tool call.
 */
import type { Download, Page } from "playwright-core";
import { expect, test } from "vitest";
import { openView, waitForAppReady } from "./harness/app-steps";
import { loadFixtureModel, sendMessage, waitForAnswer } from "./harness/chat-steps";
import { useBrowserSuite } from "./harness/suite";

const suite = useBrowserSuite({ webgpu: true });

function permissions(page: Page) {
  return page.locator("tabclaw-permissions-settings");
}

function runWithoutAsking(page: Page, tool: string) {
  return permissions(page)
    .getByRole("group", { name: tool })
    .getByRole("checkbox", { name: "Run without asking", exact: true });
}

async function save(page: Page): Promise<string> {
  await permissions(page).getByRole("button", { name: "Save permissions", exact: true }).click();
  const status = permissions(page).getByTestId("permissions-status");
  await expect.poll(() => status.innerText()).not.toBe("");
  return (await status.innerText()).trim();
}

test("with Save files set to run without asking, the agent's file is saved at once and the choice survives a reload", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await openView(page, "Settings");
  await page.getByRole("heading", { name: "Permissions" }).waitFor();

  // The shipped tools: no outside source to read yet (asking the user is always allowed), one change (save_file).
  expect(await permissions(page).getByLabel("Questions to you (ask_user)", { exact: true }).count()).toBe(0);
  expect(await permissions(page).getByLabel("Other sources", { exact: true }).inputValue()).toBe("allow");
  const checkbox = runWithoutAsking(page, "Save files");
  expect(await checkbox.isChecked()).toBe(false);
  expect(
    await permissions(page).locator('fieldset[data-tool="save_file"]').getByTestId("auto-approve-caveat").innerText(),
  ).toMatch(
    /someone else \(a mail, a message, a log\) was involved: those still ask\. Sends \(mail, posts\) always ask\./,
  );

  await checkbox.check();
  expect(await save(page)).toBe("Saved. The new permissions apply to the next action the agent proposes.");

  await loadFixtureModel(page, suite.server);
  suite.server.setEngineScript({
    decisions: [
      {
        text: JSON.stringify({
          tool: "save_file",
          reason: "You asked for a file.",
          arguments: { filename: "a.txt", content: "A" },
        }),
      },
    ],
    responses: [{ text: "Saved." }],
  });
  const downloads: Download[] = [];
  page.on("download", (download) => downloads.push(download));
  await sendMessage(page, "Save the letter A to a.txt");
  await waitForAnswer(page, 1);

  const card = page.locator("tabclaw-chat-view tabclaw-approval-card");
  await card.waitFor();
  await expect.poll(() => card.getByTestId("approval-state").innerText()).toBe("Done");
  expect(await card.getByRole("button", { name: "Approve", exact: true }).count()).toBe(0);
  await expect.poll(() => downloads.length).toBe(1);
  expect(downloads[0]?.suggestedFilename()).toBe("a.txt");
  expect(await page.getByRole("button", { name: /^Approvals\s+\d+\s+waiting$/ }).count()).toBe(0);

  await page.reload();
  await waitForAppReady(page);
  await openView(page, "Settings");
  await expect.poll(() => runWithoutAsking(page, "Save files").isChecked()).toBe(true);

  await permissions(page).getByRole("button", { name: "Reset to defaults", exact: true }).click();
  await expect.poll(() => runWithoutAsking(page, "Save files").isChecked()).toBe(false);
  expect((await permissions(page).getByTestId("permissions-status").innerText()).trim()).toMatch(
    /^Reset to the defaults/,
  );
  assertNoErrors();
});
