/**
 * The deployments board as a user meets it, in Chromium against the fake GitHub (which checks every
 * request against @octokit/openapi). The watch itself runs in Node: the real routine, Gate and
 * GitHub connector find a failure on the same fake, get a scripted verdict and propose the re-run;
 * what they stored is copied into the app's IndexedDB (the scheduler in the app's worker does not
 * register the watch yet). From there on it is the app: the board, the card in Approvals, the token
 * in Settings → GitHub, the approval re-running exactly that run on the fake, and reloads.
 */
import { createRequire } from "node:module";
import type { AxeResults } from "axe-core";
import type { Page } from "playwright-core";
import { afterEach, beforeEach, expect, test } from "vitest";
import { DEPLOY_WATCH_JOB_ID, deployWatchJob } from "../../src/routines/deploy-watch-routine";
import { JobStore } from "../../src/store/job-store";
import { routeGitHubToFake } from "../fakes/github/route-github-to-fake";
import { DeployWatchHarness, TOKEN, VerdictEngine } from "../unit/deploy/deploy-watch-harness";
import { openView, waitForAppReady } from "./harness/app-steps";
import { approvalCard } from "./harness/approval-steps";
import { dumpStores, loadStores } from "./harness/board-steps";
import { useBrowserSuite } from "./harness/suite";

const SHOP = "octo-owner/shop";
const FLAKY =
  '{"cause":"The e2e database timed out","kind":"flaky","nextStep":"Re-run the failed jobs","severity":"high"}';
const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const suite = useBrowserSuite({ webgpu: false });
let watch: DeployWatchHarness;

beforeEach(async () => {
  watch = new DeployWatchHarness();
  watch.now = Date.now() - 10 * 60_000;
  await watch.start();
  await watch.seed(SHOP);
  watch.grant();
});

afterEach(async () => {
  expect(watch.fake.violations).toEqual([]);
  await watch.stop();
});

function board(page: Page) {
  return page.locator("tabclaw-deployments-view");
}

/** The watch's baseline poll, then a failed e2e job found, judged and carded; its run recorded like the scheduler does. */
async function failureFound(): Promise<{ runId: number; sha: string; message: string }> {
  await watch.tick();
  watch.engine = new VerdictEngine([FLAKY]);
  const run = watch.fake.state.failRun(SHOP, {
    job: "e2e",
    title: "Upgrade the payment SDK",
    log: "2026-11-24T09:04:00.0000000Z Error: connect ETIMEDOUT 10.0.0.7:5432\n",
  });
  watch.now += 5 * 60_000;
  const startedAt = watch.now;
  const result = await watch.tick();
  // The job as the scheduler keeps it, off so that the app's own scheduler leaves it alone during the test.
  const jobs = new JobStore(watch.fresh.db);
  const job = { ...deployWatchJob("UTC", startedAt - 3_600_000), enabled: false, lastRunAt: startedAt };
  await jobs.put(job, startedAt);
  await jobs.finishRun({
    id: "watch-run-1",
    jobId: DEPLOY_WATCH_JOB_ID,
    routine: DEPLOY_WATCH_JOB_ID,
    trigger: "schedule",
    missedSlots: 0,
    startedAt,
    finishedAt: startedAt + 2_000,
    outcome: "ran",
    tokens: result.tokens ?? 0,
    itemsFound: result.itemsFound ?? 0,
    message: result.message ?? "",
  });
  return { runId: run.id, sha: run.sha, message: result.message ?? "" };
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

test("with nothing set up, the board says what to set up and takes the user to Settings", async () => {
  const { page, assertNoErrors } = await suite.open({ contextOptions: { bypassCSP: true } });
  await waitForAppReady(page);
  await openView(page, "Deployments");
  const setup = board(page).getByTestId("deployments-setup");
  await expect.poll(() => setup.innerText()).toContain("No repository is watched yet");
  expect(await board(page).getByTestId("deploy-watch-status").innerText()).toContain("not scheduled yet");
  await expectAccessible(page, "empty Deployments view");
  await setup.getByRole("button", { name: "Open Settings → GitHub" }).click();
  await page.locator("tabclaw-github-settings").getByTestId("github-status").waitFor();
  assertNoErrors();
});

test("a failed run with its verdict and re-run card survives reloads, and approving it re-runs exactly that run", async () => {
  const { runId, sha, message } = await failureFound();
  const { context, page, assertNoErrors } = await suite.open({ contextOptions: { bypassCSP: true } });
  await routeGitHubToFake(context, watch.fake, { followLogRedirects: true });
  await waitForAppReady(page);
  await loadStores(page, await dumpStores(watch.fresh.db, ["githubRepositories"]));

  await openView(page, "Deployments");
  const repository = board(page).locator(`section[data-repository="${SHOP}"]`);
  const row = repository.locator(`article[data-id="${SHOP}/run/${runId}"]`);
  await row.waitFor();
  expect(await row.getAttribute("data-state")).toBe("failed");
  const text = await row.innerText();
  expect(text).toContain("CI on main");
  expect(text).toContain(sha.slice(0, 7));
  expect(text).toContain("“Upgrade the payment SDK”");
  expect(text).toContain("Failed jobs: e2e");
  const verdict = row.getByRole("group", { name: "The model's verdict" });
  expect(await verdict.innerText()).toMatch(
    /The model's judgement from the log \(scripted-verdict-engine\), not a fact/,
  );
  expect(await verdict.innerText()).toMatch(/Likely cause\s+The e2e database timed out/);
  expect(await verdict.innerText()).toMatch(/Flaky or real\s+likely flaky/);
  expect(await verdict.innerText()).toMatch(/Next step\s+Re-run the failed jobs/);
  expect(await verdict.innerText()).toMatch(/Severity\s+high/);
  expect(await row.getByRole("link", { name: /^View on GitHub/ }).getAttribute("href")).toBe(
    `https://github.com/${SHOP}/actions/runs/${runId}`,
  );
  const rerun = row.getByTestId("deployment-rerun");
  expect(await rerun.innerText()).toContain("The re-run of the failed jobs waits for your approval.");
  // The deployment next to it passed: shown, without a verdict.
  expect(await repository.locator("article[data-state='deployed']").innerText()).toContain("Deployment to production");
  // When the watch last ran, and what it said (the notification's text).
  expect(await board(page).getByTestId("deploy-watch-status").innerText()).toContain(message.split("\n")[0] ?? "");
  await expectAccessible(page, "Deployments view with a failure");

  // A reload with the re-run pending keeps it: on the board and in Approvals.
  await page.reload();
  await waitForAppReady(page);
  expect(await page.getByTestId("approvals-badge").innerText()).toBe("1");
  await openView(page, "Deployments");
  await expect.poll(() => rerun.innerText()).toContain("waits for your approval");

  // The token, given in Settings → GitHub (kept in this tab only).
  await openView(page, "Settings");
  const settings = page.locator("tabclaw-github-settings");
  await settings.getByLabel("Fine-grained personal access token").fill(TOKEN);
  await settings.getByRole("button", { name: "Check and save token" }).click();
  await expect.poll(() => settings.getByTestId("github-status").innerText()).toMatch(/^Connected as @/);

  // From the board to the card, which Approvals brings into view and focus.
  await openView(page, "Deployments");
  await rerun.getByRole("button", { name: "Review the re-run in Approvals" }).click();
  const cardId = `deploy-watch:rerun:${SHOP}#run-${runId}-1`;
  const card = approvalCard(page, cardId);
  await card.waitFor();
  await expect
    .poll(() => page.evaluate(() => document.querySelector("tabclaw-app")?.shadowRoot?.activeElement?.tagName))
    .toBe("TABCLAW-APPROVALS-VIEW");
  expect(
    await card.evaluate(
      (element) =>
        element.getRootNode() instanceof ShadowRoot && (element.getRootNode() as ShadowRoot).activeElement === element,
    ),
  ).toBe(true);
  await card.getByText("e2e").first().waitFor();
  expect(watch.fake.state.run(SHOP, runId)?.attempts).toHaveLength(1);
  await card.getByRole("button", { name: "Approve", exact: true }).click();
  await expect.poll(() => watch.fake.state.run(SHOP, runId)?.attempts.length).toBe(2);
  const reruns = watch.fake
    .apiRequests()
    .filter((request) => request.operationId === "actions/re-run-workflow-failed-jobs");
  expect(reruns.map((request) => request.path)).toEqual([`/repos/${SHOP}/actions/runs/${runId}/rerun-failed-jobs`]);

  await openView(page, "Deployments");
  await expect.poll(() => rerun.innerText()).toContain("You approved the re-run; it was started.");
  assertNoErrors();
});
