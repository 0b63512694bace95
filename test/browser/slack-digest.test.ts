/**
 * The Slack digest end to end in the app, against the fake Slack (which checks every call against
 * Slack's Web API description and the PKCE exchange) and the scripted engine (a TEST DOUBLE
 * answering from a queue, never a model): Slack connected in Settings with posting on and a
 * channel chosen, "Run the digest now" runs the digest in the agent worker, which reads Slack
 * through the page's Gate and asks the engine for one batch under the digest schema. The view
 * shows the thread needing a reply first; approving its draft posts exactly to the channel and
 * thread shown, once.
 */
import type { BrowserContext, Page } from "playwright-core";
import { expect, test } from "vitest";
import { slackSource } from "../../src/core/slack/slack-message";
import { routeSlackToFake, type FakeSlack } from "../fakes/slack/fake-slack";
import { openView, waitForAppReady } from "./harness/app-steps";
import { approvalCard } from "./harness/approval-steps";
import { loadFixtureModel } from "./harness/chat-steps";
import { useFakeSlack } from "./harness/slack-steps";
import { useBrowserSuite } from "./harness/suite";
import { expectAccessible } from "./harness/axe-steps";

const DRAFT = "Wait for the smoke tests, then ship 4.2.";
const STEP_TIMEOUT_MS = 60_000;

const suite = useBrowserSuite({ webgpu: true });
let fake: FakeSlack;
useFakeSlack(suite, (started) => {
  fake = started;
});

function view(page: Page) {
  return page.locator("tabclaw-slack-digest-view");
}

/** Settings → Slack: the client ID, posting on, Slack's consent window (PKCE), and #releases chosen. */
async function connectSlack(context: BrowserContext, page: Page): Promise<void> {
  await openView(page, "Settings");
  const slack = page.locator("tabclaw-slack-settings");
  await slack.getByLabel("Slack app client ID").fill(fake.clientId);
  await slack.getByRole("button", { name: "Save client ID" }).click();
  await expect.poll(() => slack.getByTestId("slack-status").innerText()).toMatch(/^Not connected/);
  await slack.getByLabel("Post replies I approve").check();
  const popup = context.waitForEvent("page");
  await slack.getByRole("button", { name: "Connect Slack" }).click();
  await (await popup).waitForEvent("close", { timeout: 30_000 });
  await expect.poll(() => slack.getByTestId("slack-status").innerText()).toMatch(/^Connected/);
  await slack.getByRole("button", { name: "Show my channels" }).click();
  await slack.getByLabel("#releases").check();
  await slack.getByRole("button", { name: "Save channels" }).click();
  await expect.poll(() => slack.getByTestId("slack-notice").innerText()).toMatch(/also reads 1 channel/);
}

test("with Slack not set up, the digest points to Settings → Slack", async () => {
  const { page, assertNoErrors } = await suite.open({ contextOptions: { bypassCSP: true } });
  await waitForAppReady(page);
  await openView(page, "Slack");
  const setup = view(page).getByTestId("slack-digest-setup");
  await expect.poll(() => setup.innerText()).toContain("Slack is not set up");
  await expectAccessible(page, "empty Slack digest");
  await setup.getByRole("button", { name: "Open Settings → Slack" }).click();
  await page.locator("tabclaw-slack-settings").getByTestId("slack-status").waitFor();
  assertNoErrors();
});

test("Run the digest now: the thread needing a reply comes first, and its approved draft is posted to exactly that channel and thread", async () => {
  const { workspace } = fake;
  const dm = workspace.addMessage({
    channel: "D0BOBALICE",
    user: "U0BOB0001",
    text: "Thanks for the review yesterday!",
  });
  const parent = workspace.addMessage({ channel: "C0RELEASE1", user: "U0CAROL01", text: "Release 4.2 is ready." });
  const mention = workspace.addMessage({
    channel: "C0RELEASE1",
    user: "U0CAROL01",
    text: "<@U0ALICE01> ship it today or wait for the smoke tests?",
    threadTs: parent.ts,
  });
  const { context, page, assertNoErrors } = await suite.open({ contextOptions: { bypassCSP: true } });
  await routeSlackToFake(context, fake);
  await waitForAppReady(page);
  await connectSlack(context, page);
  await loadFixtureModel(page, suite.server);
  // One batch: the direct message first (T1), then the thread that mentions you (T2).
  suite.server.setEngineScript({
    responses: [
      {
        text: JSON.stringify({
          threads: [
            { thread: "T1", summary: "Bob thanks you for the review.", needsReply: false },
            { thread: "T2", summary: "Carol asks whether to ship 4.2 today.", needsReply: true, draftReply: DRAFT },
          ],
        }),
      },
    ],
  });
  const before = suite.server.engineCalls.filter((call) => call.kind === "chat").length;

  await openView(page, "Slack");
  await view(page).getByRole("button", { name: "Run the digest now" }).click();
  await expect
    .poll(() => view(page).getByTestId("slack-digest-notice").innerText(), { timeout: STEP_TIMEOUT_MS })
    .toBe(
      "2 threads summarised; 1 needs your reply (1 draft reply waits for your approval).\nNeeds your reply: #releases.",
    );

  // The engine was asked once, under a schema naming exactly the two threads, each fenced as data.
  const calls = suite.server.engineCalls.filter((call) => call.kind === "chat").slice(before);
  expect(calls).toHaveLength(1);
  const format = calls[0]?.request.response_format as { type: string; schema: string };
  expect(format.type).toBe("json_object");
  expect(JSON.stringify(JSON.parse(format.schema))).toContain('"enum":["T1","T2"]');
  const prompt = JSON.stringify(calls[0]?.request.messages);
  expect(prompt).toContain(`<untrusted source=\\"${slackSource("D0BOBALICE", dm.ts)}\\">`);
  expect(prompt).toContain(`<untrusted source=\\"${slackSource("C0RELEASE1", parent.ts)}\\">`);

  const conversations = view(page).getByTestId("slack-conversation");
  await expect.poll(() => conversations.count()).toBe(2);
  // The conversation with something to answer comes first, though the DM was read first.
  expect(await conversations.first().getAttribute("data-channel")).toBe("C0RELEASE1");
  expect(await view(page).getByTestId("slack-digest-needs-reply").innerText()).toBe("1 thread needs your reply.");
  const thread = view(page).locator(`article[data-id="C0RELEASE1/${parent.ts}"]`);
  expect(await thread.getAttribute("data-needs-reply")).toBe("true");
  expect(await thread.getByRole("group", { name: "The model's summary" }).innerText()).toContain(
    "Carol asks whether to ship 4.2 today.",
  );
  expect(await thread.innerText()).toContain("Latest: Carol Chen: @you ship it today or wait for the smoke tests?");
  const draft = thread.getByTestId("slack-thread-draft");
  expect(await draft.innerText()).toContain("The draft reply waits for your approval.");
  const dmGroup = view(page).locator("section[data-channel='D0BOBALICE']");
  expect(await dmGroup.getByRole("heading", { level: 3 }).innerText()).toBe("DM with Bob Builder");
  expect(await dmGroup.innerText()).toContain("Bob thanks you for the review.");
  await expect.poll(() => view(page).getByTestId("slack-digest-status").innerText()).toContain("2 threads summarised");
  await expectAccessible(page, "Slack digest with threads");

  await draft.getByRole("button", { name: "Review the draft reply in Approvals" }).click();
  const card = approvalCard(page, `slack-digest:reply:C0RELEASE1/${parent.ts}:${mention.ts}`);
  await card.waitFor();
  // The card names the conversation, the thread, the whole text, and the thread it was written from.
  await card.getByText("#releases (C0RELEASE1)").first().waitFor();
  await card.getByText(`ts ${parent.ts}`, { exact: false }).first().waitFor();
  await card.getByText(DRAFT).first().waitFor();
  await card.getByText(slackSource("C0RELEASE1", parent.ts), { exact: false }).first().waitFor();
  expect(fake.workspace.posted).toEqual([]);

  await card.getByRole("button", { name: "Approve", exact: true }).click();
  await expect.poll(() => fake.workspace.posted.length).toBe(1);
  expect(fake.workspace.posted.map((post) => [post.channel, post.threadTs, post.text])).toEqual([
    ["C0RELEASE1", parent.ts, DRAFT],
  ]);
  await openView(page, "Slack");
  await expect.poll(() => draft.innerText()).toContain("You approved the reply; it was posted.");
  assertNoErrors();
});
