/**
 * The Slack digest as a user meets it, in Chromium against the fake Slack (which checks every call
 * against Slack's Web API description). The digest itself runs in Node: the real routine, Gate and
 * Slack connector read the fake workspace, a scripted model summarises the threads and drafts a
 * reply, and what they stored is copied into the app's IndexedDB (the scheduler in the app's
 * worker does not register the digest yet). From there on it is the app: the digest view, Slack
 * connected in Settings with PKCE, the card in Approvals, and the approved reply posted to exactly
 * the channel and thread the view and the card showed.
 */
import { createRequire } from "node:module";
import type { AxeResults } from "axe-core";
import type { BrowserContext, Page } from "playwright-core";
import { afterEach, beforeEach, expect, test } from "vitest";
import { oauthRedirectUri } from "../../src/auth/oauth-redirect";
import { SLACK_DIGEST_JOB_ID, slackDigestJob } from "../../src/routines/slack-digest-routine";
import { JobStore } from "../../src/store/job-store";
import { routeSlackToFake } from "../fakes/slack/fake-slack";
import { DigestEngine, SlackDigestHarness } from "../unit/slack-digest/slack-digest-harness";
import { openView, waitForAppReady } from "./harness/app-steps";
import { approvalCard } from "./harness/approval-steps";
import { dumpStores, loadStores } from "./harness/board-steps";
import { useBrowserSuite } from "./harness/suite";

const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const DRAFT = "Wait for the smoke tests, then ship 4.2.";

const suite = useBrowserSuite({ webgpu: false });
let digest: SlackDigestHarness;

beforeEach(async () => {
  digest = new SlackDigestHarness();
  digest.now = Date.now() - 30 * 60_000;
  await digest.start({ fake: { redirectUris: [oauthRedirectUri(suite.server.origin)] } });
});

afterEach(async () => {
  expect(digest.slack.fake.violations).toEqual([]);
  await digest.stop();
});

function view(page: Page) {
  return page.locator("tabclaw-slack-digest-view");
}

async function expectAccessible(page: Page, where: string): Promise<void> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const { axe } = window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } };
    const found = await axe.run(document, {
      runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    });
    return found.violations.map(
      (violation) => `${violation.id}: ${violation.nodes.map((node) => JSON.stringify(node.target)).join(" ")}`,
    );
  });
  expect(violations, where).toEqual([]);
}

/** Bob in a DM, Carol asking Alice in a #releases thread; the digest runs once and its run is recorded. */
async function digestRan(): Promise<{ parentTs: string; message: string }> {
  const { workspace } = digest.slack.fake;
  workspace.addMessage({ channel: "D0BOBALICE", user: "U0BOB0001", text: "Thanks for the review yesterday!" });
  const parent = workspace.addMessage({ channel: "C0RELEASE1", user: "U0CAROL01", text: "Release 4.2 is ready." });
  workspace.addMessage({
    channel: "C0RELEASE1",
    user: "U0CAROL01",
    text: "<@U0ALICE01> ship it today or wait for the smoke tests?",
    threadTs: parent.ts,
  });
  digest.engine = new DigestEngine();
  digest.engine.answer = (labels, prompt) =>
    labels.map((label) =>
      prompt.includes(`${label} (channel, mentions you`)
        ? { thread: label, summary: "Carol asks whether to ship 4.2 today.", needsReply: true, draftReply: DRAFT }
        : { thread: label, summary: "Bob thanks you for the review.", needsReply: false },
    );
  const startedAt = digest.now;
  const result = await digest.tick();
  const jobs = new JobStore(digest.slack.database.db);
  await jobs.put({ ...slackDigestJob("UTC", startedAt - 86_400_000), lastRunAt: startedAt }, startedAt);
  await jobs.finishRun({
    id: "digest-run-1",
    jobId: SLACK_DIGEST_JOB_ID,
    routine: SLACK_DIGEST_JOB_ID,
    trigger: "schedule",
    missedSlots: 0,
    startedAt,
    finishedAt: startedAt + 5_000,
    outcome: "ran",
    tokens: result.tokens ?? 0,
    itemsFound: result.itemsFound ?? 0,
    message: result.message ?? "",
  });
  return { parentTs: parent.ts, message: result.message ?? "" };
}

/** Settings → Slack: the client ID, posting on, and Slack's consent window (PKCE). */
async function connectSlack(context: BrowserContext, page: Page): Promise<void> {
  await openView(page, "Settings");
  const slack = page.locator("tabclaw-slack-settings");
  await slack.getByLabel("Slack app client ID").fill(digest.slack.fake.clientId);
  await slack.getByRole("button", { name: "Save client ID" }).click();
  await expect.poll(() => slack.getByTestId("slack-status").innerText()).toMatch(/^Not connected/);
  await slack.getByLabel("Post replies I approve").check();
  const popup = context.waitForEvent("page");
  await slack.getByRole("button", { name: "Connect Slack" }).click();
  await (await popup).waitForEvent("close", { timeout: 30_000 });
  await expect.poll(() => slack.getByTestId("slack-status").innerText()).toMatch(/^Connected/);
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

test("shows the thread that needs a reply first, and its approved draft is posted to exactly that channel and thread", async () => {
  const { parentTs, message } = await digestRan();
  const { context, page, assertNoErrors } = await suite.open({ contextOptions: { bypassCSP: true } });
  await routeSlackToFake(context, digest.slack.fake);
  await waitForAppReady(page);
  await loadStores(page, await dumpStores(digest.slack.database.db, ["slackChannels"]));

  await openView(page, "Slack");
  const conversations = view(page).getByTestId("slack-conversation");
  await expect.poll(() => conversations.count()).toBe(2);
  // The conversation with something to answer comes first, though the DM was read first.
  expect(await conversations.first().getAttribute("data-channel")).toBe("C0RELEASE1");
  expect(await view(page).getByTestId("slack-digest-needs-reply").innerText()).toBe("1 thread needs your reply.");
  const thread = view(page).locator(`article[data-id="C0RELEASE1/${parentTs}"]`);
  expect(await thread.getAttribute("data-needs-reply")).toBe("true");
  const summary = thread.getByRole("group", { name: "The model's summary" });
  expect(await summary.innerText()).toMatch(
    /The model's summary \(scripted-digest-engine\):\s+Carol asks whether to ship 4.2 today\./,
  );
  expect(await thread.innerText()).toContain("Latest: Carol Chen: @you ship it today or wait for the smoke tests?");
  const draft = thread.getByTestId("slack-thread-draft");
  expect(await draft.innerText()).toContain("The draft reply waits for your approval.");
  const dm = view(page).locator("section[data-channel='D0BOBALICE']");
  expect(await dm.getByRole("heading", { level: 3 }).innerText()).toBe("DM with Bob Builder");
  expect(await dm.innerText()).toContain("Bob thanks you for the review.");
  expect(await view(page).getByTestId("slack-digest-status").innerText()).toContain(message.split("\n")[0] ?? "");
  await expectAccessible(page, "Slack digest with threads");

  await connectSlack(context, page);
  await openView(page, "Slack");
  await draft.getByRole("button", { name: "Review the draft reply in Approvals" }).click();
  const cardId = `slack-digest:reply:C0RELEASE1/${parentTs}:${digest.slack.fake.workspace.messages("C0RELEASE1").at(-1)?.ts ?? ""}`;
  const card = approvalCard(page, cardId);
  await card.waitFor();
  // The card names the conversation, the thread and the whole text, and where the text came from.
  await card.getByText("#releases (C0RELEASE1)").first().waitFor();
  await card.getByText(`ts ${parentTs}`, { exact: false }).first().waitFor();
  await card.getByText(DRAFT).first().waitFor();
  await card.getByText(`slack:C0RELEASE1/${parentTs}`, { exact: false }).first().waitFor();
  expect(digest.slack.fake.workspace.posted).toEqual([]);

  await card.getByRole("button", { name: "Approve", exact: true }).click();
  await expect.poll(() => digest.slack.fake.workspace.posted.length).toBe(1);
  expect(digest.slack.fake.workspace.posted.map((post) => [post.channel, post.threadTs, post.text])).toEqual([
    ["C0RELEASE1", parentTs, DRAFT],
  ]);
  await openView(page, "Slack");
  await expect.poll(() => draft.innerText()).toContain("You approved the reply; it was posted.");
  assertNoErrors();
});
