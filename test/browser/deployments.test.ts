/**
 * The deployments board end to end in the app, against the fake GitHub (which checks every request
 * against @octokit/openapi) and the scripted engine (a TEST DOUBLE answering from a queue, never a
 * model): the token and repository given in Settings → GitHub, "Check now" runs the deployment
 * watch in the agent worker, which polls GitHub through the page's Gate, reads the failed job's
 * log (following GitHub's redirect to its log storage), asks the engine for a verdict under the
 * verdict schema and proposes the re-run. The board shows it; a reload keeps the card; approving it
 * re-runs exactly that run on the fake.
 */
import type { Page } from "playwright-core";
import { afterEach, beforeEach, expect, test } from "vitest";
import { DEPLOY_VERDICT_SCHEMA_TEXT } from "../../src/core/deploy/deploy-verdict";
import { DEPLOY_WATCH_JOB_ID } from "../../src/routines/deploy-watch-routine";
import { startFakeGitHub, type FakeGitHub } from "../fakes/github/fake-github";
import { routeGitHubToFake } from "../fakes/github/route-github-to-fake";
import { openView, waitForAppReady } from "./harness/app-steps";
import { approvalCard } from "./harness/approval-steps";
import { loadFixtureModel } from "./harness/chat-steps";
import { storedJobRuns } from "./harness/routine-steps";
import { useBrowserSuite } from "./harness/suite";
import { expectAccessible } from "./harness/axe-steps";

const SHOP = "octo-owner/shop";
const TOKEN = "github_pat_11BOARD";
const FLAKY =
  '{"cause":"The e2e database timed out","kind":"flaky","nextStep":"Re-run the failed jobs","severity":"high"}';
const STEP_TIMEOUT_MS = 60_000;

const suite = useBrowserSuite({ webgpu: true });
let fake: FakeGitHub;

beforeEach(async () => {
  fake = await startFakeGitHub();
  fake.state.addRepository(SHOP);
  fake.state.addWorkflow(SHOP, { name: "CI", file: "ci.yml" });
  fake.state.addRun(SHOP, { workflow: "CI", title: "Green start" });
  fake.state.addDeployment(SHOP, { environment: "production", state: "success" });
  fake.state.addToken(TOKEN, { repositories: [SHOP], permissions: { actions: "write", deployments: "read" } });
});

afterEach(async () => {
  expect(fake.violations).toEqual([]);
  await fake.close();
});

function board(page: Page) {
  return page.locator("tabclaw-deployments-view");
}

/** Settings: sign-ins kept across reloads, the token checked and saved, the repository to watch. */
async function setUpGitHub(page: Page): Promise<void> {
  await openView(page, "Settings");
  await page.getByLabel("Keep sign-ins after reload (encrypted on this device)").check();
  const settings = page.locator("tabclaw-github-settings");
  await settings.getByLabel("Fine-grained personal access token").fill(TOKEN);
  await settings.getByRole("button", { name: "Check and save token" }).click();
  await expect.poll(() => settings.getByTestId("github-status").innerText()).toMatch(/^Connected as @/);
  await settings.getByLabel("One per line, as owner/name").fill(SHOP);
  await settings.getByRole("button", { name: "Save repositories" }).click();
  await expect.poll(() => settings.getByTestId("github-access").innerText()).toContain(SHOP);
}

test("with nothing set up, the board says what to set up and takes the user to Settings", async () => {
  const { page, assertNoErrors } = await suite.open({ contextOptions: { bypassCSP: true } });
  await waitForAppReady(page);
  await openView(page, "Deployments");
  const setup = board(page).getByTestId("deployments-setup");
  await expect.poll(() => setup.innerText()).toContain("No repository is watched yet");
  await expectAccessible(page, "empty Deployments view");
  await setup.getByRole("button", { name: "Open Settings → GitHub" }).click();
  await page.locator("tabclaw-github-settings").getByTestId("github-status").waitFor();
  assertNoErrors();
});

test("Check now finds a failed run, the board shows the model's verdict and the re-run card, a reload keeps it, and approving re-runs exactly that run", async () => {
  const run = fake.state.failRun(SHOP, {
    job: "e2e",
    title: "Upgrade the payment SDK",
    log: "2026-11-24T09:04:00.0000000Z Error: connect ETIMEDOUT 10.0.0.7:5432\n",
  });
  const { context, page, assertNoErrors } = await suite.open({ contextOptions: { bypassCSP: true } });
  await routeGitHubToFake(context, fake, { followLogRedirects: true });
  await waitForAppReady(page);
  await setUpGitHub(page);
  await loadFixtureModel(page, suite.server);
  suite.server.setEngineScript({ responses: [{ text: FLAKY }] });
  const before = suite.server.engineCalls.filter((call) => call.kind === "chat").length;

  await openView(page, "Deployments");
  await board(page).getByRole("button", { name: "Check now" }).click();
  const row = board(page).locator(`section[data-repository="${SHOP}"] article[data-id="${SHOP}/run/${run.id}"]`);
  await row.getByRole("group", { name: "The model's verdict" }).waitFor({ timeout: STEP_TIMEOUT_MS });
  expect(await row.getAttribute("data-state")).toBe("failed");
  const text = await row.innerText();
  expect(text).toContain("CI on main");
  expect(text).toContain(run.sha.slice(0, 7));
  expect(text).toContain("“Upgrade the payment SDK”");
  expect(text).toContain("Failed jobs: e2e");
  const verdict = await row.getByRole("group", { name: "The model's verdict" }).innerText();
  expect(verdict).toMatch(/The model's judgement from the log \(.+\), not a fact/);
  expect(verdict).toMatch(/Likely cause\s+The e2e database timed out/);
  expect(verdict).toMatch(/Flaky or real\s+likely flaky/);
  expect(verdict).toMatch(/Next step\s+Re-run the failed jobs/);
  expect(verdict).toMatch(/Severity\s+high/);
  expect(await row.getByRole("link", { name: /^View on GitHub/ }).getAttribute("href")).toBe(
    `https://github.com/${SHOP}/actions/runs/${run.id}`,
  );
  const rerun = row.getByTestId("deployment-rerun");
  await expect.poll(() => rerun.innerText()).toContain("The re-run of the failed jobs waits for your approval.");
  // The deployment beside it is fine: shown, with no verdict.
  expect(await board(page).locator("article[data-state='deployed']").innerText()).toContain("Deployment to production");

  // The engine was asked once, under the verdict schema, with the log read through the redirect as fenced data.
  const calls = suite.server.engineCalls.filter((call) => call.kind === "chat").slice(before);
  expect(calls).toHaveLength(1);
  expect(calls[0]?.request.response_format).toEqual({ type: "json_object", schema: DEPLOY_VERDICT_SCHEMA_TEXT });
  const prompt = JSON.stringify(calls[0]?.request.messages);
  expect(prompt).toContain(`<untrusted source=\\"github:${SHOP}/job/`);
  expect(prompt).toContain("Error: connect ETIMEDOUT 10.0.0.7:5432");
  // The run that found it is on record with the line the notification shows, and the board says so.
  const found = (await storedJobRuns(page, DEPLOY_WATCH_JOB_ID)).find((record) => record.outcome === "ran");
  expect(found?.message).toContain(
    `${SHOP}: CI failed on main (e2e) — likely flaky (high): The e2e database timed out.`,
  );
  await expect.poll(() => board(page).getByTestId("deploy-watch-status").innerText()).toContain("likely flaky (high)");
  expect(fake.state.run(SHOP, run.id)?.attempts).toHaveLength(1);
  await expectAccessible(page, "Deployments view with a failure");

  // A reload with the re-run pending keeps it, on the board and in Approvals.
  await page.reload();
  await waitForAppReady(page);
  await expect.poll(() => page.getByTestId("approvals-badge").innerText()).toBe("1");
  await openView(page, "Deployments");
  await expect.poll(() => rerun.innerText()).toContain("waits for your approval");

  // From the board to the card, which Approvals brings into view and focus.
  await rerun.getByRole("button", { name: "Review the re-run in Approvals" }).click();
  const card = approvalCard(page, `deploy-watch:rerun:${SHOP}#run-${run.id}-1`);
  await card.waitFor();
  await expect
    .poll(() =>
      card.evaluate((element) => {
        const root = element.getRootNode();
        return root instanceof ShadowRoot && root.activeElement === element;
      }),
    )
    .toBe(true);
  await card.getByText("e2e").first().waitFor();
  await card.getByRole("button", { name: "Approve", exact: true }).click();
  await expect.poll(() => fake.state.run(SHOP, run.id)?.attempts.length).toBe(2);
  const reruns = fake.apiRequests().filter((request) => request.operationId === "actions/re-run-workflow-failed-jobs");
  expect(reruns.map((request) => request.path)).toEqual([`/repos/${SHOP}/actions/runs/${run.id}/rerun-failed-jobs`]);

  await openView(page, "Deployments");
  await expect.poll(() => rerun.innerText()).toContain("You approved the re-run; it was started.");
  assertNoErrors();
});
