/**
 * Chat steps shared by the chat, accessibility and CSP tests, built on app-steps.ts: get a model
 * loaded the way a user does, send a message, and read messages as a user sees them.
 */
import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { FIXTURE_MODEL_ID } from "../../fakes/fake-hub";
import type { TestServer } from "../../fakes/test-server";
import { downloadModel, loadSelectedModel, openView, selectModel, setMirror } from "./app-steps";

const STEP_TIMEOUT_MS = 30_000;

/** The Chat view's status line once `modelId` is loaded. */
export function modelStatus(page: Page, modelId = FIXTURE_MODEL_ID): Locator {
  return page
    .locator("tabclaw-chat-view")
    .getByRole("status")
    .filter({ hasText: `Model: ${modelId}` });
}

/**
 * Models: picks the fixture model, points the app at the fake hub and downloads it; returns once
 * "Load" is offered. The model is picked before the mirror is saved, so the catalog reload that
 * saving triggers reads that choice back instead of racing it.
 */
export async function downloadFixtureModel(page: Page, server: TestServer): Promise<void> {
  await selectModel(page, FIXTURE_MODEL_ID);
  await setMirror(page, server.hubUrl);
  await downloadModel(page, FIXTURE_MODEL_ID);
}

/** {@link downloadFixtureModel}, Load, then Chat, waiting for "Model: <id>" there. */
export async function loadFixtureModel(page: Page, server: TestServer): Promise<void> {
  await downloadFixtureModel(page, server);
  await loadSelectedModel(page);
  await openView(page, "Chat");
  await modelStatus(page).waitFor({ timeout: STEP_TIMEOUT_MS });
}

export function composer(page: Page): Locator {
  return page.locator("tabclaw-chat-view").getByRole("textbox", { name: "Message" });
}

/** Types `text` in the composer and presses Enter, as the placeholder tells the user to. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press("Enter");
}

/** Every message in the log, oldest first, the streaming one included. */
export function chatMessages(page: Page): Locator {
  return page.locator("tabclaw-chat-view tabclaw-chat-message");
}

/** The answer still being written (absent when none is). */
export function streamingAnswer(page: Page): Locator {
  return page.locator("tabclaw-chat-view tabclaw-chat-message[streaming]");
}

/** Saved (finished) answers, oldest first. */
export function finishedAnswers(page: Page): Locator {
  return page.locator("tabclaw-chat-view tabclaw-chat-message:not([streaming])").filter({
    has: page.locator("article.assistant"),
  });
}

/** Waits until no answer is streaming and `count` answers are finished; returns the last one. */
export async function waitForAnswer(page: Page, count: number, timeout = STEP_TIMEOUT_MS): Promise<Locator> {
  await streamingAnswer(page).waitFor({ state: "detached", timeout });
  const answers = finishedAnswers(page);
  await answers.nth(count - 1).waitFor({ timeout });
  return answers.nth(count - 1);
}

/** The text of every message as shown, whitespace collapsed: what a user reads, in order. */
export async function messageTexts(page: Page): Promise<string[]> {
  const texts = await chatMessages(page).locator("article").allInnerTexts();
  return texts.map((text) => text.replace(/\s+/g, " ").trim());
}

/**
 * In the page: samples the streaming answer's text on every animation frame until the answer is
 * finished, so a test sees the partial texts a user saw. Starts waiting for the answer to appear.
 */
export function sampleStreamingText(page: Page, timeoutMs = STEP_TIMEOUT_MS): Promise<string[]> {
  return page.evaluate((limit: number) => {
    const answerBody = (): Element | null => {
      const view = document.querySelector("tabclaw-app")?.shadowRoot?.querySelector("tabclaw-chat-view");
      const message = view?.shadowRoot?.querySelector("tabclaw-chat-message[streaming]");
      return message?.shadowRoot?.querySelector(".body") ?? null;
    };
    return new Promise<string[]>((resolve, reject) => {
      const samples: string[] = [];
      const started = performance.now();
      let seen = false;
      const tick = (): void => {
        const body = answerBody();
        if (body) {
          seen = true;
          samples.push(body.textContent ?? "");
        } else if (seen) {
          resolve(samples);
          return;
        }
        if (performance.now() - started > limit) {
          reject(new Error(`The answer ${seen ? "did not finish" : "never started"} within ${limit} ms`));
          return;
        }
        requestAnimationFrame(tick);
      };
      tick();
    });
  }, timeoutMs);
}

/**
 * In the page: waits until `answered` answers are finished and none is streaming, then sends `text`
 * at once (Enter in the composer), the way a user with the next question typed in presses Enter the
 * moment Send is back. Playwright's own polling would leave a gap of tens of milliseconds.
 */
export function sendWhenAnswered(
  page: Page,
  text: string,
  answered: number,
  timeoutMs = STEP_TIMEOUT_MS,
): Promise<void> {
  return page.evaluate(
    ({ message, count, limit }) =>
      new Promise<void>((resolve, reject) => {
        const started = performance.now();
        const tick = (): void => {
          const view = document.querySelector("tabclaw-app")?.shadowRoot?.querySelector("tabclaw-chat-view");
          const root = view?.shadowRoot;
          const finished = [...(root?.querySelectorAll("tabclaw-chat-message:not([streaming])") ?? [])].filter(
            (element) => element.shadowRoot?.querySelector("article.assistant"),
          ).length;
          const composer = root?.querySelector("textarea");
          if (composer && finished >= count && !root?.querySelector("tabclaw-chat-message[streaming]")) {
            composer.value = message;
            composer.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, composed: true }));
            resolve();
          } else if (performance.now() - started > limit) {
            reject(new Error(`${count} answers were not finished within ${limit} ms`));
          } else {
            setTimeout(tick, 0);
          }
        };
        tick();
      }),
    { message: text, count: answered, limit: timeoutMs },
  );
}

/** Waits until the answer being streamed shows at least `count` words; returns its body. */
export async function waitForStreamedWords(page: Page, count: number): Promise<Locator> {
  const body = streamingAnswer(page).locator(".body");
  await expect
    .poll(async () => (await body.innerText().catch(() => "")).split(/\s+/).filter(Boolean).length, {
      timeout: 30_000,
    })
    .toBeGreaterThanOrEqual(count);
  return body;
}
