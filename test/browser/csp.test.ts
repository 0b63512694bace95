/**
 * The page's Content-Security-Policy (a meta tag in index.html): the app does all its work within
 * it, with no violation, and it really stops inline script.
 */
import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { openView, waitForAppReady } from "./harness/app-steps";
import type { AppPage } from "./harness/browser";
import { useBrowserSuite } from "./harness/suite";
import { loadFixtureModel, sendMessage, waitForAnswer } from "./harness/chat-steps";

interface CspViolation {
  directive: string;
  blockedURI: string;
  sourceFile: string;
  sample: string;
}

interface CspGlobal {
  __cspViolations: CspViolation[];
  __inlineScriptRan?: boolean;
}

const BLANK_PATH = "/__test__/blank.html";

const suite = useBrowserSuite({
  webgpu: true,
  afterStart: (started) => {
    // A page to open first, so the recorder is in place before the app's first load.
    started.serveStatic(BLANK_PATH, "text/html; charset=utf-8", "<!doctype html><title>blank</title>");
  },
});

/**
 * The app opened with a recorder of `securitypolicyviolation` events installed before any of its
 * scripts run (init scripts are injected by the browser, not subject to the page's CSP). The event
 * is composed, so violations inside shadow roots reach the document too.
 */
async function openRecordedApp(): Promise<AppPage> {
  const app = await suite.open({ path: BLANK_PATH });
  await app.context.addInitScript(() => {
    const store = globalThis as unknown as CspGlobal;
    store.__cspViolations = [];
    document.addEventListener(
      "securitypolicyviolation",
      (event) =>
        store.__cspViolations.push({
          directive: event.effectiveDirective,
          blockedURI: event.blockedURI,
          sourceFile: event.sourceFile,
          sample: event.sample,
        }),
      true,
    );
  });
  await app.page.goto("/");
  await waitForAppReady(app.page);
  return app;
}

function violations(page: Page): Promise<CspViolation[]> {
  return page.evaluate(() => [...(globalThis as unknown as CspGlobal).__cspViolations]);
}

test("a chat round and every view run without a single CSP violation", async () => {
  const { page, assertNoErrors } = await openRecordedApp();
  await loadFixtureModel(page, suite.server);
  suite.server.setEngineScript({
    responses: [{ text: "A **formatted** answer with a [link](https://example.org).", tokensPerSecond: 500 }],
  });
  await sendMessage(page, "Hello under CSP");
  const answer = await waitForAnswer(page, 1);
  expect((await answer.locator(".body").innerText()).trim()).toBe("A formatted answer with a link.");
  await openView(page, "Models");
  await page.locator("tabclaw-model-panel .row").first().waitFor();
  await page.getByRole("checkbox", { name: /models this device cannot run/ }).check();
  await openView(page, "Storage");
  await page.locator("tabclaw-storage-panel").getByTestId("storage-estimate").waitFor();
  // Pausing writes an audit entry, so the Activity view renders a real line, then resume.
  await page.getByRole("button", { name: "Pause everything" }).click();
  await openView(page, "Activity");
  await page.locator("tabclaw-activity-view li").first().waitFor();
  await page.getByRole("button", { name: "Resume" }).click();
  await openView(page, "Chat");
  await answer.waitFor();

  expect(await violations(page)).toEqual([]);
  assertNoErrors();
});

test("the page's CSP is the meta tag, and it blocks an injected inline script", async () => {
  const { page, assertNoErrors } = await openRecordedApp();
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  const scriptSrc = policy?.split(";").find((directive) => directive.trim().startsWith("script-src"));
  expect(scriptSrc?.trim()).toMatch(/^script-src 'self'/);
  expect(scriptSrc).not.toMatch(/'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'|\*/);

  const before = await violations(page);
  expect(before).toEqual([]);
  await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.__inlineScriptRan = true;";
    document.head.append(script);
  });
  expect(await page.evaluate(() => (globalThis as unknown as CspGlobal).__inlineScriptRan)).toBeUndefined();
  // The recorder of the first test sees the block, so its empty list there means something.
  await expect
    .poll(() => violations(page))
    .toEqual([expect.objectContaining({ directive: "script-src-elem", blockedURI: "inline" })]);
  assertNoErrors([/Executing inline script violates the following Content Security Policy directive/]);
});
