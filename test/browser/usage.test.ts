/**
 * The Usage view as a user meets it: model calls and outcomes seeded into the app's IndexedDB show
 * per routine and per day with the minutes-saved formula; Export JSON downloads exactly what is
 * shown; and a real chat turn through the scripted engine (a TEST DOUBLE behind web-llm's worker
 * protocol) appears as a chat model call with its tokens.
 */
import type { Download, Page } from "playwright-core";
import { expect, test } from "vitest";
import type { UsageSummary } from "../../src/app/usage-summary";
import type { ApprovalRecord } from "../../src/store/approval-record";
import { seedApprovals, taintedSaveFile } from "./harness/approval-steps";
import { openView, waitForAppReady } from "./harness/app-steps";
import { loadFixtureModel, sendMessage, waitForAnswer } from "./harness/chat-steps";
import { useBrowserSuite } from "./harness/suite";
import { modelCall, seedUsage, usageView } from "./harness/usage-steps";

const suite = useBrowserSuite({ webgpu: true });

/** The text of one figure in a table's row. */
function figure(page: Page, table: "usage-routines" | "usage-days", key: string, field: string): Promise<string> {
  return usageView(page).getByTestId(table).locator(`tr[data-key="${key}"] td[data-field="${field}"]`).innerText();
}

async function downloadedText(download: Download): Promise<string> {
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

test("seeded calls and decisions show per routine and per day with the formula; Export JSON is what is shown", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await openView(page, "Usage");
  await usageView(page).getByTestId("usage-empty").waitFor();
  expect(await usageView(page).getByTestId("usage-privacy").innerText()).toMatch(/never leave it unless you export/);

  const now = Date.now();
  await seedUsage(page, [
    modelCall(now - 60_000, "chat", 1_200, 300, 4_000),
    modelCall(now - 50_000, "chat", 800, 100, 2_500),
    modelCall(now - 40_000, "dreaming", 3_000, 700, 12_000),
    modelCall(now - 30_000, "morning-briefing", 500, 250, 3_500),
  ]);
  const decided = (id: string, extra: Partial<ApprovalRecord>): ApprovalRecord => ({
    ...taintedSaveFile(id),
    decidedBy: "user",
    decidedAt: now - 20_000,
    status: "executed",
    ...extra,
  });
  await seedApprovals(page, [
    decided("usage-accepted", {}),
    decided("usage-edited", { editedArguments: { filename: "notes.txt", content: "x" } }),
    decided("usage-rejected", { status: "rejected", note: "not now" }),
  ]);
  await openView(page, "Usage");
  const view = usageView(page);
  await view.getByTestId("usage-routines").locator('tr[data-key="dreaming"]').waitFor();

  expect(await figure(page, "usage-routines", "chat", "calls")).toBe("2");
  expect(await figure(page, "usage-routines", "chat", "promptTokens")).toBe("2,000");
  expect(await figure(page, "usage-routines", "chat", "completionTokens")).toBe("400");
  expect(await figure(page, "usage-routines", "chat", "gpuMs")).toBe("6.5");
  expect(await figure(page, "usage-routines", "chat", "draftsAcceptedAsIs")).toBe("1");
  expect(await figure(page, "usage-routines", "chat", "draftsEdited")).toBe("1");
  expect(await figure(page, "usage-routines", "chat", "draftsRejected")).toBe("1");
  expect(await figure(page, "usage-routines", "dreaming", "promptTokens")).toBe("3,000");
  expect(await figure(page, "usage-routines", "morning-briefing", "calls")).toBe("1");
  expect(await figure(page, "usage-routines", "total", "calls")).toBe("4");
  expect(await figure(page, "usage-days", "total", "promptTokens")).toBe("5,500");
  expect(await view.getByTestId("usage-days").locator("tbody tr").count()).toBe(7);
  // 3 × 1 accepted + 1.5 × 1 edited = 4.5
  expect(await view.getByTestId("usage-minutes").innerText()).toBe("4.5");
  expect(await view.getByTestId("usage-formula").innerText()).toMatch(
    /minutes saved = perItemTriaged \(1\.5\) × items triaged \+ perDraftAcceptedAsIs\s+\(3\) × drafts accepted as is/,
  );
  expect(await view.getByTestId("usage-notes").innerText()).toMatch(/wall time of the model calls/);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    view.getByRole("button", { name: "Export JSON", exact: true }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^tabclaw-usage-7d-\d{4}-\d{2}-\d{2}\.json$/);
  const exported = JSON.parse(await downloadedText(download)) as UsageSummary;
  const shown = await view
    .getByTestId("usage-routines")
    .locator("tbody tr")
    .evaluateAll((rows) =>
      rows.map((row): { key: string | null; cells: Record<string, string> } => ({
        key: row.getAttribute("data-key"),
        cells: Object.fromEntries(
          [...row.querySelectorAll("td")].map((cell): [string, string] => [
            cell.getAttribute("data-field") ?? "",
            cell.textContent.trim(),
          ]),
        ),
      })),
    );
  expect(exported.routines.map((row) => row.key)).toEqual(shown.map((row) => row.key));
  for (const [index, row] of exported.routines.entries()) {
    const cells: Record<string, string> = shown[index]?.cells ?? {};
    expect(cells.calls).toBe(row.calls.toLocaleString("en-US"));
    expect(cells.promptTokens).toBe(row.promptTokens.toLocaleString("en-US"));
    expect(cells.completionTokens).toBe(row.completionTokens.toLocaleString("en-US"));
    expect(cells.gpuMs).toBe((row.gpuMs / 1000).toFixed(1));
    expect(cells.draftsEdited).toBe(String(row.draftsEdited));
    expect(cells.minutesSaved).toBe(String(row.minutesSaved));
  }
  expect(exported.total).toMatchObject({ calls: 4, promptTokens: 5_500, completionTokens: 1_350, gpuMs: 22_000 });
  expect(exported.total.minutesSaved).toBe(4.5);
  expect(exported.formula).toMatch(/^minutes saved = 1\.5 × items triaged/);

  const [csv] = await Promise.all([
    page.waitForEvent("download"),
    view.getByRole("button", { name: "Export CSV", exact: true }).click(),
  ]);
  expect(csv.suggestedFilename()).toMatch(/\.csv$/);
  expect((await downloadedText(csv)).split("\r\n")[0]).toMatch(/^table,key,calls,promptTokens,completionTokens,gpuMs/);

  await view.getByLabel("Period").selectOption("30");
  await expect.poll(() => view.getByTestId("usage-days").locator("tbody tr").count()).toBe(30);
  assertNoErrors();
});

test("a chat turn through the scripted engine shows as a chat model call with its tokens", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await loadFixtureModel(page, suite.server);
  suite.server.setEngineScript({ responses: [{ text: "Counted, privately." }] });
  await sendMessage(page, "How much did that cost?");
  await waitForAnswer(page, 1);

  await openView(page, "Usage");
  const chatCalls = usageView(page).getByTestId("usage-routines").locator('tr[data-key="chat"] td[data-field="calls"]');
  await chatCalls.waitFor();
  expect(Number(await chatCalls.innerText())).toBeGreaterThanOrEqual(1);
  const tokens = (field: string) =>
    figure(page, "usage-routines", "chat", field).then((text) => Number(text.replace(/,/g, "")));
  expect(await tokens("promptTokens")).toBeGreaterThan(0);
  expect(await tokens("completionTokens")).toBeGreaterThan(0);
  assertNoErrors();
});
