/**
 * Accessibility of every view, as axe-core measures it (WCAG 2.1 A/AA and best practices, through
 * open shadow roots), in the light and the dark theme; and the keyboard path a user takes to chat.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContextOptions, Page } from "playwright-core";
import { expect, test } from "vitest";
import { approvalCard, seedApprovals, taintedSaveFile } from "./harness/approval-steps";
import { openView, waitForAppReady } from "./harness/app-steps";
import { type AppPageOptions, type AppPage } from "./harness/browser";
import { useBrowserSuite } from "./harness/suite";
import { axeViolations, expectAccessible } from "./harness/axe-steps";
import { briefingPanel, routineCard, seedRoutines, seededJob, seededRun } from "./harness/routine-steps";
import { modelCall, seedUsage, usageView } from "./harness/usage-steps";
import { dreamsView, openDreams, seedMemory, seededFacts } from "./harness/dream-steps";
import type { DreamJournalEntry } from "../../src/memory/dream-journal-store";
import type { MemoryRevisionRecord } from "../../src/store/memory-record";
import { loadFixtureModel, sendMessage, waitForAnswer } from "./harness/chat-steps";
import {
  factCard,
  memoryFacts,
  memoryNotes,
  memoryStatus,
  memoryView,
  openMemory,
  storeMemory,
} from "./harness/memory-steps";

const suite = useBrowserSuite({ webgpu: true });

/**
 * bypassCSP: axe is injected as a script the page did not ship, which the app's CSP (script-src
 * 'self', no inline scripts) rightly refuses. The CSP itself is tested in csp.test.ts.
 */
async function openApp(options: AppPageOptions = {}, contextOptions: BrowserContextOptions = {}): Promise<AppPage> {
  const app = await suite.open({ ...options, contextOptions: { bypassCSP: true, ...contextOptions } });
  await waitForAppReady(app.page);
  return app;
}

/** The focused element, looking through shadow roots: "tag:accessible name or id". */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    if (!element || element === document.body) return "body";
    const name = element.getAttribute("aria-label") ?? (element.id ? `#${element.id}` : element.textContent.trim());
    return `${element.tagName.toLowerCase()}:${name}`;
  });
}

/** sRGB relative luminance (WCAG) of a computed `rgb(r, g, b)` colour. */
function luminance(rgb: string): number {
  const channels = (/rgba?\((\d+), (\d+), (\d+)/.exec(rgb)?.slice(1) ?? []).map((value) => Number(value) / 255);
  if (channels.length !== 3) throw new Error(`Not an rgb() colour: ${rgb}`);
  const [r = 0, g = 0, b = 0] = channels.map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function bodyColors(page: Page): Promise<{ background: string; color: string }> {
  return page.evaluate(() => {
    const style = getComputedStyle(document.body);
    return { background: style.backgroundColor, color: style.color };
  });
}

test("the empty Chat view, the Models view (all models shown) and the Storage view pass axe", async () => {
  const { page, assertNoErrors } = await openApp();
  await expectAccessible(page, "empty Chat view");

  await openView(page, "Models");
  await page.locator("tabclaw-model-panel .row").first().waitFor();
  await expectAccessible(page, "Models view");
  await page.getByRole("checkbox", { name: /models this device cannot run/ }).check();
  await page.locator("tabclaw-model-panel .row[data-runnable='false']").first().waitFor();
  await page.locator("tabclaw-model-panel summary", { hasText: "Model source" }).click();
  await expectAccessible(page, "Models view with every model and the model source shown");

  await openView(page, "Storage");
  await page.locator("tabclaw-storage-panel").getByTestId("storage-estimate").waitFor();
  await expectAccessible(page, "Storage view");

  // Control: axe does look inside the app's shadow roots, so the passes above mean something.
  await page.locator("tabclaw-storage-panel h2").evaluate((heading) => heading.after(document.createElement("button")));
  expect((await axeViolations(page)).map((violation) => violation.id)).toContain("button-name");
  assertNoErrors();
});

test("the Chat view with a conversation passes axe, and so does the model's status", async () => {
  const { page, assertNoErrors } = await openApp();
  await loadFixtureModel(page, suite.server);
  suite.server.setEngineScript({
    responses: [
      {
        text: "Here is **bold**, a [link](https://example.org) and a list:\n\n- one\n- two\n\n```\ncode\n```",
        tokensPerSecond: 500,
      },
    ],
  });
  await sendMessage(page, "Show me some formatting");
  await waitForAnswer(page, 1);
  await expectAccessible(page, "Chat view with messages");
  assertNoErrors();
});

test("the chat with the agent's steps passes axe: a pending action's card, then a question with the answer box open", async () => {
  const { page, assertNoErrors } = await openApp();
  await loadFixtureModel(page, suite.server);
  const decide = (tool: string, args: Record<string, unknown>) => ({
    text: JSON.stringify({ tool, reason: "Scripted for the accessibility check.", arguments: args }),
  });
  suite.server.setEngineScript({
    decisions: [decide("save_file", { filename: "notes.md", content: "# Notes\n\n- one" })],
    responses: [{ text: "Approve the card to save it." }],
  });
  await sendMessage(page, "Save my notes");
  await waitForAnswer(page, 1);
  await page.locator("tabclaw-chat-view tabclaw-approval-card").waitFor();
  await expectAccessible(page, "Chat with a pending action card");

  suite.server.setEngineScript({ decisions: [decide("ask_user", { question: "Which folder?" })], responses: [] });
  await sendMessage(page, "And file it");
  await page.locator("tabclaw-chat-view article.question").waitFor();
  await page.locator("tabclaw-chat-view").getByRole("textbox", { name: "Your answer" }).waitFor();
  await expectAccessible(page, "Chat with a question waiting for an answer");
  await page.locator("tabclaw-chat-view").getByRole("button", { name: "Stop", exact: true }).click();
  assertNoErrors();
});

test("the Activity view, empty and with entries, and the paused chat pass axe", async () => {
  const { page, assertNoErrors } = await openApp();
  await openView(page, "Activity");
  await page.locator("tabclaw-activity-view").getByTestId("activity-empty").waitFor();
  await expectAccessible(page, "empty Activity view");

  await page.locator("tabclaw-kill-switch").getByRole("button", { name: "Pause everything", exact: true }).click();
  await page.locator("tabclaw-activity-view li[data-kind='kill_switch']").waitFor();
  await expectAccessible(page, "Activity view with an entry, paused");

  await openView(page, "Chat");
  await page.locator("tabclaw-chat-view").getByTestId("paused-notice").waitFor();
  await expectAccessible(page, "paused Chat view");
  assertNoErrors();

  // The pressed switch and the entries in the dark theme too (a fresh profile: pause it again).
  const dark = await openApp({}, { colorScheme: "dark" });
  await dark.page.locator("tabclaw-kill-switch").getByRole("button", { name: "Pause everything", exact: true }).click();
  await dark.page.locator("tabclaw-kill-switch").getByRole("button", { name: "Resume", exact: true }).waitFor();
  await dark.page.locator("tabclaw-chat-view").getByTestId("paused-notice").waitFor();
  await expectAccessible(dark.page, "dark paused Chat view");
  await openView(dark.page, "Activity");
  await dark.page.locator("tabclaw-activity-view li[data-kind='kill_switch']").waitFor();
  await expectAccessible(dark.page, "dark Activity view with an entry");
  dark.assertNoErrors();
});

test("the empty Approvals view and the Settings view pass axe, in the light and the dark theme", async () => {
  for (const colorScheme of ["light", "dark"] as const) {
    const { page, assertNoErrors, close } = await openApp({}, { colorScheme });
    await openView(page, "Approvals");
    await page.locator("tabclaw-approvals-view").getByTestId("approvals-empty").waitFor();
    await expectAccessible(page, `${colorScheme} empty Approvals view`);
    await openView(page, "Settings");
    await page.locator("tabclaw-budget-settings").getByTestId("budget-usage").waitFor();
    await page.locator("tabclaw-permissions-settings").getByTestId("permissions-explanation").waitFor();
    await expectAccessible(page, `${colorScheme} Settings view`);
    const permissions = page.locator("tabclaw-permissions-settings");
    await permissions
      .locator('fieldset[data-tool="save_file"]')
      .getByRole("checkbox", { name: "Run without asking", exact: true })
      .check();
    await permissions.getByLabel("Other sources", { exact: true }).selectOption("ask");
    await permissions.getByRole("button", { name: "Save permissions", exact: true }).click();
    await permissions.getByTestId("permissions-status").filter({ hasText: "Saved" }).waitFor();
    await expectAccessible(page, `${colorScheme} Settings view with permissions saved`);
    const budgets = page.locator("tabclaw-budget-settings");
    await budgets.getByLabel("Chat per day", { exact: true }).fill("-1");
    await budgets.getByRole("button", { name: "Save limits", exact: true }).click();
    await budgets.getByTestId("budget-error").waitFor();
    await expectAccessible(page, `${colorScheme} Settings view with an invalid limit`);
    assertNoErrors();
    await close();
  }
});

test("approval cards pass axe: tainted and pending (with its edit and reject forms), frozen, and decided", async () => {
  const pending = taintedSaveFile("a11y-pending");
  const executed = {
    ...taintedSaveFile("a11y-executed"),
    status: "executed" as const,
    decidedBy: "user" as const,
    decidedAt: Date.now(),
    result: { content: "Saved invoice-urgent.txt.\nA second line.", trusted: false, source: "files:save_file" },
  };
  const interrupted = {
    ...taintedSaveFile("a11y-failed"),
    status: "failed" as const,
    decidedBy: "user" as const,
    error: { name: "InterruptedActionError", message: "The tab closed while it ran." },
  };
  for (const colorScheme of ["light", "dark"] as const) {
    const { page, assertNoErrors, close } = await openApp({}, { colorScheme });
    await seedApprovals(page, [pending, executed, interrupted]);
    await openView(page, "Approvals");
    const card = approvalCard(page, pending.id);
    await card.getByTestId("taint-warning").waitFor();
    await approvalCard(page, executed.id).getByTestId("approval-result").waitFor();
    await expectAccessible(page, `${colorScheme} Approvals view with pending and decided cards`);

    await card.getByRole("button", { name: "Edit", exact: true }).click();
    await card.getByLabel("filename", { exact: true }).fill("");
    await card.getByRole("button", { name: "Approve edited", exact: true }).click();
    await card.locator("#arg-filename-problem").waitFor();
    await expectAccessible(page, `${colorScheme} approval card with a refused edit`);
    await card.getByRole("button", { name: "Cancel edit", exact: true }).click();

    await card.getByRole("button", { name: "Reject…", exact: true }).click();
    await card.getByLabel("Note (optional)").waitFor();
    await expectAccessible(page, `${colorScheme} approval card with the reject form`);
    await card.getByRole("button", { name: "Cancel", exact: true }).click();

    await page.locator("tabclaw-kill-switch").getByRole("button", { name: "Pause everything", exact: true }).click();
    await card.getByTestId("frozen-reason").waitFor();
    await expectAccessible(page, `${colorScheme} frozen approval card`);
    assertNoErrors();
    await close();
  }
});

test("the Memory view passes axe, empty and with facts, an edit form, an undo and an import report, in both themes", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tabclaw-a11y-"));
  const notZip = join(dir, "notes.zip");
  await writeFile(notZip, "not a zip");
  for (const colorScheme of ["light", "dark"] as const) {
    const { page, assertNoErrors, close } = await openApp({}, { colorScheme });
    await openMemory(page);
    await memoryView(page).getByTestId("facts-empty").waitFor();
    await memoryView(page).getByTestId("notes-empty").waitFor();
    await expectAccessible(page, `${colorScheme} empty Memory view`);

    await storeMemory(page, { facts: memoryFacts(), notes: memoryNotes(), profile: { text: "# Me", updated: 1 } });
    await openMemory(page);
    await factCard(page, "fact-dentist").getByTestId("fact-trust").waitFor();
    await expectAccessible(page, `${colorScheme} Memory view with facts and notes`);

    const tea = factCard(page, "fact-tea");
    await tea.getByRole("button", { name: "Edit", exact: true }).click();
    await tea.getByLabel("Fact text").waitFor();
    await expectAccessible(page, `${colorScheme} Memory view with a fact's edit form`);
    await tea.getByRole("button", { name: "Cancel", exact: true }).click();

    await tea.getByRole("button", { name: "Delete", exact: true }).click();
    await memoryStatus(page, "Forgot");
    await memoryView(page).getByLabel("Import a zip").setInputFiles(notZip);
    await memoryView(page).getByTestId("import-report").waitFor();
    await expectAccessible(page, `${colorScheme} Memory view with an import report`);
    assertNoErrors();
    await close();
  }
});

test("the no-WebGPU notice passes axe", async () => {
  const { page, assertNoErrors } = await openApp({ hideNavigatorGpu: true });
  await page.locator("tabclaw-webgpu-notice h2").waitFor();
  await expectAccessible(page, "no-WebGPU notice over the Chat view");
  await openView(page, "Models");
  await expectAccessible(page, "no-WebGPU notice over the Models view");
  assertNoErrors();
});

test("the keyboard reaches the views, the composer and Send in order, and Enter switches views", async () => {
  const { page, assertNoErrors } = await openApp();
  await loadFixtureModel(page, suite.server);
  // Start from the top: clicking the title moves the browser's focus starting point there.
  await page.locator("tabclaw-app h1").click();
  await page.keyboard.press("Tab");
  expect(await focused(page)).toBe("button:Chat");
  for (const view of ["Inbox", "Deployments", "Slack", "Approvals"]) {
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe(`button:${view}`);
  }
  await page.keyboard.press("Tab");
  expect(await focused(page)).toBe("button:Routines");
  await page.keyboard.press("Tab");
  expect(await focused(page)).toBe("button:Memory");
  await page.keyboard.press("Tab");
  expect(await focused(page)).toBe("button:Models");
  await page.keyboard.press("Enter");
  await page.locator("tabclaw-model-panel h2").waitFor();
  expect(await page.locator("nav button[aria-current='page']").innerText()).toBe("Models");
  await page.keyboard.press("Tab");
  expect(await focused(page)).toBe("button:Storage");
  await page.keyboard.press("Enter");
  await page.locator("tabclaw-storage-panel h2").waitFor();
  for (let i = 0; i < 8; i++) await page.keyboard.press("Shift+Tab");
  expect(await focused(page)).toBe("button:Chat");
  await page.keyboard.press("Enter");
  await page.locator("tabclaw-chat-view textarea").waitFor();
  expect(await page.locator("nav button[aria-current='page']").innerText()).toBe("Chat");

  const stops: string[] = [];
  for (let i = 0; i < 30 && stops.at(-1) !== "button:Send"; i++) {
    await page.keyboard.press("Tab");
    stops.push(await focused(page));
  }
  expect(stops.slice(0, 4)).toEqual(["button:Inbox", "button:Deployments", "button:Slack", "button:Approvals"]);
  expect(stops.slice(-2)).toEqual(["textarea:#composer", "button:Send"]);
  assertNoErrors();
});

test("the light theme has a light page and the dark theme a dark one; both pass axe", async () => {
  const light = await openApp({}, { colorScheme: "light" });
  const lightColors = await bodyColors(light.page);
  expect(luminance(lightColors.background)).toBeGreaterThan(0.8);
  expect(luminance(lightColors.color)).toBeLessThan(0.1);
  light.assertNoErrors();
  await light.close();

  const { page, assertNoErrors } = await openApp({}, { colorScheme: "dark" });
  const darkColors = await bodyColors(page);
  expect(luminance(darkColors.background)).toBeLessThan(0.05);
  expect(luminance(darkColors.color)).toBeGreaterThan(0.7);
  await expectAccessible(page, "dark Chat view");
  await openView(page, "Models");
  await page.locator("tabclaw-model-panel .row").first().waitFor();
  await page.getByRole("checkbox", { name: /models this device cannot run/ }).check();
  await expectAccessible(page, "dark Models view");
  await openView(page, "Storage");
  await page.locator("tabclaw-storage-panel").getByTestId("storage-estimate").waitFor();
  await expectAccessible(page, "dark Storage view");
  assertNoErrors();
});

test("the dark theme keeps a conversation readable", async () => {
  const { page, assertNoErrors } = await openApp({}, { colorScheme: "dark" });
  await loadFixtureModel(page, suite.server);
  suite.server.setEngineScript({
    responses: [{ text: "Dark **mode** with a [link](https://example.org)\n\n```\ncode\n```", tokensPerSecond: 500 }],
  });
  await sendMessage(page, "Hello in the dark");
  await waitForAnswer(page, 1);
  await expectAccessible(page, "dark Chat view with messages");
  assertNoErrors();
});

test("the Dreams view passes axe, empty and with an applied and a refused run, in the light and the dark theme", async () => {
  const now = Date.now();
  const facts = seededFacts(4, now);
  const [kept, retired] = facts;
  if (!kept || !retired) throw new Error("seededFacts gave too few facts");
  const untrusted = {
    ...kept,
    id: "fact-new",
    text: "Dentist on Friday",
    provenance: { trust: "untrusted" as const, sources: ["gmail:18f0c"] },
  };
  const revision: MemoryRevisionRecord = {
    id: "revision-a11y",
    origin: "dreaming",
    summary: "Dreaming for today",
    createdAt: now - 1_000,
    changes: [
      { factId: untrusted.id, before: null, after: untrusted },
      { factId: kept.id, before: kept, after: { ...kept, text: "A corrected fact", updated: now - 1_000 } },
      { factId: retired.id, before: retired, after: null },
    ],
  };
  const base = {
    day: "2026-11-24",
    trigger: "manual" as const,
    notes: [],
    notesRead: 2,
    notesLeft: 0,
    tokens: 900,
    merges: [],
  };
  const journal: DreamJournalEntry[] = [
    {
      ...base,
      id: "run-applied",
      at: now - 1_000,
      status: "applied",
      message: "Applied: Added 1, Updated 1, Retired 1.",
      reasons: [],
      revisionId: revision.id,
    },
    {
      ...base,
      id: "run-refused",
      at: now - 2_000,
      status: "refused",
      message: "Refused: nothing was changed.",
      reasons: ["This run would retire 3 of 5 facts (60%); a run may retire at most 25% (1). Nothing was changed."],
    },
  ];
  for (const colorScheme of ["light", "dark"] as const) {
    const { page, assertNoErrors, close } = await openApp({}, { colorScheme });
    await openDreams(page);
    await dreamsView(page).getByTestId("journal-empty").waitFor();
    await expectAccessible(page, `${colorScheme} empty Dreams view`);
    await seedMemory(page, facts.slice(2), [], { journal, revisions: [revision] });
    await openDreams(page);
    await dreamsView(page).getByTestId("dream-diff").waitFor();
    await dreamsView(page).getByTestId("dream-reasons").waitFor();
    await expectAccessible(page, `${colorScheme} Dreams view with runs`);
    // aria-disabled keeps it focusable (its reason is read with it); pressing it says the reason too.
    await dreamsView(page).getByRole("button", { name: "Dream now", exact: true }).click({ force: true });
    await dreamsView(page).getByTestId("dream-status").filter({ hasText: "load one first" }).waitFor();
    await expectAccessible(page, `${colorScheme} Dreams view after Dream now without a model`);
    assertNoErrors();
    await close();
  }
});

test("the Usage view passes axe, empty and with both tables and the estimate, in the light and the dark theme", async () => {
  for (const colorScheme of ["light", "dark"] as const) {
    const { page, assertNoErrors, close } = await openApp({}, { colorScheme });
    await openView(page, "Usage");
    await usageView(page).getByTestId("usage-empty").waitFor();
    await expectAccessible(page, `${colorScheme} empty Usage view`);
    const now = Date.now();
    await seedUsage(page, [
      modelCall(now - 60_000, "chat", 900, 200, 3_000),
      modelCall(now - 30_000, "dreaming", 2_000, 400, 9_000),
    ]);
    await seedApprovals(page, [
      { ...taintedSaveFile("a11y-usage"), status: "executed", decidedBy: "user", decidedAt: now - 10_000 },
    ]);
    await openView(page, "Usage");
    await usageView(page).getByTestId("usage-routines").locator('tr[data-key="dreaming"]').waitFor();
    await usageView(page).getByRole("button", { name: "Export CSV", exact: true }).click();
    await usageView(page).getByTestId("usage-status").filter({ hasText: "Exported" }).waitFor();
    await expectAccessible(page, `${colorScheme} Usage view with figures`);
    assertNoErrors();
    await close();
  }
});

test("the Routines view and the While you were away briefing pass axe, with a refused schedule shown, in the light and the dark theme", async () => {
  for (const colorScheme of ["light", "dark"] as const) {
    const { page, assertNoErrors, close } = await openApp({}, { colorScheme });
    const now = Date.now();
    await seedRoutines(page, {
      jobs: [seededJob("a11y-mail", "Mail triage", now)],
      runs: [
        seededRun({ id: "a11y-ran", jobId: "a11y-mail", startedAt: now - 3_600_000, itemsFound: 2, tokens: 500 }),
        seededRun({
          id: "a11y-failed",
          jobId: "a11y-mail",
          startedAt: now - 1_800_000,
          outcome: "failed",
          error: { name: "TypeError", message: "Failed to fetch" },
        }),
      ],
      settings: { lastSeenAt: now - 7_200_000 },
    });
    await briefingPanel(page).getByRole("heading", { name: "While you were away" }).waitFor();
    await expectAccessible(page, `${colorScheme} briefing`);
    await openView(page, "Routines");
    const card = routineCard(page, "a11y-mail");
    await card.getByLabel("Cron expression", { exact: true }).check();
    await card.getByRole("textbox", { name: "Cron expression" }).fill("61 * * * *");
    await card.getByLabel("Only run during these hours").check();
    await card.getByRole("button", { name: "Save schedule" }).click();
    await card.getByTestId("schedule-problem").waitFor();
    await card.getByText("Recent runs (2)").click();
    await expectAccessible(page, `${colorScheme} Routines view`);
    assertNoErrors();
    await close();
  }
});
