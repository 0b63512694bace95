/**
 * The Routines view and the "While you were away" briefing as a user meets them, with jobs and
 * runs stored the way the JobStore stores them (no scheduler, no model): the jobs and their runs,
 * a schedule edit that a bad cron refuses (message next to the field, draft kept) and a good one
 * saved across a reload, Notify me with the permission granted, and the briefing on opening.
 */
import { expect, test } from "vitest";
import { seedApprovals, taintedSaveFile } from "./harness/approval-steps";
import { openView, waitForAppReady } from "./harness/app-steps";
import {
  briefingPanel,
  routineCard,
  seedRoutines,
  seededJob,
  seededRun,
  storedJob,
  storedSetting,
} from "./harness/routine-steps";
import { useBrowserSuite } from "./harness/suite";

const suite = useBrowserSuite({ webgpu: true });
const HOUR_MS = 3_600_000;

test("seeded routines are listed; a bad cron shows why and keeps the draft; a good one is saved and survives a reload; Notify me stays on once granted", async () => {
  const { page, assertNoErrors } = await suite.open({ contextOptions: { permissions: ["notifications"] } });
  await waitForAppReady(page);
  const now = Date.now();
  await seedRoutines(page, {
    jobs: [seededJob("test-mail", "Mail triage", now)],
    runs: [
      seededRun({ id: "m1", jobId: "test-mail", startedAt: now - 26 * HOUR_MS, outcome: "nothing-new" }),
      seededRun({
        id: "m2",
        jobId: "test-mail",
        startedAt: now - 2 * HOUR_MS,
        outcome: "ran",
        tokens: 812,
        itemsFound: 3,
        message: "3 new mails triaged",
      }),
    ],
  });
  await openView(page, "Routines");
  const card = routineCard(page, "test-mail");
  await card.getByRole("heading", { name: "Mail triage", level: 3 }).waitFor();
  expect(await card.getByTestId("last-run").innerText()).toMatch(/: ran, 812 tokens, 3 items — 3 new mails triaged$/);
  expect(await card.getByTestId("next-run").innerText()).not.toBe("—");
  await card.getByText("Recent runs (2)").click();
  expect(await card.getByTestId("recent-runs").locator("li").count()).toBe(2);

  // A cron expression croner refuses: the ScheduleError next to the field, the draft kept, nothing stored.
  await card.getByLabel("Cron expression", { exact: true }).check();
  const cron = card.getByRole("textbox", { name: "Cron expression" });
  await cron.fill("61 * * * *");
  await card.getByRole("button", { name: "Save schedule" }).click();
  const problem = card.getByTestId("schedule-problem");
  await expect.poll(() => problem.innerText()).toMatch(/^The cron expression "61 \* \* \* \*" is not valid: /);
  expect(await cron.getAttribute("aria-invalid")).toBe("true");
  expect(await cron.inputValue()).toBe("61 * * * *");
  expect((await storedJob(page, "test-mail"))?.schedule).toEqual({ kind: "daily", time: "04:17" });

  await cron.fill("30 6 * * 1-5");
  await card.getByRole("button", { name: "Save schedule" }).click();
  await expect.poll(() => card.getByTestId("schedule-status").innerText()).toBe("Saved.");
  expect(await problem.count()).toBe(0);
  expect((await storedJob(page, "test-mail"))?.schedule).toEqual({ kind: "cron", expression: "30 6 * * 1-5" });

  // Notify me: the permission is granted, so the switch stays on.
  const notify = card.getByLabel("Notify me when it finds something or fails");
  await notify.check();
  await expect.poll(() => notify.isChecked()).toBe(true);
  expect(await card.getByTestId("routine-notice").count()).toBe(0);
  // Stored before the reload: the switch turns on as it is clicked, the setting a moment later.
  await expect.poll(() => storedSetting(page, "notifyJobs")).toEqual(["test-mail"]);

  await page.reload();
  await waitForAppReady(page);
  await openView(page, "Routines");
  const reloaded = routineCard(page, "test-mail");
  await reloaded.getByRole("heading", { name: "Mail triage" }).waitFor();
  expect(await reloaded.getByRole("textbox", { name: "Cron expression" }).inputValue()).toBe("30 6 * * 1-5");
  expect(await reloaded.getByLabel("Notify me when it finds something or fails").isChecked()).toBe(true);
  assertNoErrors();
});

test("the briefing shows what ran since the last visit, with failures and a link to Approvals, and goes once dismissed", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  const now = Date.now();
  await seedRoutines(page, {
    jobs: [seededJob("test-mail", "Mail triage", now), seededJob("test-builds", "Build watch", now)],
    runs: [
      seededRun({ id: "old", jobId: "test-mail", startedAt: now - 30 * HOUR_MS, itemsFound: 40 }),
      seededRun({ id: "m1", jobId: "test-mail", startedAt: now - 5 * HOUR_MS, outcome: "nothing-new" }),
      seededRun({ id: "m2", jobId: "test-mail", startedAt: now - 3 * HOUR_MS, itemsFound: 3, tokens: 700 }),
      seededRun({
        id: "b1",
        jobId: "test-builds",
        startedAt: now - 4 * HOUR_MS,
        outcome: "failed",
        error: { name: "TypeError", message: "Failed to fetch" },
      }),
    ],
    settings: { lastSeenAt: now - 10 * HOUR_MS },
  });
  const panel = briefingPanel(page);
  await panel.getByRole("heading", { name: "While you were away", level: 2 }).waitFor();
  expect(await panel.innerText()).toMatch(/3 runs, 3 new items found\./);
  expect(await panel.getByTestId("briefing-jobs").locator("li").allInnerTexts()).toEqual([
    "Mail triage: 2 runs: 1 ran, 1 nothing new; found 3",
    "Build watch: 1 run: 1 failed",
  ]);
  expect(await panel.getByTestId("briefing-failures").innerText()).toMatch(
    /^Build watch failed at .*: TypeError: Failed to fetch$/,
  );

  // An action waiting in the Gate: counted, with the way to it.
  await seedApprovals(page, [taintedSaveFile()]);
  await expect.poll(() => panel.getByTestId("briefing-pending").innerText()).toBe("1 action waits for your approval.");
  await panel.getByRole("button", { name: "Open Approvals" }).click();
  await page.locator(`nav button[aria-current="page"]`, { hasText: "Approvals" }).waitFor();

  await panel.getByRole("button", { name: "Dismiss" }).click();
  await expect.poll(() => panel.count()).toBe(0);
  await expect.poll(() => storedSetting(page, "lastSeenAt")).toBeGreaterThan(now);
  await page.reload();
  await waitForAppReady(page);
  await page.locator("tabclaw-briefing-panel").waitFor({ state: "attached" });
  expect(await briefingPanel(page).count()).toBe(0);
  assertNoErrors();
});
