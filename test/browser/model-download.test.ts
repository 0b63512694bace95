/**
 * Downloading a model as a user does it: through the Models and Storage views, against the fake hub
 * (the real SmolLM2-135M config, tokenizer and tensor-cache.json with generated shards). Each test
 * checks what the user sees, what the fake hub was asked for, and what ended up in web-llm's caches.
 */
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { ERROR_HINTS } from "../../src/core/errors";
import { formatBytes } from "../../src/core/format";
import { FIXTURE_MODEL_ID, TINY_WASM } from "../fakes/fake-hub";
import type { RequestLogEntry } from "../fakes/request-log";
import { startTestServer, type TestServer } from "../fakes/test-server";
import {
  acceptDialogs,
  cachedUrls,
  downloadFigures,
  downloadModel,
  modelButton,
  modelError,
  openView,
  recordDownloadProgress,
  renderedProgress,
  selectModel,
  selectedModel,
  setMirror,
  startDownload,
  storageRow,
  waitForAppReady,
} from "./harness/app-steps";
import { launchChromium, newAppPage, setQuota, waitForServiceWorker, type AppPage } from "./harness/browser";
import { requireDist } from "./harness/dist";

const MODEL = FIXTURE_MODEL_ID;

let server: TestServer;
let browser: Browser;
let app: AppPage | undefined;
/** Bytes of every file the app stores for the model: shards, library, tokenizer, config, manifest. */
let modelBytes: number;
let weightBytes: number;

/** Chromium logs every failed fetch itself; the tests that cause one say which. */
const HTTP_404 = /Failed to load resource: the server responded with a status of 404/;

beforeAll(async () => {
  server = await startTestServer({ scriptedEngine: true, distDir: requireDist() });
  browser = await launchChromium({ webgpu: true });
  weightBytes = server.manifest.records.reduce((sum, shard) => sum + shard.nbytes, 0);
  const small = await Promise.all(
    ["mlc-chat-config.json", "tokenizer.json", "tensor-cache.json"].map(async (file) => {
      const response = await fetch(server.modelFileUrl(file));
      return (await response.arrayBuffer()).byteLength;
    }),
  );
  modelBytes = weightBytes + TINY_WASM.byteLength + small.reduce((sum, bytes) => sum + bytes, 0);
});

afterEach(async () => {
  server.setHubOptions({ modelLibrary: "present", corruptShard: undefined, throttleBytesPerSecond: undefined });
  await app?.close();
  app = undefined;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A fresh profile with the app started and the mirror pointing at the fake hub. */
async function openApp(): Promise<AppPage> {
  app = await newAppPage(browser, server);
  await waitForAppReady(app.page);
  await setMirror(app.page, server.hubUrl);
  return app;
}

/** Counts persist() calls from now on, while still asking the real StorageManager. */
async function countPersistRequests(page: Page): Promise<void> {
  await page.evaluate(() => {
    const original = StorageManager.prototype.persist;
    const counter = globalThis as unknown as { __persistCalls: number };
    counter.__persistCalls = 0;
    StorageManager.prototype.persist = function (this: StorageManager): Promise<boolean> {
      counter.__persistCalls += 1;
      return original.call(this);
    };
  });
}

function persistRequests(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as { __persistCalls: number }).__persistCalls);
}

function shardPath(index: number): string {
  const shard = server.manifest.records[index];
  if (!shard) throw new Error(`tensor-cache.json has no record ${index}`);
  return shard.dataPath;
}

function isShardRequest(entry: RequestLogEntry): boolean {
  return /\/params_shard_\d+\.bin$/.test(entry.path);
}

/** How often each shard was requested in `entries`, by file name (shards never asked for are left out). */
function shardRequestCounts(entries: RequestLogEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of entries.filter(isShardRequest)) {
    const name = entry.path.slice(entry.path.lastIndexOf("/") + 1);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/** Files of the fixture in web-llm's model cache (shards, tokenizer, tensor-cache.json), by file name. */
async function storedFiles(page: Page): Promise<string[]> {
  const urls = await cachedUrls(page, "webllm/model");
  return urls
    .filter((url) => url.startsWith(server.modelFileUrl("")))
    .map((url) => url.slice(url.lastIndexOf("/") + 1));
}

/** The fixture's shards in web-llm's model cache, by file name. */
async function storedShards(page: Page): Promise<string[]> {
  return (await storedFiles(page)).filter((name) => /^params_shard_\d+\.bin$/.test(name));
}

/**
 * Throttles the hub as soon as shard `index` is requested (shards are fetched in order, so the ones
 * before it are stored by then): the download gets there fast and then stays in that shard long
 * enough to act in the middle of it.
 */
function slowDownFromShard(index: number): Promise<void> {
  return server
    .waitForRequest(new RegExp(`/${shardPath(index)}$`))
    .then(() => server.setHubOptions({ throttleBytesPerSecond: 2_000_000 }));
}

/** Waits until the download figures say "file n of …" or later. */
async function waitForFileNumber(page: Page, n: number): Promise<void> {
  await expect
    .poll(async () => Number(/file (\d+) of/.exec((await downloadFigures(page).textContent()) ?? "")?.[1] ?? 0), {
      timeout: 30_000,
    })
    .toBeGreaterThanOrEqual(n);
}

/** The "Downloaded" badge on the model's row in the Models list. */
function downloadedBadge(page: Page): Locator {
  return page.locator(`tabclaw-model-panel .row[data-model-id="${MODEL}"] .badge.ok`);
}

/** Parses the Storage view's "271 MB" back to bytes (to the precision shown). */
function shownBytes(text: string): number {
  const match = /^([\d.]+) (B|KB|MB|GB|TB)$/.exec(text.trim());
  if (!match?.[1] || !match[2]) throw new Error(`Not a byte figure: ${text}`);
  const units = ["B", "KB", "MB", "GB", "TB"];
  return Number(match[1]) * 1000 ** units.indexOf(match[2]);
}

describe("downloading a model", () => {
  test("progress reaches 100% with every byte, the model is stored once, and deleting it removes it", async () => {
    const { page } = await openApp();
    acceptDialogs(page);
    await selectModel(page, MODEL);
    await recordDownloadProgress(page);
    await countPersistRequests(page);
    server.clearRequestLog();

    await downloadModel(page, MODEL);
    // Once a model is stored, the app asks the browser to keep it under storage pressure.
    await expect.poll(() => persistRequests(page)).toBe(1);

    const rendered = await renderedProgress(page);
    console.log(`[download] ${rendered.length} renderings; last: ${rendered.at(-1)?.text}`);
    const running = rendered.filter((item) => item.progress.phase === "downloading");
    expect(running.length).toBeGreaterThan(0);
    // Speed and time left were shown while bytes flowed.
    expect(running.some((item) => /\/s\b/.test(item.text))).toBe(true);
    expect(running.some((item) => / left\b/.test(item.text))).toBe(true);
    const done = rendered.at(-1);
    expect(done?.progress).toMatchObject({ phase: "done", bytesDone: modelBytes, bytesTotal: modelBytes });
    expect(done?.text).toContain(`100% ${formatBytes(modelBytes)} of ${formatBytes(modelBytes)}`);
    // The bar never goes backwards, in bytes or in the percent shown.
    const bytesShown = rendered.map((item) => item.progress.bytesDone);
    expect(bytesShown).toEqual([...bytesShown].sort((a, b) => a - b));
    const percentShown = rendered.flatMap((item) => /^(\d+)%/.exec(item.text)?.[1] ?? []).map(Number);
    expect(percentShown.length).toBeGreaterThan(1);
    expect(percentShown).toEqual([...percentShown].sort((a, b) => a - b));

    // Afterwards the model is offered to load, marked downloaded, and the bar is gone.
    expect(await modelButton(page, "Load").isEnabled()).toBe(true);
    expect(await downloadFigures(page).count()).toBe(0);
    expect(await modelButton(page, "Download").count()).toBe(0);
    expect(await downloadedBadge(page).textContent()).toBe("Downloaded");

    // The hub served each shard once, whole, and nothing else twice.
    const shards = server.requests(isShardRequest);
    expect(shardRequestCounts(shards)).toEqual(new Map(server.manifest.records.map((s) => [s.dataPath, 1])));
    for (const entry of shards) expect([entry.status, entry.completed]).toEqual([200, true]);
    expect(server.requests(/\/model-libs\//).map((entry) => entry.status)).toEqual([200]);
    expect(server.requests(/\/tokenizer\.json$/).length).toBe(1);

    await openView(page, "Storage");
    const row = storageRow(page, MODEL);
    await row.waitFor();
    const sizeText = (await row.getByTestId("model-bytes").textContent()) ?? "";
    expect(sizeText).toBe(formatBytes(modelBytes));
    expect(shownBytes(sizeText)).toBeGreaterThanOrEqual(weightBytes);
    expect(await row.textContent()).toContain("Complete");
    expect(await row.textContent()).not.toContain("Incomplete");
    expect(await page.locator("tabclaw-storage-panel").getByTestId("storage-estimate").textContent()).toContain(
      `Models account for ${formatBytes(modelBytes)}.`,
    );

    await row.getByRole("button", { name: `Delete ${MODEL}` }).click();
    await row.waitFor({ state: "detached" });
    await page.getByText("No model is stored yet.").waitFor();

    await selectModel(page, MODEL);
    await modelButton(page, "Download").waitFor();
    expect(await modelButton(page, "Load").count()).toBe(0);
    const base = server.modelFileUrl("");
    expect((await cachedUrls(page, "webllm/model")).filter((url) => url.startsWith(base))).toEqual([]);
    expect((await cachedUrls(page, "webllm/config")).filter((url) => url.startsWith(base))).toEqual([]);
    expect((await cachedUrls(page, "webllm/wasm")).filter((url) => url.startsWith(server.hubUrl))).toEqual([]);
    app?.assertNoErrors();
  });

  test("a missing model library is reported by name before any weight is fetched", async () => {
    const { page } = await openApp();
    server.setHubOptions({ modelLibrary: "missing" });
    server.clearRequestLog();
    await startDownload(page, MODEL);

    const alert = modelError(page);
    await alert.waitFor();
    const text = (await alert.textContent()) ?? "";
    const library = server.requests(/\/model-libs\//);
    expect(library.map((entry) => entry.status)).toEqual([404]);
    const libraryFile = library[0]?.path.slice(library[0].path.lastIndexOf("/") + 1) ?? "";
    expect(libraryFile).toMatch(/\.wasm$/);
    expect(text).toContain(`The model library ${libraryFile} is not available`);
    expect(text).toContain(ERROR_HINTS.ModelLibraryMissingError);
    expect(server.requests(isShardRequest)).toEqual([]);

    // Nothing was stored: the model is offered for download, not resume, and not for loading.
    expect(await downloadFigures(page).count()).toBe(0);
    await modelButton(page, "Download").waitFor();
    expect(await modelButton(page, "Load").count()).toBe(0);
    expect(await storedFiles(page)).toEqual([]);
    app?.assertNoErrors([HTTP_404]);
  });

  test("cancel keeps finished shards, and resume fetches only the rest", async () => {
    const { page } = await openApp();
    acceptDialogs(page);
    await recordDownloadProgress(page);
    server.clearRequestLog();
    const thirdShardSlow = slowDownFromShard(2);
    await startDownload(page, MODEL);
    await thirdShardSlow;
    await waitForFileNumber(page, 5);
    await modelButton(page, "Cancel download").click();

    await modelError(page)
      .filter({ hasText: `The download of ${MODEL} was cancelled.` })
      .waitFor();
    await modelButton(page, "Resume download").waitFor();
    expect(await downloadFigures(page).count()).toBe(0);
    expect(await modelButton(page, "Load").count()).toBe(0);
    expect(await downloadedBadge(page).count()).toBe(0);
    // The two finished shards are kept; the one cut short is neither kept nor was it sent whole.
    const keptBeforeResume = (await storedShards(page)).sort();
    expect(keptBeforeResume).toEqual([shardPath(0), shardPath(1)].sort());
    expect(await storedFiles(page)).not.toContain("tensor-cache.json");
    const cut = server.requests(new RegExp(`/${shardPath(2)}$`));
    expect(cut.map((entry) => entry.completed)).toEqual([false]);

    await openView(page, "Storage");
    await storageRow(page, MODEL).filter({ hasText: "Incomplete" }).waitFor();

    server.setHubOptions({ throttleBytesPerSecond: undefined });
    const resumedFrom = server.requests().length;
    const renderedBefore = (await renderedProgress(page)).length;
    await downloadModel(page, MODEL);

    const resumed = server.requests().slice(resumedFrom);
    const counts = shardRequestCounts(resumed);
    for (const kept of keptBeforeResume) expect(counts.get(kept), kept).toBeUndefined();
    const missing = server.manifest.records.map((shard) => shard.dataPath).filter((s) => !keptBeforeResume.includes(s));
    expect(counts).toEqual(new Map(missing.map((shard) => [shard, 1])));
    // The bar starts part-way, from what was kept, and ends at the whole model.
    const afterResume = (await renderedProgress(page)).slice(renderedBefore);
    const keptBytes = server.manifest.records
      .filter((shard) => keptBeforeResume.includes(shard.dataPath))
      .reduce((sum, shard) => sum + shard.nbytes, 0);
    expect(
      afterResume.find((item) => item.progress.phase === "downloading")?.progress.bytesDone,
    ).toBeGreaterThanOrEqual(keptBytes);
    expect(afterResume.at(-1)?.progress).toMatchObject({
      phase: "done",
      bytesDone: modelBytes,
      bytesTotal: modelBytes,
    });

    await openView(page, "Storage");
    await storageRow(page, MODEL).filter({ hasText: "Complete" }).waitFor();
    expect(await storageRow(page, MODEL).textContent()).not.toContain("Incomplete");
    app?.assertNoErrors();
  });

  test("a reload in the middle of a download leaves an incomplete model that resumes", async () => {
    const { page } = await openApp();
    server.clearRequestLog();
    const thirdShardSlow = slowDownFromShard(2);
    await startDownload(page, MODEL);
    await thirdShardSlow;
    await waitForFileNumber(page, 5);
    await page.reload();
    await waitForAppReady(page);

    await selectModel(page, MODEL);
    await modelButton(page, "Resume download").waitFor();
    expect(await modelButton(page, "Load").count()).toBe(0);
    expect(await downloadedBadge(page).count()).toBe(0);
    expect(await selectedModel(page).locator(".facts").textContent()).toContain("(incomplete)");
    // What was stored before the reload stays; the shard being fetched was cut and left nothing.
    const kept = (await storedShards(page)).sort();
    expect(kept).toEqual([shardPath(0), shardPath(1)].sort());
    expect(await storedFiles(page)).not.toContain("tensor-cache.json");
    expect(server.requests(new RegExp(`/${shardPath(2)}$`)).map((entry) => entry.completed)).toEqual([false]);
    await openView(page, "Storage");
    await storageRow(page, MODEL).filter({ hasText: "Incomplete" }).waitFor();

    server.setHubOptions({ throttleBytesPerSecond: undefined });
    const resumedFrom = server.requests().length;
    await downloadModel(page, MODEL);
    const counts = shardRequestCounts(server.requests().slice(resumedFrom));
    for (const shard of kept) expect(counts.get(shard), shard).toBeUndefined();
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(counts.size + kept.length).toBe(server.manifest.records.length);
    await openView(page, "Storage");
    await storageRow(page, MODEL).filter({ hasText: "Complete" }).waitFor();
    app?.assertNoErrors();
  });

  test("a damaged shard is refused with an integrity error and the model stays incomplete", async () => {
    const { page } = await openApp();
    server.setHubOptions({ corruptShard: 2 });
    server.clearRequestLog();
    await startDownload(page, MODEL);

    const alert = modelError(page);
    await alert.waitFor();
    const text = (await alert.textContent()) ?? "";
    expect(text).toContain(`${shardPath(2)} is damaged: its MD5 is`);
    expect(text).toContain(`expected ${server.manifest.records[2]?.md5sum ?? "?"}`);
    expect(text).toContain(ERROR_HINTS.DownloadIntegrityError);
    expect(server.requests(new RegExp(`/${shardPath(2)}$`)).map((entry) => [entry.status, entry.completed])).toEqual([
      [200, true],
    ]);

    // The shards before it are kept; the damaged one was discarded and the download went no further.
    await modelButton(page, "Resume download").waitFor();
    expect(await modelButton(page, "Load").count()).toBe(0);
    expect((await storedShards(page)).sort()).toEqual([shardPath(0), shardPath(1)].sort());
    expect(await storedFiles(page)).not.toContain("tensor-cache.json");
    await openView(page, "Storage");
    await storageRow(page, MODEL).filter({ hasText: "Incomplete" }).waitFor();

    // Once the host serves the right bytes, resuming fetches the damaged shard again and completes.
    server.setHubOptions({ corruptShard: undefined });
    const resumedFrom = server.requests().length;
    await downloadModel(page, MODEL);
    const rest = server.manifest.records.slice(2).map((shard) => shard.dataPath);
    expect(shardRequestCounts(server.requests().slice(resumedFrom))).toEqual(new Map(rest.map((name) => [name, 1])));
    expect(await storedShards(page)).toContain(shardPath(2));
    app?.assertNoErrors();
  });

  test("a full disk stops the download with a storage-full error, and nothing looks complete", async () => {
    const { page } = await openApp();
    // The app shell's precache counts against the quota too: let it settle before measuring.
    await waitForServiceWorker(page);
    const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    // Room for the library, tokenizer and the first two shards, not the third.
    const quota = usage + 100_000_000;
    const cap = await setQuota(page, quota);
    try {
      server.clearRequestLog();
      await startDownload(page, MODEL);
      const alert = modelError(page);
      await alert.waitFor({ timeout: 60_000 });
      const text = (await alert.textContent()) ?? "";
      console.log(`[full disk] quota ${quota} bytes: ${text.trim()}`);
      expect(text).toContain(`The browser's storage for this site is full; ${shardPath(2)} could not be stored.`);
      expect(text).toContain(ERROR_HINTS.StorageFullError);

      expect(await modelButton(page, "Load").count()).toBe(0);
      expect(await downloadedBadge(page).count()).toBe(0);
      // What fitted is kept for a later resume; the shard that did not fit left nothing behind.
      expect((await storedShards(page)).sort()).toEqual([shardPath(0), shardPath(1)].sort());
      expect(await storedFiles(page)).not.toContain("tensor-cache.json");
      await openView(page, "Storage");
      await storageRow(page, MODEL).filter({ hasText: "Incomplete" }).waitFor();
      app?.assertNoErrors();
    } finally {
      await cap.release();
    }
  });
});

describe("the Storage view", () => {
  test("shows the browser's estimate and asks for persistent storage when the user presses Keep my data", async () => {
    app = await newAppPage(browser, server);
    const { page } = app;
    await countPersistRequests(page);
    await waitForAppReady(page);
    await openView(page, "Storage");
    const panel = page.locator("tabclaw-storage-panel");
    const estimateText = panel.getByTestId("storage-estimate");
    await estimateText.waitFor();
    await panel.getByRole("button", { name: "Refresh", exact: true }).click();
    await expect
      .poll(async () => {
        const estimate = await page.evaluate(() => navigator.storage.estimate());
        const text = (await estimateText.textContent())?.replace(/\s+/g, " ").trim();
        return text?.startsWith(
          `Tabclaw uses ${formatBytes(estimate.usage ?? 0)} of the ${formatBytes(estimate.quota ?? 0)} the browser allows this site.`,
        );
      })
      .toBe(true);
    expect(await estimateText.textContent()).toContain("Models account for 0 B.");

    expect(await page.evaluate(() => navigator.storage.persisted())).toBe(false);
    await panel.getByText("Storage is not persistent").waitFor();
    await panel.getByRole("button", { name: "Keep my data", exact: true }).click();
    await expect.poll(() => persistRequests(page)).toBe(1);
    const persisted = await page.evaluate(() => navigator.storage.persisted());
    console.log(`[storage] persist() in headless Chromium: ${persisted}`);
    if (persisted) {
      await panel.getByText("Storage is persistent").waitFor();
      expect(await panel.getByRole("button", { name: "Keep my data" }).count()).toBe(0);
    } else {
      await panel.getByRole("status").filter({ hasText: "The browser said no." }).waitFor();
      await panel.getByText("Storage is not persistent").waitFor();
    }
    app.assertNoErrors();
  });
});
