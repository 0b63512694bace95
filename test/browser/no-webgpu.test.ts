/**
 * A browser that cannot run a model: Chromium without the WebGPU flags (the API is there but no
 * adapter) and, with the API removed from pages, a browser with no WebGPU at all. The app must say
 * so plainly, say what to do, and keep everything that needs no model working.
 */
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { openView, waitForAppReady } from "./harness/app-steps";
import { useBrowserSuite } from "./harness/suite";

const suite = useBrowserSuite({ webgpu: false });

/** The notice is shown, names what the probe found, and tells the user what to do. */
async function expectNotice(page: Page, reason: string): Promise<void> {
  const notice = page.locator("tabclaw-webgpu-notice");
  await expect
    .poll(() => notice.getByRole("heading", { level: 2 }).innerText())
    .toBe("This browser can't run a model here");
  const text = (await notice.locator("section").innerText()).replace(/\s+/g, " ");
  expect(text).toContain(reason);
  expect(await notice.getByRole("listitem").allInnerTexts()).toEqual([
    expect.stringContaining("Use a recent Chrome, Edge or another Chromium browser"),
    expect.stringContaining("hardware acceleration is on"),
    expect.stringContaining("chrome://flags/#enable-unsafe-webgpu"),
  ]);
  expect(text).toContain("Everything that needs no model still works");
}

/** Chat, Models and Storage each open and show their content; conversations still work without a model. */
async function expectViewsWork(page: Page): Promise<void> {
  await openView(page, "Chat");
  const chat = page.locator("tabclaw-chat-view");
  await chat.getByRole("button", { name: "New conversation" }).click();
  await expect
    .poll(() => chat.locator("tabclaw-conversation-list button.open").allInnerTexts())
    .toEqual(["New conversation"]);
  expect(await chat.getByRole("textbox", { name: "Message" }).getAttribute("placeholder")).toBe("Load a model to chat");
  expect(await chat.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);

  await openView(page, "Models");
  const models = page.locator("tabclaw-model-panel");
  await expect.poll(() => models.getByRole("heading", { level: 2 }).innerText()).toBe("Models");
  expect(await models.locator("p", { hasText: "No WebGPU" }).innerText()).toBe(
    "No WebGPU in this browser: models can be downloaded for later, but not run here.",
  );

  await openView(page, "Storage");
  const storage = page.locator("tabclaw-storage-panel");
  await expect.poll(() => storage.getByRole("heading", { level: 2 }).innerText()).toBe("Storage");
  await expect.poll(() => storage.getByTestId("storage-estimate").innerText()).toMatch(/^Tabclaw uses .+ of the /);
  expect(await storage.getByText("No model is stored yet.").count()).toBe(1);

  // The notice stays in view whichever view is open.
  expect(await page.locator("tabclaw-webgpu-notice").count()).toBe(1);
}

test("WebGPU API without an adapter: the app explains, and every view still opens", async () => {
  const app = await suite.open();
  const { page } = app;
  expect(await page.evaluate(() => "gpu" in navigator)).toBe(true);
  await waitForAppReady(page);
  await expectNotice(page, "WebGPU is present but no GPU adapter is available.");
  await expectViewsWork(page);
  app.assertNoErrors();
});

test("no WebGPU API at all: the app explains, and every view still opens", async () => {
  const app = await suite.open({ hideNavigatorGpu: true });
  const { page } = app;
  expect(await page.evaluate(() => "gpu" in navigator)).toBe(false);
  await waitForAppReady(page);
  await expectNotice(page, "This browser does not offer WebGPU.");
  await expectViewsWork(page);
  app.assertNoErrors();
});
