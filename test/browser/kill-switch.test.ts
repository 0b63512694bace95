/**
 * The kill switch and the Activity view as a user meets them: pausing stops the answer being
 * written and blocks Send, survives a reload, is written to the audit log, and resuming lets the
 * chat answer again; the log exports as JSON Lines. Answers are played by the scripted engine (a
 * TEST DOUBLE behind web-llm's real worker protocol, not a model).
 */
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { FIXTURE_MODEL_ID } from "../fakes/fake-hub";
import { loadModel, openView, waitForAppReady } from "./harness/app-steps";
import { useBrowserSuite } from "./harness/suite";
import {
  composer,
  loadFixtureModel,
  modelStatus,
  sendMessage,
  waitForAnswer,
  waitForStreamedWords,
} from "./harness/chat-steps";

const suite = useBrowserSuite({ webgpu: true });

const PAUSED_NOTICE = "Tabclaw is paused. Nothing runs until you resume.";

function killSwitch(page: Page, name: "Pause everything" | "Resume") {
  return page.locator("tabclaw-kill-switch").getByRole("button", { name, exact: true });
}

function sendButton(page: Page) {
  return page.locator("tabclaw-chat-view").getByRole("button", { name: "Send", exact: true });
}

function pausedNotice(page: Page) {
  return page.locator("tabclaw-chat-view").getByTestId("paused-notice");
}

/** The Activity view's entries of one kind, newest first, as their visible text. */
async function activityLines(page: Page, kind: string): Promise<string[]> {
  const lines = await page.locator(`tabclaw-activity-view li[data-kind="${kind}"]`).allInnerTexts();
  return lines.map((line) => line.replace(/\s+/g, " ").trim());
}

test("pausing stops the answer and blocks Send, survives a reload, is logged, and resuming answers again", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await loadFixtureModel(page, suite.server);
  expect(await killSwitch(page, "Pause everything").getAttribute("aria-pressed")).toBe("false");

  // 2000 tokens at 50 tokens/s: forty seconds of answer, far longer than the test waits.
  suite.server.setEngineScript({ responses: [{ tokens: 2000, tokensPerSecond: 50 }] });
  const before = suite.server.answerRequests.length;
  await sendMessage(page, "Write a very long essay.");
  await waitForStreamedWords(page, 5);

  await killSwitch(page, "Pause everything").click();
  const stopped = await waitForAnswer(page, 1);
  expect((await stopped.getByTestId("answer-stats").innerText()).trim()).toMatch(/^Stopped · /);
  expect((await stopped.locator(".body").innerText()).split(/\s+/).filter(Boolean).length).toBeLessThan(2000);
  expect(await killSwitch(page, "Resume").getAttribute("aria-pressed")).toBe("true");
  expect((await pausedNotice(page).innerText()).trim()).toBe(PAUSED_NOTICE);
  expect(await sendButton(page).isDisabled()).toBe(true);

  // Enter in the composer is refused too: nothing reaches the engine while paused.
  await sendMessage(page, "Are you still there?");
  await page.waitForTimeout(500);
  expect(suite.server.answerRequests.length - before).toBe(1);
  await composer(page).fill("");

  await openView(page, "Activity");
  await expect.poll(() => activityLines(page, "kill_switch")).toEqual([expect.stringContaining("Paused everything")]);

  await page.reload();
  await waitForAppReady(page);
  expect(await killSwitch(page, "Resume").getAttribute("aria-pressed")).toBe("true");
  await loadModel(page, FIXTURE_MODEL_ID);
  await openView(page, "Chat");
  await modelStatus(page).waitFor();
  expect((await pausedNotice(page).innerText()).trim()).toBe(PAUSED_NOTICE);
  expect(await sendButton(page).isDisabled()).toBe(true);

  // The Activity view follows the Gate: resuming while it is open adds the entry at the top.
  await openView(page, "Activity");
  await killSwitch(page, "Resume").click();
  await expect
    .poll(() => activityLines(page, "kill_switch"))
    .toEqual([expect.stringContaining("Resumed"), expect.stringContaining("Paused everything")]);
  expect(await killSwitch(page, "Pause everything").getAttribute("aria-pressed")).toBe("false");

  await openView(page, "Chat");
  expect(await pausedNotice(page).count()).toBe(0);
  expect(await sendButton(page).isEnabled()).toBe(true);
  suite.server.setEngineScript({ responses: [{ text: "Back at work.", tokensPerSecond: 500 }] });
  await sendMessage(page, "Resume, please");
  const next = await waitForAnswer(page, 2);
  expect((await next.locator(".body").innerText()).trim()).toBe("Back at work.");
  expect(suite.server.answerRequests.slice(before).map((request) => request.messages.at(-1)?.content)).toEqual([
    "Write a very long essay.",
    "Resume, please",
  ]);
  assertNoErrors();
});

test("the Activity view starts empty, and the log exports as JSON Lines with the kill switch entries", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await openView(page, "Activity");
  const activity = page.locator("tabclaw-activity-view");
  expect(await activity.getByTestId("activity-empty").innerText()).toMatch(/Nothing has happened yet/);

  await killSwitch(page, "Pause everything").click();
  await killSwitch(page, "Resume").waitFor();
  await killSwitch(page, "Resume").click();
  await killSwitch(page, "Pause everything").waitFor();
  await expect.poll(() => activityLines(page, "kill_switch")).toHaveLength(2);
  expect(await activity.getByTestId("activity-empty").count()).toBe(0);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    activity.getByRole("button", { name: "Export as JSON Lines", exact: true }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^tabclaw-audit-\d{4}-\d{2}-\d{2}\.jsonl$/);
  const path = await download.path();
  const text = await readFile(path, "utf8");
  expect(text.endsWith("\n")).toBe(true);
  const entries = text
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const switches = entries.filter((entry) => entry.kind === "kill_switch");
  expect(switches).toEqual([
    expect.objectContaining({ on: true, by: "user", affected: 0 }),
    expect.objectContaining({ on: false, by: "user", affected: 0 }),
  ]);
  // Oldest first, each with its sequence number and time.
  for (const entry of entries) {
    expect(typeof entry.seq).toBe("number");
    expect(typeof entry.at).toBe("number");
  }
  assertNoErrors();
});

test("the Activity view pages: the newest fifty first, then Show older", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await openView(page, "Activity");
  // 26 pauses and 26 resumes: 52 entries, two more than a page.
  for (let i = 0; i < 26; i++) {
    await killSwitch(page, "Pause everything").click();
    await killSwitch(page, "Resume").click();
    await killSwitch(page, "Pause everything").waitFor();
  }
  const entries = page.locator("tabclaw-activity-view li");
  await expect.poll(() => entries.count()).toBe(50);
  expect(await activityLines(page, "kill_switch").then((lines) => lines[0])).toContain("Resumed");
  const older = page.locator("tabclaw-activity-view").getByRole("button", { name: "Show older", exact: true });
  await older.click();
  await expect.poll(() => entries.count()).toBe(52);
  expect(await older.count()).toBe(0);
  expect((await activityLines(page, "kill_switch")).at(-1)).toContain("Paused everything");
  assertNoErrors();
});
