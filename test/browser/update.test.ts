/**
 * A new version of the app is offered, never forced: the "Update available" banner appears while the
 * user keeps working, "Later" puts it off, and only "Update now" reloads the page, once, into the new
 * service worker. New versions are the same build with a changed sw.js, served from temp copies.
 */
import { appendFile, cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestServer, type TestServer } from "../fakes/test-server";
import { openView, waitForAppReady, waitUntilControlled } from "./harness/app-steps";
import { launchChromium, newAppPage } from "./harness/browser";
import { requireDist } from "./harness/dist";

let server: TestServer;
let browser: Browser;
let tempRoot: string;

beforeAll(async () => {
  server = await startTestServer({ scriptedEngine: true, distDir: requireDist() });
  browser = await launchChromium({ webgpu: true });
  tempRoot = await mkdtemp(join(tmpdir(), "tabclaw-update-"));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (tempRoot) await rm(tempRoot, { recursive: true, force: true });
});

/** A copy of the build whose sw.js differs by a comment: to the browser, a new version of the app. */
async function newVersion(name: string): Promise<{ dir: string; swBytes: number }> {
  const dir = join(tempRoot, name);
  await cp(requireDist(), dir, { recursive: true });
  await appendFile(join(dir, "sw.js"), `\n// Tabclaw test build ${name}\n`);
  return { dir, swBytes: (await readFile(join(dir, "sw.js"))).byteLength };
}

interface MarkedWindow {
  __beforeUpdate?: string;
  __updateChecks?: number;
}

/**
 * The browser fetched the new sw.js since the log was cleared (the browser may check more than once:
 * it also schedules checks of its own after navigations).
 */
function expectFetchedWorker(swBytes: number): void {
  const fetched = server.requests(/^\/sw\.js$/).map((entry) => [entry.status, entry.bytesSent]);
  expect(fetched.length).toBeGreaterThan(0);
  expect(fetched).toEqual(fetched.map(() => [200, swBytes]));
}

function banner(page: Page) {
  return page.locator("tabclaw-update-banner").getByRole("heading", { name: "Update available" });
}

function bannerButton(page: Page, name: string) {
  return page.locator("tabclaw-update-banner").getByRole("button", { name, exact: true });
}

test("a new version is offered without interrupting, Later puts it off, Update now reloads once into it", async () => {
  const app = await newAppPage(browser, server);
  const { page } = app;
  try {
    await waitForAppReady(page);
    await waitUntilControlled(page);

    let navigations = 0;
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
    // Work in progress the update must not destroy: page state and a half-typed message.
    await page.evaluate(() => ((window as MarkedWindow).__beforeUpdate = "still here"));
    await openView(page, "Chat");
    const composer = page.locator("tabclaw-chat-view textarea");
    await composer.fill("A message I am still writing");
    expect(await banner(page).count()).toBe(0);

    // The app checks for a new version when the tab becomes visible again.
    await page.evaluate(() => {
      const original = ServiceWorkerRegistration.prototype.update;
      const marked = window as MarkedWindow;
      marked.__updateChecks = 0;
      ServiceWorkerRegistration.prototype.update = function (this: ServiceWorkerRegistration) {
        marked.__updateChecks = (marked.__updateChecks ?? 0) + 1;
        return original.call(this);
      };
    });
    const v2 = await newVersion("v2");
    server.setDistDir(v2.dir);
    server.clearRequestLog();
    await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
    await banner(page).waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (window as MarkedWindow).__updateChecks)).toBe(1);
    expectFetchedWorker(v2.swBytes);
    expect(await page.evaluate(() => (window as MarkedWindow).__beforeUpdate)).toBe("still here");
    expect(await composer.inputValue()).toBe("A message I am still writing");
    expect(navigations).toBe(0);

    await bannerButton(page, "Later").click();
    await banner(page).waitFor({ state: "detached" });
    expect(await page.evaluate(() => (window as MarkedWindow).__beforeUpdate)).toBe("still here");
    expect(navigations).toBe(0);

    // Each later release is offered again, however many come while the tab stays open (workbox-window
    // alone stops listening after the second: GoogleChrome/workbox#3285). The app's own check runs at
    // most once a minute, so these ask the browser directly, as its periodic check would.
    for (const name of ["v3", "v4"]) {
      const next = await newVersion(name);
      server.setDistDir(next.dir);
      server.clearRequestLog();
      await page.evaluate(async () => {
        await (await navigator.serviceWorker.getRegistration())?.update();
      });
      await banner(page).waitFor({ timeout: 30_000 });
      expectFetchedWorker(next.swBytes);
      expect(await composer.inputValue()).toBe("A message I am still writing");
      expect(navigations).toBe(0);
      if (name === "v3") {
        await bannerButton(page, "Later").click();
        await banner(page).waitFor({ state: "detached" });
      }
    }
    expect(
      await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        return registration?.waiting?.state;
      }),
    ).toBe("installed");

    const reloaded = page.waitForEvent("load");
    await bannerButton(page, "Update now").click();
    await reloaded;
    await waitForAppReady(page);
    expect(await page.evaluate(() => (window as MarkedWindow).__beforeUpdate)).toBeUndefined();
    const worker = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      const controller = navigator.serviceWorker.controller;
      return {
        controlledByActive: controller !== null && controller === registration?.active,
        state: controller?.state,
        scriptURL: controller?.scriptURL,
        waiting: registration?.waiting !== null,
        installing: registration?.installing !== null,
      };
    });
    // The waiting version took over: nothing waits any more and the active worker controls the page.
    expect(worker).toEqual({
      controlledByActive: true,
      state: "activated",
      scriptURL: `${server.origin}/sw.js`,
      waiting: false,
      installing: false,
    });
    expect(await banner(page).count()).toBe(0);
    expect(navigations).toBe(1);
    app.assertNoErrors();
  } finally {
    await app.close();
  }
});
