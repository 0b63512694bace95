/**
 * What the page leaves out of its first load: every view but the chat, Models and Approvals, and the
 * Markdown renderer, are separate files fetched when first needed. Once the app is installed they come
 * from the service worker's cache, so with the network off every view still opens and a stored
 * answer still shows as Markdown.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { ChatMessageRecord, Conversation } from "../../src/store/schema";
import { startTestServer, type TestServer } from "../fakes/test-server";
import { openView, waitForAppReady, waitUntilControlled, type ViewName } from "./harness/app-steps";
import { launchChromium, newAppPage } from "./harness/browser";
import { requireDist } from "./harness/dist";

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

/** Each view loaded on first use, and the heading it shows once it is there. */
const LAZY_VIEWS: { view: ViewName; heading: string }[] = [
  { view: "Inbox", heading: "Inbox" },
  { view: "Deployments", heading: "Deployments" },
  { view: "Slack", heading: "Slack digest" },
  { view: "Routines", heading: "Routines" },
  { view: "Memory", heading: "Memory" },
  { view: "Storage", heading: "Storage" },
  { view: "Activity", heading: "Activity" },
  { view: "Usage", heading: "Usage" },
  { view: "Dreams", heading: "Dreams" },
  { view: "Settings", heading: "Settings" },
];

const ANSWER = ["Here is **bold** text.", "", "- first item", "- second item"].join("\n");

/** A conversation with one question and its Markdown answer, stored as the chat stores them. */
async function storeConversation(page: Page): Promise<void> {
  const now = Date.now();
  const conversation: Conversation = { id: "stored-chat", title: "Markdown", createdAt: now, updatedAt: now };
  const messages: ChatMessageRecord[] = [
    { id: "q", conversationId: conversation.id, role: "user", content: "Show me Markdown", createdAt: now - 2 },
    { id: "a", conversationId: conversation.id, role: "assistant", content: ANSWER, createdAt: now - 1 },
  ];
  await page.evaluate(
    async ({ conversation, messages }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open("tabclaw");
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
      });
      const tx = db.transaction(["conversations", "chatMessages", "settings"], "readwrite");
      tx.objectStore("conversations").put(conversation);
      for (const message of messages) tx.objectStore("chatMessages").put(message);
      tx.objectStore("settings").put(conversation.id, "activeConversationId");
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error ?? new Error("could not store the conversation"));
      });
      db.close();
    },
    { conversation, messages },
  );
}

test("installed and offline, a stored answer shows as Markdown and every view opens", async () => {
  const app = await newAppPage(browser, server);
  const { page, context } = app;
  try {
    await waitForAppReady(page);
    await waitUntilControlled(page);
    await storeConversation(page);

    await context.setOffline(true);
    server.clearRequestLog();
    await page.reload();
    await waitForAppReady(page);
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

    const answer = page.locator('tabclaw-chat-message article[aria-label="Tabclaw answered"] .body');
    await answer.locator("li").nth(1).waitFor();
    expect(await answer.locator("strong").allInnerTexts()).toEqual(["bold"]);
    expect(await answer.locator("li").allInnerTexts()).toEqual(["first item", "second item"]);
    expect(await answer.innerText()).not.toContain("**");

    for (const { view, heading } of LAZY_VIEWS) {
      await openView(page, view);
      await page.getByRole("heading", { level: 2, name: heading, exact: true }).waitFor();
      expect(await page.getByRole("alert").filter({ hasText: "could not be loaded" }).count()).toBe(0);
    }

    // Every file came from the service worker's cache. The browser's own update check of the
    // worker's scripts runs outside Playwright's offline emulation, so it may still reach the server.
    const updateCheck = /^\/(sw\.js|workbox-[\w-]+\.js)$/;
    const reached = server.requests((entry) => !updateCheck.test(entry.path));
    expect(reached.map((entry) => `${entry.method} ${entry.path}`)).toEqual([]);
    app.assertNoErrors();
  } finally {
    await context.setOffline(false);
    await app.close();
  }
});
