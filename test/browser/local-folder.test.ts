/**
 * Adding a model from a folder, as a user behind a firewall does it: Models → "Add a model from a
 * folder", a folder on disk in the MLC layout (the real SmolLM2-135M config, tokenizer and manifest,
 * generated shards, a tiny wasm). No mirror is set and every request leaving the test server is
 * refused, so nothing of the import, the load or the chat can come from a network. Each test checks
 * what the user sees, what the scripted engine and the test server received, and web-llm's caches.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from "vitest";
import { ERROR_HINTS } from "../../src/core/errors";
import { formatBytes } from "../../src/core/format";
import { LOCAL_MODEL_ORIGIN, slugify } from "../../src/models/local-folder-import";
import { describeEngineCall } from "../fakes/engine-script";
import { FOLDER_LIBRARY_FILE, linkModelFolder, writeModelFolder, type ModelFolder } from "../fakes/model-folder";
import { startTestServer, type TestServer } from "../fakes/test-server";
import {
  acceptDialogs,
  cachedUrls,
  loadSelectedModel,
  modelButton,
  openView,
  recordDownloadProgress,
  renderedProgress,
  selectedModel,
  storageRow,
  waitForAppReady,
  type WebLlmCache,
} from "./harness/app-steps";
import { launchChromium, newAppPage, type AppPage } from "./harness/browser";
import { modelStatus, sendMessage, waitForAnswer } from "./harness/chat-steps";
import { requireDist } from "./harness/dist";

const FOLDER_NAME = "SmolLM2-135M-Instruct-q0f32-MLC";
const LOCAL_ID = `local-${slugify(FOLDER_NAME)}`;
/** Where the app stores the folder's files: the synthetic URLs web-llm will `cache.match`. */
const LOCAL_BASE = new URL(`${slugify(FOLDER_NAME)}/resolve/main/`, LOCAL_MODEL_ORIGIN).href;
/** The only file of the folder web-llm never reads, so the app does not copy it. */
const NOT_COPIED = "tokenizer_config.json";

let server: TestServer;
let browser: Browser;
let workDir: string;
let folder: ModelFolder;
/** Bytes the import copies: every file but {@link NOT_COPIED}. */
let copiedBytes: number;
let app: AppPage | undefined;
/** Every request the browser made to anywhere but the test server (all refused). */
let elsewhere: string[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "tabclaw-local-folder-"));
  [server, browser, folder] = await Promise.all([
    startTestServer({ scriptedEngine: true, distDir: requireDist() }),
    launchChromium({ webgpu: true }),
    writeModelFolder(workDir, FOLDER_NAME),
  ]);
  copiedBytes = [...folder.sizes].reduce((sum, [name, bytes]) => (name === NOT_COPIED ? sum : sum + bytes), 0);
});

beforeEach(() => {
  server.setEngineScript({ responses: [] });
  elsewhere = [];
});

afterEach(async () => {
  await app?.close();
  app = undefined;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** A fresh profile with the app started, no mirror, and no way out of this machine. */
async function openApp(): Promise<AppPage> {
  app = await newAppPage(browser, server);
  // Routes added later take precedence, so the engine calls routed by the harness still go through.
  await app.context.route(
    (url) => url.origin !== server.origin,
    async (route) => {
      elsewhere.push(route.request().url());
      await route.abort("internetdisconnected");
    },
  );
  await waitForAppReady(app.page);
  return app;
}

function folderSection(page: Page): Locator {
  return page.locator("tabclaw-model-panel section[aria-labelledby='folder-title']");
}

/** Models → Add a model from a folder: picks `dir` in the folder picker, as a user does. */
async function pickFolder(page: Page, dir: string): Promise<void> {
  await openView(page, "Models");
  await folderSection(page).getByLabel("Model folder").setInputFiles(dir);
}

/** The model's row in the Models list. */
function catalogRow(page: Page, modelId = LOCAL_ID): Locator {
  return page.locator(`tabclaw-model-panel .row[data-model-id="${modelId}"]`);
}

/** Cache keys of one of web-llm's caches under the synthetic origin of folder models. */
async function localCacheUrls(page: Page, cache: WebLlmCache): Promise<string[]> {
  return (await cachedUrls(page, cache)).filter((url) => url.startsWith(LOCAL_MODEL_ORIGIN)).sort();
}

/** Imports the full folder and waits until the app offers to Load the new model. */
async function importFolder(page: Page): Promise<void> {
  await pickFolder(page, folder.dir);
  await selectedModel(page).locator("#selected-title", { hasText: LOCAL_ID }).waitFor();
  await modelButton(page, "Load").waitFor();
}

/** Every request that reached the test server for a model file, from any host path. */
function modelFileRequests(): string[] {
  return server
    .requests((entry) => entry.path.startsWith("/hub/") || /\.(wasm|bin)$|tensor-cache|tokenizer/.test(entry.path))
    .map((entry) => entry.path);
}

test("a folder is copied with progress, listed, stored, loaded and chatted with, without any network", async () => {
  const { page, assertNoErrors } = await openApp();
  await openView(page, "Models");
  await recordDownloadProgress(page);
  server.clearRequestLog();
  const callsBefore = server.engineCalls.length;

  await pickFolder(page, folder.dir);
  // The user sees the copy happening.
  await folderSection(page).getByRole("progressbar", { name: "Adding model from folder" }).waitFor();
  await selectedModel(page).locator("#selected-title", { hasText: LOCAL_ID }).waitFor();
  await modelButton(page, "Load").waitFor();
  expect(await folderSection(page).locator("tabclaw-download-progress").count()).toBe(0);
  expect(await folderSection(page).getByRole("alert").count()).toBe(0);

  const rendered = await renderedProgress(page);
  console.log(`[import] ${rendered.length} renderings; last: ${rendered.at(-1)?.text}`);
  const copying = rendered.filter((item) => item.progress.phase === "downloading");
  expect(copying.length).toBeGreaterThan(0);
  for (const item of copying) {
    expect(item.progress).toMatchObject({ modelId: LOCAL_ID, bytesTotal: copiedBytes, filesTotal: 12 });
  }
  expect(copying.some((item) => item.progress.bytesDone > 0 && item.progress.bytesDone < copiedBytes)).toBe(true);
  const bytesShown = rendered.map((item) => item.progress.bytesDone);
  expect(bytesShown).toEqual([...bytesShown].sort((a, b) => a - b));
  expect(copying.some((item) => item.text.includes(`of ${formatBytes(copiedBytes)}`))).toBe(true);

  // Listed as local-<slug>, selected, marked downloaded, and offered to load (not to download).
  const row = catalogRow(page);
  expect(await row.locator("input[type='radio']").isChecked()).toBe(true);
  expect(await row.locator(".badge.ok").textContent()).toBe("Downloaded");
  expect(await modelButton(page, "Download").count()).toBe(0);
  expect(await selectedModel(page).textContent()).toContain(`${formatBytes(copiedBytes)} stored`);

  // web-llm's caches hold every file it reads, under the synthetic URLs, and nothing else.
  const shards = folder.manifest.records.map((shard) => `${LOCAL_BASE}${shard.dataPath}`);
  expect(await localCacheUrls(page, "webllm/model")).toEqual(
    [...shards, `${LOCAL_BASE}tensor-cache.json`, `${LOCAL_BASE}tokenizer.json`].sort(),
  );
  expect(await localCacheUrls(page, "webllm/config")).toEqual([`${LOCAL_BASE}mlc-chat-config.json`]);
  expect(await localCacheUrls(page, "webllm/wasm")).toEqual([`${LOCAL_BASE}${FOLDER_LIBRARY_FILE}`]);

  await openView(page, "Storage");
  const stored = storageRow(page, LOCAL_ID);
  await stored.waitFor();
  expect(await stored.getByTestId("model-bytes").textContent()).toBe(formatBytes(copiedBytes));
  expect(await stored.textContent()).toContain("Complete");

  const answer = "Loaded from a folder on this machine.";
  server.setEngineScript({ responses: [{ text: answer, tokensPerSecond: 200 }] });
  await openView(page, "Models");
  await loadSelectedModel(page);
  await openView(page, "Chat");
  await modelStatus(page, LOCAL_ID).waitFor();
  await sendMessage(page, "Where do you come from?");
  const shown = await waitForAnswer(page, 1);
  expect((await shown.locator(".body").innerText()).trim()).toBe(answer);
  expect(await shown.getByTestId("answer-stats").innerText()).toContain(LOCAL_ID);

  // The engine loaded the folder model (reading it from the caches above), decided to answer, and answered.
  const calls = server.engineCalls.slice(callsBefore);
  expect(calls.map(describeEngineCall)).toEqual([`reload ${LOCAL_ID}`, "decide", "chat"]);
  expect(server.answerRequests.at(-1)?.messages.at(-1)).toEqual({ role: "user", content: "Where do you come from?" });
  // No model file came from the test server or from anywhere else; nothing asked for the synthetic URLs.
  expect(modelFileRequests()).toEqual([]);
  expect(elsewhere.filter((url) => url.startsWith(LOCAL_MODEL_ORIGIN))).toEqual([]);
  expect(elsewhere.filter((url) => /\.(wasm|bin)$|tokenizer|mlc-chat-config/.test(url))).toEqual([]);
  assertNoErrors();
});

test("a folder missing a shard and the library is refused, naming exactly what is missing", async () => {
  const { page, assertNoErrors } = await openApp();
  const shard = folder.manifest.records[3]?.dataPath ?? "";
  const incomplete = await linkModelFolder(folder, workDir, "SmolLM2-incomplete", [shard, FOLDER_LIBRARY_FILE]);
  await openView(page, "Models");
  const selectedBefore = (await selectedModel(page).locator("#selected-title").innerText()).trim();
  const rowsBefore = await page.locator("tabclaw-model-panel .row").count();
  server.clearRequestLog();

  await pickFolder(page, incomplete.dir);
  const alert = folderSection(page).getByRole("alert");
  await alert.waitFor();
  expect((await alert.innerText()).trim()).toBe(
    `"${incomplete.name}" cannot be loaded: missing ${shard}, the model library (a .wasm file). ` +
      ERROR_HINTS.LocalFolderError,
  );

  // Nothing was added: not to the list, not to the caches, not to Storage, and not after a reload.
  expect(await folderSection(page).locator("tabclaw-download-progress").count()).toBe(0);
  expect(await page.locator("tabclaw-model-panel .row[data-model-id^='local-']").count()).toBe(0);
  expect(await page.locator("tabclaw-model-panel .row").count()).toBe(rowsBefore);
  expect((await selectedModel(page).locator("#selected-title").innerText()).trim()).toBe(selectedBefore);
  for (const cache of ["webllm/model", "webllm/config", "webllm/wasm"] as const) {
    expect(await localCacheUrls(page, cache)).toEqual([]);
  }
  await openView(page, "Storage");
  await page.getByText("No model is stored yet.").waitFor();
  await page.reload();
  await waitForAppReady(page);
  await openView(page, "Models");
  await selectedModel(page).locator("#selected-title", { hasText: selectedBefore }).waitFor();
  expect(await page.locator("tabclaw-model-panel .row[data-model-id^='local-']").count()).toBe(0);
  expect(modelFileRequests()).toEqual([]);
  assertNoErrors();
});

test("an imported model survives a reload, still loads, and can be deleted from the list and the caches", async () => {
  const { page, assertNoErrors } = await openApp();
  acceptDialogs(page);
  await importFolder(page);
  const callsBefore = server.engineCalls.length;

  await page.reload();
  await waitForAppReady(page);
  await openView(page, "Models");
  await selectedModel(page).locator("#selected-title", { hasText: LOCAL_ID }).waitFor();
  await modelButton(page, "Load").waitFor();
  expect(await catalogRow(page).locator(".badge.ok").textContent()).toBe("Downloaded");
  await loadSelectedModel(page);
  expect(server.engineCalls.slice(callsBefore).map((call) => call.kind === "reload" && call.modelId)).toEqual([
    LOCAL_ID,
  ]);

  await modelButton(page, "Delete from this device").click();
  await catalogRow(page).waitFor({ state: "detached" });
  expect(await selectedModel(page).locator("#selected-title").innerText()).not.toContain(LOCAL_ID);
  for (const cache of ["webllm/model", "webllm/config", "webllm/wasm"] as const) {
    expect(await localCacheUrls(page, cache)).toEqual([]);
  }
  await openView(page, "Storage");
  await page.getByText("No model is stored yet.").waitFor();
  expect(await storageRow(page, LOCAL_ID).count()).toBe(0);

  // Gone for good: the list read back from this device after a reload does not have it either.
  await page.reload();
  await waitForAppReady(page);
  await openView(page, "Models");
  await page.locator("tabclaw-model-panel .row").first().waitFor();
  expect(await catalogRow(page).count()).toBe(0);
  expect(modelFileRequests()).toEqual([]);
  assertNoErrors();
});
