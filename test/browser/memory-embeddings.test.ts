/**
 * Hybrid memory search as a user sets it up: choose and download web-llm's snowflake-arctic-embed
 * model under Models, load it with the chat model, and the agent's `memory_search` for "automobile"
 * finds a fact about a car, with no "keyword search" note. The engine is the scripted TEST DOUBLE
 * behind web-llm's real worker protocol; its vectors come from a small concept table, not a model.
 */
import type { Locator, Page } from "playwright-core";
import { expect, test } from "vitest";
import { EMBEDDING_MODEL_ID, FIXTURE_MODEL_ID } from "../fakes/fake-hub";
import type { FactRecord } from "../../src/store/memory-record";
import { cachedUrls, loadSelectedModel, openView, waitForAppReady } from "./harness/app-steps";
import { downloadFixtureModel, sendMessage, waitForAnswer } from "./harness/chat-steps";
import { storeMemory, storedMemory } from "./harness/memory-steps";
import { useBrowserSuite } from "./harness/suite";

const suite = useBrowserSuite({ webgpu: true });

const STEP_TIMEOUT_MS = 30_000;

function fact(id: string, text: string, now: number): FactRecord {
  return {
    id,
    text,
    origin: "user",
    source: "test",
    provenance: { trust: "trusted" },
    importance: 3,
    pinned: false,
    created: now,
    updated: now,
  };
}

function embeddingSection(page: Page): Locator {
  return page.locator("tabclaw-model-panel [data-testid='embedding-model']");
}

async function embeddingStatus(page: Page): Promise<string> {
  return (await embeddingSection(page).getByTestId("embedding-status").innerText()).trim();
}

test("a downloaded embedding model loads with the chat model and memory_search finds a paraphrase", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  const now = Date.now();
  await storeMemory(page, {
    facts: [fact("fact-car", "My car is a red Volvo", now), fact("fact-tea", "Prefers green tea", now)],
  });
  await downloadFixtureModel(page, suite.server);

  // Models → Embedding model for memory search: none until the user picks one.
  const section = embeddingSection(page);
  expect(await embeddingStatus(page)).toBe("Memory search matches keywords only: similar wording is missed.");
  await section.getByLabel("Embedding model").selectOption(EMBEDDING_MODEL_ID);
  await section.getByRole("button", { name: "Download", exact: true }).click();
  await expect
    .poll(() => embeddingStatus(page), { timeout: STEP_TIMEOUT_MS })
    .toBe("Downloaded. It loads with the chat model.");
  // Stored where web-llm reads it, weights and all, by the app's own downloader.
  const stored = await cachedUrls(page, "webllm/model");
  expect(stored.filter((url) => url.includes("snowflake-arctic-embed-s-q0f32-MLC")).length).toBeGreaterThanOrEqual(3);

  await loadSelectedModel(page);
  await expect
    .poll(() => embeddingStatus(page))
    .toBe(`Loaded with ${FIXTURE_MODEL_ID}: memory search matches meaning as well as keywords.`);
  expect(
    suite.server.engineCalls
      .filter((call) => call.kind === "reload")
      .map((call) => call.modelId)
      .slice(-2),
  ).toEqual([FIXTURE_MODEL_ID, EMBEDDING_MODEL_ID]);
  // Facts without a vector get one in the background, stored with the model's name.
  await expect
    .poll(async () => (await storedMemory(page)).facts.map((item) => item.embedding?.model ?? "none").sort(), {
      timeout: STEP_TIMEOUT_MS,
    })
    .toEqual([EMBEDDING_MODEL_ID, EMBEDDING_MODEL_ID]);

  await openView(page, "Chat");
  suite.server.setEngineScript({
    decisions: [{ text: JSON.stringify({ tool: "memory_search", reason: "r", arguments: { query: "automobile" } }) }],
    responses: [{ text: "ok" }],
  });
  await sendMessage(page, "Which automobile do I drive?");
  await waitForAnswer(page, 1);
  const step = page.locator("tabclaw-chat-view tabclaw-memory-step").first();
  expect(await step.getByTestId("memory-step").innerText()).toBe("Searched memory for “automobile”");
  await step.getByText("What it found").click();
  const found = await step.locator("pre").innerText();
  expect(found).toContain("fact:fact-car");
  expect(found).toContain("My car is a red Volvo");
  expect(found).not.toContain("fact:fact-tea");
  expect(found).not.toContain("keyword search");
  assertNoErrors();
});

test("choosing no embedding model keeps search keyword-only, and says so", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await storeMemory(page, { facts: [fact("fact-car", "My car is a red Volvo", Date.now())] });
  await downloadFixtureModel(page, suite.server);
  await loadSelectedModel(page);
  await openView(page, "Chat");
  suite.server.setEngineScript({
    decisions: [{ text: JSON.stringify({ tool: "memory_search", reason: "r", arguments: { query: "car" } }) }],
    responses: [{ text: "ok" }],
  });
  await sendMessage(page, "Which car do I drive?");
  await waitForAnswer(page, 1);
  const step = page.locator("tabclaw-chat-view tabclaw-memory-step").first();
  await step.getByText("What it found").click();
  const found = await step.locator("pre").innerText();
  expect(found).toContain("My car is a red Volvo");
  expect(found).toContain("keyword search: no embedding model is loaded");
  expect((await storedMemory(page)).facts[0]?.embedding).toBeUndefined();
  assertNoErrors();
});
