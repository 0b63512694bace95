/**
 * Steps a user takes in the app, shared by the browser tests. Each one acts through the UI the way
 * a person would (buttons, labels, radios) and returns once the app shows that the step took effect,
 * so tests can go on without sleeping. Playwright's CSS and role locators pierce open shadow roots.
 */
import type { Locator, Page } from "playwright-core";
import type { DownloadProgress } from "../../../src/models/download-progress";
import { waitForServiceWorker } from "./browser";

export type ViewName =
  | "Chat"
  | "Inbox"
  | "Deployments"
  | "Slack"
  | "Approvals"
  | "Memory"
  | "Models"
  | "Storage"
  | "Activity"
  | "Routines"
  | "Usage"
  | "Dreams"
  | "Settings";

/** web-llm's Cache API caches, as the app and web-llm name them. */
export type WebLlmCache = "webllm/config" | "webllm/wasm" | "webllm/model";

/** Long enough for a 270 MB download on a slow shared machine; a stuck step still fails. */
const DOWNLOAD_TIMEOUT_MS = 90_000;
const STEP_TIMEOUT_MS = 30_000;

/** Resolves once the app has started (`<html data-ready="true">`, set after the first render). */
export async function waitForAppReady(page: Page, timeout = STEP_TIMEOUT_MS): Promise<void> {
  await page.locator("html[data-ready='true']").waitFor({ state: "attached", timeout });
}

/** Presses a view's button in the header navigation and waits until that view is current. */
export async function openView(page: Page, name: ViewName): Promise<void> {
  // "Approvals, 2 waiting" while actions wait: the name starts with the view's.
  const button = page
    .getByRole("navigation", { name: "Views" })
    .getByRole("button", { name: new RegExp(`^${name}\\b`) });
  await button.click();
  await page.locator(`nav button[aria-current="page"]`, { hasText: name }).waitFor({ timeout: STEP_TIMEOUT_MS });
}

/**
 * Models → Model source: saves `url` as the mirror and waits until the panel confirms it, which it
 * does only once the catalog points at the mirror (a download started earlier would use the old hosts).
 */
export async function setMirror(page: Page, url: string): Promise<void> {
  await openView(page, "Models");
  const panel = page.locator("tabclaw-model-panel");
  const source = panel.locator("details", { has: page.getByText("Model source", { exact: true }) });
  if ((await source.getAttribute("open")) === null) await source.locator("summary").click();
  await source.getByLabel("Mirror URL").fill(url);
  await source.getByRole("button", { name: "Save", exact: true }).click();
  await source.getByRole("status").filter({ hasText: url }).waitFor({ timeout: STEP_TIMEOUT_MS });
}

/** The "selected model" section of the Models view, where Download, Cancel, Resume, Load and Delete live. */
export function selectedModel(page: Page): Locator {
  return page.locator("tabclaw-model-panel section.selected");
}

/** A button of the selected-model section, by its exact visible name. */
export function modelButton(page: Page, name: string): Locator {
  return selectedModel(page).getByRole("button", { name, exact: true });
}

/** Models view: picks `modelId` with its radio button and waits until it is the selected model. */
export async function selectModel(page: Page, modelId: string): Promise<void> {
  await openView(page, "Models");
  await page.locator(`tabclaw-model-panel .row[data-model-id="${modelId}"] input[type="radio"]`).check();
  await selectedModel(page).locator("#selected-title", { hasText: modelId }).waitFor({ timeout: STEP_TIMEOUT_MS });
}

/**
 * Selects `modelId` and presses Download (or Resume download); returns once the app reacts: progress
 * shows, or the download already ended (an error, or "Load" for a very quick one).
 */
export async function startDownload(page: Page, modelId: string): Promise<void> {
  await selectModel(page, modelId);
  const start = selectedModel(page).getByRole("button", { name: /^(Download|Resume download)$/ });
  await start.click();
  // Pressing the button clears any earlier error before the first render, so an alert seen now is new.
  const reacted = selectedModel(page)
    .locator("tabclaw-download-progress")
    .or(modelError(page))
    .or(modelButton(page, "Load"));
  await reacted.first().waitFor({ timeout: STEP_TIMEOUT_MS });
}

/**
 * Downloads `modelId` from start (or resumes it) and waits until the app offers to Load it; throws
 * with the app's message at once if the download fails instead.
 */
export async function downloadModel(page: Page, modelId: string): Promise<void> {
  await startDownload(page, modelId);
  const ended = modelButton(page, "Load").or(modelError(page));
  await ended.first().waitFor({ timeout: DOWNLOAD_TIMEOUT_MS });
  if ((await modelError(page).count()) > 0) {
    throw new Error(`Downloading ${modelId} failed: ${(await modelError(page).innerText()).trim()}`);
  }
}

/** Presses "Load" for the selected model and waits until the app says it is loaded. */
export async function loadSelectedModel(page: Page): Promise<void> {
  await modelButton(page, "Load").click();
  await modelButton(page, "Loaded").waitFor({ timeout: STEP_TIMEOUT_MS });
}

/** Models view: selects `modelId` (already downloaded) and loads it; returns once it says "Loaded". */
export async function loadModel(page: Page, modelId: string): Promise<void> {
  await selectModel(page, modelId);
  await loadSelectedModel(page);
}

/** The download figures line (percent, bytes, speed, time left) while a download runs. */
export function downloadFigures(page: Page): Locator {
  return selectedModel(page).locator("tabclaw-download-progress [data-testid='download-figures']");
}

/** The error the selected-model section shows (role="alert"), e.g. a failed or cancelled download. */
export function modelError(page: Page): Locator {
  return selectedModel(page).getByRole("alert");
}

/** The Storage view's row for `modelId` (present while anything of the model is stored). */
export function storageRow(page: Page, modelId: string): Locator {
  return page.locator(`tabclaw-storage-panel tr[data-model-id="${modelId}"]`);
}

/** One rendering of the download progress element: what it showed and the figures it showed them from. */
export interface RenderedProgress {
  text: string;
  progress: DownloadProgress;
}

interface ProgressRecorderGlobal {
  __tabclawRenderedProgress?: RenderedProgress[];
}

/**
 * Records every rendering of `tabclaw-download-progress` in this page from now on, so a test can see
 * a state the element showed even if it was gone by the time the test looked (100 % lasts only until
 * the model panel notices the download ended). Read them with {@link renderedProgress}.
 */
export async function recordDownloadProgress(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const store = globalThis as unknown as ProgressRecorderGlobal;
    if (store.__tabclawRenderedProgress) return;
    const rendered: RenderedProgress[] = [];
    store.__tabclawRenderedProgress = rendered;
    const element = await customElements.whenDefined("tabclaw-download-progress");
    const proto = element.prototype as HTMLElement & { updated?: (changed: unknown) => void };
    const original = proto.updated;
    proto.updated = function (this: HTMLElement & { progress?: DownloadProgress }, changed: unknown): void {
      original?.call(this, changed);
      const figures = this.shadowRoot?.querySelector("[data-testid='download-figures']");
      if (this.progress && figures) {
        rendered.push({
          text: (figures.textContent ?? "").replace(/\s+/g, " ").trim(),
          progress: { ...this.progress },
        });
      }
    };
  });
}

/** What {@link recordDownloadProgress} has seen so far, oldest first. */
export async function renderedProgress(page: Page): Promise<RenderedProgress[]> {
  return page.evaluate(() => [...((globalThis as unknown as ProgressRecorderGlobal).__tabclawRenderedProgress ?? [])]);
}

/** URLs of every entry in one of web-llm's caches (without creating the cache if it does not exist). */
export async function cachedUrls(page: Page, cacheName: WebLlmCache): Promise<string[]> {
  return page.evaluate(async (name) => {
    if (!(await caches.has(name))) return [];
    const keys = await (await caches.open(name)).keys();
    return keys.map((request) => request.url);
  }, cacheName);
}

/** Accepts every confirm() the page shows from now on (deleting a model asks first). */
export function acceptDialogs(page: Page): void {
  page.on("dialog", (dialog) => void dialog.accept());
}

/**
 * The first visit installs the service worker; it controls pages from the next load on. Returns
 * once the page is controlled and the app has started again.
 */
export async function waitUntilControlled(page: Page): Promise<void> {
  await waitForServiceWorker(page);
  if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) await page.reload();
  await waitForServiceWorker(page, { controlled: true });
  await waitForAppReady(page);
}
