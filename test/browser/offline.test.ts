/**
 * Offline use: once the app shell is cached by the service worker and a model is downloaded, the app
 * starts, loads the model and answers with the network off. The model worker is the scripted test
 * double; its script is answered by the harness's Playwright route, which works offline.
 */
import { describeEngineCall } from "../fakes/engine-script";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { FIXTURE_MODEL_ID } from "../fakes/fake-hub";
import { startTestServer, type TestServer } from "../fakes/test-server";
import {
  downloadModel,
  loadSelectedModel,
  modelButton,
  openView,
  selectedModel,
  setMirror,
  waitForAppReady,
  waitUntilControlled,
} from "./harness/app-steps";
import { launchChromium, newAppPage } from "./harness/browser";
import { requireDist } from "./harness/dist";

const MODEL = FIXTURE_MODEL_ID;

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer({ scriptedEngine: true, distDir: requireDist() });
  browser = await launchChromium({ webgpu: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test("with a model downloaded, the app starts, loads it and answers with the network off", async () => {
  const app = await newAppPage(browser, server);
  const { page, context } = app;
  try {
    await waitForAppReady(page);
    await waitUntilControlled(page);
    await setMirror(page, server.hubUrl);
    await downloadModel(page, MODEL);

    const answer = "Answered from this device, offline.";
    server.setEngineScript({ responses: [{ text: answer, tokensPerSecond: 500 }] });
    await context.setOffline(true);
    server.clearRequestLog();
    const callsBefore = server.engineCalls.length;
    await page.reload();
    await waitForAppReady(page);
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

    await openView(page, "Models");
    await selectedModel(page).locator("#selected-title", { hasText: MODEL }).waitFor();
    expect(await page.locator(`tabclaw-model-panel .row[data-model-id="${MODEL}"] .badge.ok`).textContent()).toBe(
      "Downloaded",
    );
    expect(await modelButton(page, "Download").count()).toBe(0);
    expect(await modelButton(page, "Resume download").count()).toBe(0);
    await loadSelectedModel(page);

    await openView(page, "Chat");
    const composer = page.locator("tabclaw-chat-view textarea");
    await composer.fill("Are you still there?");
    await composer.press("Enter");
    const reply = page.locator('tabclaw-chat-message article[aria-label="Tabclaw answered"]');
    await reply.filter({ hasText: answer }).waitFor();
    await page.locator('tabclaw-chat-message article[aria-busy="false"]', { hasText: answer }).waitFor();
    expect(await page.locator('tabclaw-chat-message article[aria-label="You said"]').textContent()).toContain(
      "Are you still there?",
    );

    // The engine was reloaded and asked once, and nothing (no hub file, no app file) reached the network.
    const calls = server.engineCalls.slice(callsBefore);
    expect(calls.map(describeEngineCall)).toEqual([`reload ${MODEL}`, "decide", "chat"]);
    expect(server.answerRequests.at(-1)?.messages.at(-1)).toEqual({ role: "user", content: "Are you still there?" });
    expect(server.requests(/^\/hub\//)).toEqual([]);
    // The browser's own update check of the worker's scripts, scheduled by an earlier online
    // navigation, runs in the browser process, outside Playwright's offline emulation.
    const updateCheck = /^\/(sw\.js|workbox-[\w-]+\.js)$/;
    const reached = server.requests((entry) => !updateCheck.test(entry.path));
    expect(reached.map((entry) => `${entry.method} ${entry.path}`)).toEqual([]);
    app.assertNoErrors();
  } finally {
    await context.setOffline(false);
    await app.close();
  }
});
