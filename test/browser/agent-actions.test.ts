/**
 * The agent in the chat as a user meets it: a tool call proposed by the model becomes an approval
 * card in the conversation; nothing happens until the user approves; approving runs it exactly
 * once, also after the agent worker was terminated and the page reloaded, and also when two tabs
 * approve at once; `ask_user` turns the composer into an answer box. The model is the scripted
 * engine (a TEST DOUBLE behind web-llm's real worker protocol): it really emits the tool calls.
 */
import type { Download, Page } from "playwright-core";
import { expect, test } from "vitest";
import { approvalCard } from "./harness/approval-steps";
import { openView, waitForAppReady } from "./harness/app-steps";
import { loadFixtureModel, sendMessage, waitForAnswer } from "./harness/chat-steps";
import { useBrowserSuite } from "./harness/suite";

const suite = useBrowserSuite({ webgpu: true });

const FILE = { filename: "groceries.md", content: "# Groceries\n\n- apples\n- oat milk\n" };

function saveFileDecision(args: Record<string, unknown> = FILE): { text: string } {
  return { text: JSON.stringify({ tool: "save_file", reason: "You asked for a file.", arguments: args }) };
}

/** The id of the action behind the one card in the chat. */
async function chatCardId(page: Page): Promise<string> {
  const card = page.locator("tabclaw-chat-view tabclaw-approval-card");
  await card.waitFor();
  const id = await card.getAttribute("data-id");
  expect(id).toBeTruthy();
  return id ?? "";
}

/** Every download the page starts from now on. */
function collectDownloads(page: Page): Download[] {
  const downloads: Download[] = [];
  page.on("download", (download) => downloads.push(download));
  return downloads;
}

async function downloadedText(download: Download): Promise<string> {
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

test("a proposed file waits on a card in the chat; approving saves it once, exactly as shown", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await loadFixtureModel(page, suite.server);
  suite.server.setEngineScript({
    decisions: [saveFileDecision()],
    responses: [{ text: "I have proposed saving groceries.md. Approve it above to save it." }],
  });
  const downloads = collectDownloads(page);
  await sendMessage(page, "Save my grocery list to a file");
  await waitForAnswer(page, 1);

  const id = await chatCardId(page);
  const card = approvalCard(page, id);
  expect(await card.getByTestId("approval-state").innerText()).toBe("Waiting for your decision");
  expect(await card.getByTestId("approval-body").innerText()).toBe(FILE.content);
  expect(await card.getByText("groceries.md", { exact: true }).count()).toBeGreaterThan(0);
  expect(await card.getByTestId("taint-warning").count()).toBe(0);
  // Nothing is saved before the user decides.
  expect(downloads).toEqual([]);
  expect(await page.getByRole("button", { name: /^Approvals\s+1\s+waiting$/ }).count()).toBe(1);

  await card.getByRole("button", { name: "Approve", exact: true }).click();
  await expect.poll(() => card.getByTestId("approval-state").innerText()).toBe("Done");
  await expect.poll(() => downloads.length).toBe(1);
  const [download] = downloads;
  expect(download?.suggestedFilename()).toBe("groceries.md");
  expect(download ? await downloadedText(download) : "").toBe(FILE.content);
  expect(await card.getByTestId("approval-result").innerText()).toMatch(/^Saved "groceries\.md" \(\d+ B\)/);
  expect(await card.getByRole("button", { name: "Approve", exact: true }).count()).toBe(0);

  // The next turn tells the model what became of it.
  suite.server.setEngineScript({ responses: [{ text: "Glad it is saved." }] });
  await sendMessage(page, "Thanks");
  await waitForAnswer(page, 2);
  const asked = suite.server.answerRequests.at(-1)?.messages.map((message) => String(message.content)) ?? [];
  expect(asked.some((content) => content.includes('The user approved this action. It ran: Saved "groceries.md"'))).toBe(
    true,
  );
  assertNoErrors();
});

test("with the agent worker terminated and the page reloaded, the approval is still there and runs once, even from two tabs", async () => {
  const { page, context, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await loadFixtureModel(page, suite.server);
  suite.server.setEngineScript({
    decisions: [saveFileDecision()],
    responses: [{ text: "Waiting for your approval." }],
  });
  await sendMessage(page, "Save my grocery list to a file");
  await waitForAnswer(page, 1);
  const id = await chatCardId(page);

  // Terminate the agent worker from inside, as a crash would end it, then reload.
  const agentWorker = page.workers().find((worker) => /agent\.worker/.test(worker.url()));
  expect(agentWorker).toBeDefined();
  await agentWorker?.evaluate(() => {
    self.close();
  });
  await page.reload();
  await waitForAppReady(page);

  const second = await context.newPage();
  await second.goto(page.url());
  await waitForAppReady(second);
  const downloads = collectDownloads(page);
  const secondDownloads = collectDownloads(second);
  for (const tab of [page, second]) {
    await openView(tab, "Approvals");
    expect(await approvalCard(tab, id).getByTestId("approval-state").innerText()).toBe("Waiting for your decision");
  }

  // Both tabs approve at once: the Gate's claim lets exactly one of them run it.
  await Promise.all(
    [page, second].map((tab) => approvalCard(tab, id).getByRole("button", { name: "Approve", exact: true }).click()),
  );
  for (const tab of [page, second]) {
    await expect.poll(() => approvalCard(tab, id).getByTestId("approval-state").innerText()).toBe("Done");
  }
  await expect.poll(() => downloads.length + secondDownloads.length).toBe(1);
  // Long enough for a second run to have shown up, had there been one.
  await page.waitForTimeout(500);
  expect(downloads.length + secondDownloads.length).toBe(1);
  const executed = await page.evaluate(async (actionId) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("tabclaw");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
    });
    const entries = await new Promise<{ kind: string; actionId?: string }[]>((resolve, reject) => {
      const request = db.transaction("audit").objectStore("audit").getAll();
      request.onsuccess = () => resolve(request.result as { kind: string; actionId?: string }[]);
      request.onerror = () => reject(request.error ?? new Error("could not read the audit log"));
    });
    db.close();
    return entries.filter((entry) => entry.actionId === actionId).map((entry) => entry.kind);
  }, id);
  expect(executed.filter((kind) => kind === "executed")).toHaveLength(1);
  assertNoErrors();
});

test("ask_user: the agent's question turns the composer into an answer box, and the answer goes back to it", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await loadFixtureModel(page, suite.server);
  suite.server.setEngineScript({
    decisions: [
      {
        text: JSON.stringify({
          tool: "ask_user",
          reason: "Need a name.",
          arguments: { question: "What should the file be called?" },
        }),
      },
    ],
    responses: [{ text: "Thanks, noted." }],
  });
  await sendMessage(page, "Start a note for me");
  const question = page.locator("tabclaw-chat-view article.question");
  await question.waitFor();
  expect((await question.innerText()).replace(/\s+/g, " ").trim()).toBe(
    "Tabclaw asks: What should the file be called?",
  );

  const answerBox = page.locator("tabclaw-chat-view").getByRole("textbox", { name: "Your answer" });
  await answerBox.fill("weekly-plan");
  await answerBox.press("Enter");
  const answer = await waitForAnswer(page, 1);
  expect((await answer.locator(".body").innerText()).trim()).toBe("Thanks, noted.");
  const youSaid = await page.locator("tabclaw-chat-view article.user").allInnerTexts();
  expect(youSaid.map((text) => text.trim())).toEqual(["Start a note for me", "weekly-plan"]);
  // The second decision saw the answer as the user's words.
  const decisions = suite.server.chatRequests.filter((request) => request.response_format !== undefined);
  expect(String(decisions.at(-1)?.messages.at(-1)?.content)).toContain("weekly-plan");
  assertNoErrors();
});

test("the chat budget: tokens used show in Settings, and a spent budget stops the next answer before the model is asked", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await loadFixtureModel(page, suite.server);
  suite.server.setEngineScript({ responses: [{ text: "First answer." }] });
  await sendMessage(page, "Hello");
  await waitForAnswer(page, 1);

  await openView(page, "Settings");
  const settings = page.locator("tabclaw-budget-settings");
  const chatRow = settings.locator('tr[data-budget="chat"] > *');
  await expect.poll(async () => (await chatRow.nth(1).innerText()).trim()).not.toBe("0");
  const used = Number((await chatRow.nth(1).innerText()).replace(/\D/g, ""));
  expect(used).toBeGreaterThan(0);

  await settings.getByLabel("Chat per day", { exact: true }).fill(String(used));
  await settings.getByRole("button", { name: "Save limits", exact: true }).click();
  await expect.poll(() => settings.getByTestId("budget-status").innerText()).not.toBe("");

  await openView(page, "Chat");
  const asked = suite.server.chatRequests.length;
  await sendMessage(page, "Hello again");
  const refused = await waitForAnswer(page, 2);
  expect(await refused.getByRole("alert").innerText()).toMatch(
    /^Stopped: the daily token budget for chat would be exceeded\. [\d,]+ of [\d,]+ tokens used today, 0 left; .* It resets at .* Raise the limit in Settings → Daily token budgets, or wait until it resets\.$/s,
  );
  expect(suite.server.chatRequests.length).toBe(asked);
  assertNoErrors();
});

test("memory: a save runs without asking, is shown with Undo, is found by a later search, and Undo forgets it", async () => {
  const { page, assertNoErrors } = await suite.open();
  await waitForAppReady(page);
  await loadFixtureModel(page, suite.server);
  const decide = (tool: string, args: Record<string, unknown>) => ({
    text: JSON.stringify({ tool, reason: "Scripted.", arguments: args }),
  });
  const fact = "Ana's birthday is on the 3rd of March";
  suite.server.setEngineScript({ decisions: [decide("memory_save", { fact })], responses: [{ text: "Noted." }] });
  await sendMessage(page, fact);
  await waitForAnswer(page, 1);
  const step = page.locator("tabclaw-chat-view tabclaw-memory-step");
  await step.first().waitFor();
  expect(await step.first().getByTestId("memory-step").innerText()).toBe(`Remembered: ${fact}`);
  // Nothing waits for approval: memory saves are local and undoable.
  expect(await page.getByRole("button", { name: /^Approvals\s+\d+\s+waiting$/ }).count()).toBe(0);

  suite.server.setEngineScript({
    decisions: [decide("memory_search", { query: "birthday" })],
    responses: [{ text: "It is on the 3rd of March." }],
  });
  await sendMessage(page, "When is Ana's birthday?");
  await waitForAnswer(page, 2);
  const search = step.nth(1);
  expect(await search.getByTestId("memory-step").innerText()).toBe("Searched memory for “birthday”");
  await search.getByText("What it found").click();
  expect(await search.locator("pre").innerText()).toContain(fact);
  // The model was given what memory found before it answered.
  const asked = suite.server.answerRequests.at(-1)?.messages.map((message) => String(message.content)) ?? [];
  expect(asked.some((content) => content.includes("[memory_search result]") && content.includes(fact))).toBe(true);

  await step.first().getByRole("button", { name: "Undo", exact: true }).click();
  await expect
    .poll(() => step.first().getByRole("status").innerText())
    .toBe("Forgotten again: the fact is no longer in memory.");
  suite.server.setEngineScript({
    decisions: [decide("memory_search", { query: "birthday" })],
    responses: [{ text: "I do not know." }],
  });
  await sendMessage(page, "Do you remember Ana's birthday?");
  await waitForAnswer(page, 3);
  await step.nth(2).getByText("What it found").click();
  // The fact is gone; the day's notes (which keep what the user asked) may still mention it.
  const found = await step.nth(2).locator("pre").innerText();
  expect(found).not.toContain("fact:");
  expect(found).toContain("note:");
  // After a reload the save still says it was undone.
  await page.reload();
  await waitForAppReady(page);
  await step.first().getByText("(undone)", { exact: true }).waitFor();
  expect(await step.first().getByRole("button", { name: "Undo", exact: true }).count()).toBe(0);
  assertNoErrors();
});
