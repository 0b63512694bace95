/**
 * The model worker dying under the user: mid-answer and mid-load. The scripted engine (a TEST DOUBLE
 * behind web-llm's real worker protocol) throws an uncaught error in its worker on cue, so the page
 * learns of it only through the worker's "error" event, as with a real crash. Each test checks what
 * the user sees, which workers the page ran, and what the engine was asked.
 */
import type { Locator, Page, Worker } from "playwright-core";
import { beforeEach, expect, test } from "vitest";
import { ERROR_HINTS } from "../../src/core/errors";
import { describeEngineCall, SCRIPTED_CRASH_MESSAGE, type EngineCall } from "../fakes/engine-script";
import { FIXTURE_MODEL_ID } from "../fakes/fake-hub";
import { loadSelectedModel, modelButton, modelError, openView, waitForAppReady } from "./harness/app-steps";
import { useBrowserSuite } from "./harness/suite";
import {
  composer,
  downloadFixtureModel,
  loadFixtureModel,
  messageTexts,
  modelStatus,
  sampleStreamingText,
  sendMessage,
  waitForAnswer,
} from "./harness/chat-steps";

const MODEL = FIXTURE_MODEL_ID;
/** The crash as the browser reports it (console and uncaught-error events): expected here, nothing else is. */
const CRASH_REPORTED = new RegExp(SCRIPTED_CRASH_MESSAGE);

const suite = useBrowserSuite({ webgpu: true });

beforeEach(() => {
  suite.server.setEngineScript({ responses: [] });
});

/** The page's workers, as Playwright sees them start and end. */
interface WorkerWatch {
  started: Worker[];
  closed: Set<Worker>;
  /** Model workers (the scripted one, served at the real model worker's URL) that are still running. */
  liveModelWorkers(): Worker[];
}

function watchWorkers(page: Page): WorkerWatch {
  const started = [...page.workers()];
  const closed = new Set<Worker>();
  const follow = (worker: Worker): void => void worker.on("close", () => closed.add(worker));
  started.forEach(follow);
  page.on("worker", (worker) => {
    started.push(worker);
    follow(worker);
  });
  return {
    started,
    closed,
    liveModelWorkers: () => started.filter((worker) => /model\.worker/.test(worker.url()) && !closed.has(worker)),
  };
}

function describeCalls(calls: EngineCall[]): string[] {
  return calls.map(describeEngineCall);
}

/** Text as a user reads it: whitespace collapsed. */
function shownText(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** The Chat view's status line when it reports a problem (role="alert"). */
function chatStatusAlert(page: Page): Locator {
  return page.locator("tabclaw-chat-view section > .status[role='alert']");
}

test("a crash mid-answer keeps the text, says to load the model again, and loading again answers", async () => {
  const app = await suite.open();
  const { page, assertNoErrors } = app;
  await waitForAppReady(page);
  await loadFixtureModel(page, suite.server);
  const workers = watchWorkers(page);
  // The model worker and the agent worker the model was loaded in.
  const crashedWorkers = [...workers.started];
  expect(crashedWorkers).toHaveLength(2);
  expect(workers.liveModelWorkers()).toHaveLength(1);
  const words = Array.from({ length: 30 }, (_, i) => `word${i + 1}`).join(" ");
  // 30 tokens at 20 tokens/s: the user watches the answer grow for over a second before the worker dies.
  suite.server.setEngineScript({ responses: [{ text: words, tokensPerSecond: 20, crash: true }] });
  const callsBefore = suite.server.engineCalls.length;

  const samples = sampleStreamingText(page);
  await sendMessage(page, "Tell me a long story.");
  const seen = (await samples).map((text) => text.trim()).filter((text) => text !== "");
  const answer = await waitForAnswer(page, 1);

  // What was written stays: everything the user saw while it streamed, and nothing the model did not say.
  const kept = (await answer.locator(".body").innerText()).trim();
  expect(seen.length).toBeGreaterThan(0);
  expect(kept.startsWith(seen.at(-1) ?? "?")).toBe(true);
  expect(words.startsWith(kept)).toBe(true);
  const error = (await answer.getByRole("alert").innerText()).trim();
  expect(error).toContain("The model stopped unexpectedly");
  expect(error).toContain(SCRIPTED_CRASH_MESSAGE);
  expect(error).toContain(ERROR_HINTS.WorkerCrashedError);

  // The composer is back: Send instead of Stop, and the box takes text; Send waits for a loaded model.
  const form = page.locator("tabclaw-chat-view form");
  await form.getByRole("button", { name: "Send", exact: true }).waitFor();
  expect(await form.getByRole("button", { name: "Stop", exact: true }).count()).toBe(0);
  await composer(page).fill("Still there?");
  expect(await composer(page).inputValue()).toBe("Still there?");
  expect(await form.getByRole("button", { name: "Send", exact: true }).isDisabled()).toBe(true);

  // Chat and Models both say the model stopped and must be loaded again.
  // It had loaded and answered, so neither says it could not be loaded.
  const status = shownText(await chatStatusAlert(page).innerText());
  expect(status).toContain(`${MODEL}: The model worker stopped (`);
  expect(status).toContain(ERROR_HINTS.WorkerCrashedError);
  expect(status).not.toContain("could not be loaded");
  expect(await modelStatus(page).count()).toBe(0);
  await openView(page, "Models");
  const modelsSay = shownText(await modelError(page).innerText());
  expect(modelsSay).toMatch(/^The model worker stopped \(/);
  expect(modelsSay).toContain(ERROR_HINTS.WorkerCrashedError);
  expect(await modelButton(page, "Load").isEnabled()).toBe(true);
  // The page let go of the crashed workers (it starts new ones on demand, e.g. for the Models view).
  await expect.poll(() => crashedWorkers.every((worker) => workers.closed.has(worker))).toBe(true);

  await loadSelectedModel(page);
  const fresh = workers.liveModelWorkers();
  expect(fresh).toHaveLength(1);
  expect(crashedWorkers).not.toContain(fresh[0]);
  expect(await modelError(page).count()).toBe(0);
  const next = "Back again, and answering.";
  suite.server.setEngineScript({ responses: [{ text: next, tokensPerSecond: 200 }] });
  await openView(page, "Chat");
  await modelStatus(page).waitFor();
  expect(await chatStatusAlert(page).count()).toBe(0);
  await sendMessage(page, "Are you back?");
  const second = await waitForAnswer(page, 2);
  expect((await second.locator(".body").innerText()).trim()).toBe(next);
  expect(await second.getByRole("alert").count()).toBe(0);

  // The engine: the crashed request, a reload in the fresh worker, then the new question.
  expect(describeCalls(suite.server.engineCalls.slice(callsBefore))).toEqual([
    "decide",
    "chat",
    `reload ${MODEL}`,
    "decide",
    "chat",
  ]);
  const asked = suite.server.chatRequests.at(-1)?.messages ?? [];
  expect(asked.map((message) => message.role)).toEqual(["system", "user", "user"]);
  expect(asked.slice(1).map((message) => message.content)).toEqual(["Tell me a long story.", "Are you back?"]);

  // Saved as it was shown: the kept text with its error, then the next exchange.
  const conversation = await messageTexts(page);
  expect(conversation).toHaveLength(4);
  expect(conversation[1]).toContain(kept);
  expect(conversation[1]).toContain(ERROR_HINTS.WorkerCrashedError);
  await page.reload();
  await waitForAppReady(page);
  await page.locator("tabclaw-chat-view tabclaw-chat-message").nth(3).waitFor();
  expect(await messageTexts(page)).toEqual(conversation);
  assertNoErrors([CRASH_REPORTED]);
});

test("a crash while loading says the model stopped, and Load works again", async () => {
  const app = await suite.open();
  const { page, assertNoErrors } = app;
  await waitForAppReady(page);
  await downloadFixtureModel(page, suite.server);
  const workers = watchWorkers(page);
  const crashedWorkers = [...workers.started];
  expect(crashedWorkers).toHaveLength(2);
  suite.server.setEngineScript({ responses: [], reloads: [{ crash: true }] });
  const callsBefore = suite.server.engineCalls.length;

  await modelButton(page, "Load").click();
  const failure = modelError(page);
  await failure.waitFor();
  const text = shownText(await failure.innerText());
  expect(text).toMatch(/^The model worker stopped \(/);
  expect(text).toContain(SCRIPTED_CRASH_MESSAGE);
  expect(text).toContain(ERROR_HINTS.WorkerCrashedError);
  expect(await modelButton(page, "Load").isEnabled()).toBe(true);
  expect(await modelButton(page, "Loading…").count()).toBe(0);
  await expect.poll(() => crashedWorkers.every((worker) => workers.closed.has(worker))).toBe(true);
  await openView(page, "Chat");
  const status = shownText(await chatStatusAlert(page).innerText());
  expect(status).toContain(`${MODEL}: The model worker stopped (`);
  expect(status).toContain(ERROR_HINTS.WorkerCrashedError);

  await openView(page, "Models");
  await loadSelectedModel(page);
  const fresh = workers.liveModelWorkers();
  expect(fresh).toHaveLength(1);
  expect(crashedWorkers).not.toContain(fresh[0]);
  expect(await modelError(page).count()).toBe(0);
  suite.server.setEngineScript({ responses: [{ text: "Loaded at the second try.", tokensPerSecond: 200 }] });
  await openView(page, "Chat");
  await modelStatus(page).waitFor();
  await sendMessage(page, "Hello?");
  const answer = await waitForAnswer(page, 1);
  expect((await answer.locator(".body").innerText()).trim()).toBe("Loaded at the second try.");
  expect(describeCalls(suite.server.engineCalls.slice(callsBefore))).toEqual([
    `reload ${MODEL}`,
    `reload ${MODEL}`,
    "decide",
    "chat",
  ]);
  assertNoErrors([CRASH_REPORTED]);
});
