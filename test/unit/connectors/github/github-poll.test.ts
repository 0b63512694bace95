import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readSnapshot } from "../../../../src/connectors/github/github-poll";
import type { PolledDeployment, PolledRun } from "../../../../src/core/deploy/poll-summary";
import { GitHubHarness, SHOP, TOKEN } from "./github-harness";

let github: GitHubHarness;

beforeEach(async () => {
  github = await new GitHubHarness().start();
  github.seed();
});

afterEach(async () => {
  expect(github.fake.violations).toEqual([]);
  await github.stop();
});

const minutes = (count: number) => count * 60_000;

describe("github_poll", () => {
  it("reports what is red when a repository is first watched, then nothing while nothing changes, at no rate-limit cost", async () => {
    github.fake.state.failRun(SHOP, { title: "Add coupons", job: "test" });
    const first = await github.poll();
    expect(first.result.trusted).toBe(false);
    expect(first.result.source).toBe("github:poll");
    expect(first.summary.checked).toEqual([SHOP]);
    expect(first.summary.changes).toHaveLength(1);
    expect(first.summary.changes[0]).toMatchObject({
      kind: "run-failed",
      repository: SHOP,
      workflow: "CI",
      title: "Add coupons",
      branch: "main",
      attempt: 1,
      failedJobs: [{ name: "test", failedSteps: ["Run npm test"] }],
    });
    const spent = github.points();

    github.now += minutes(5);
    const second = await github.poll();
    expect(second.summary.changes).toEqual([]);
    expect(second.summary.unchanged).toEqual([SHOP]);
    // Runs, deployments and the production deployment's statuses: all answered 304.
    expect(second.summary.requests).toBe(3);
    expect(second.summary.notModified).toBe(3);
    expect(github.points()).toBe(spent);
    const conditional = github.fake.apiRequests().slice(-3);
    expect(conditional.every((request) => request.status === 304 && request.ifNoneMatch !== undefined)).toBe(true);
  });

  it("finds a new failure, its failed jobs and steps, and a recovery after a re-run", async () => {
    await github.poll();
    github.now += minutes(5);
    const run = github.fake.state.failRun(SHOP, {
      title: "Refactor checkout",
      commitMessage: "Refactor checkout\n\nLong body",
      job: "e2e",
    });
    const found = await github.poll();
    const failure = found.summary.changes[0] as PolledRun;
    expect(found.summary.changes).toHaveLength(1);
    expect(failure).toMatchObject({ kind: "run-failed", runId: run.id, commit: "Refactor checkout", sha: run.sha });
    expect(failure.failedJobs.map((job) => job.name)).toEqual(["e2e"]);

    // The same failure is not reported twice.
    github.now += minutes(5);
    expect((await github.poll()).summary.changes).toEqual([]);

    github.fake.state.rerunFailedJobs(github.fake.state.repository(SHOP), run);
    github.fake.state.completeRun(SHOP, run.id, "success");
    github.now += minutes(5);
    const recovered = await github.poll();
    expect(recovered.summary.changes).toMatchObject([{ kind: "run-recovered", runId: run.id, attempt: 2 }]);
  });

  it("reports a failed deployment with its latest status, and when the environment recovers", async () => {
    await github.poll();
    const deployment = github.fake.state.addDeployment(SHOP, {
      environment: "production",
      ref: "release",
      state: "in_progress",
    });
    github.now += minutes(5);
    expect((await github.poll()).summary.changes).toEqual([]);
    github.fake.state.addDeploymentStatus(SHOP, deployment.id, "failure", "Health check failed on 3 of 4 pods");
    github.now += minutes(5);
    const failed = await github.poll();
    expect(failed.summary.changes).toHaveLength(1);
    expect(failed.summary.changes[0] as PolledDeployment).toMatchObject({
      kind: "deployment-failed",
      environment: "production",
      ref: "release",
      state: "failure",
      description: "Health check failed on 3 of 4 pods",
    });
    github.fake.state.addDeploymentStatus(SHOP, deployment.id, "success");
    github.now += minutes(5);
    expect((await github.poll()).summary.changes).toMatchObject([
      { kind: "deployment-recovered", environment: "production" },
    ]);
  });

  it("never polls a repository sooner than GitHub's x-poll-interval, or a minute", async () => {
    await github.stop();
    github = await new GitHubHarness().start({ pollIntervalSeconds: 300 });
    github.seed();
    await github.poll();
    const asked = github.fake.apiRequests().length;
    github.now += minutes(2);
    const early = await github.poll();
    expect(early.summary.checked).toEqual([]);
    expect(early.summary.waiting).toEqual([
      { repository: SHOP, until: github.now - minutes(2) + minutes(5), reason: "poll-interval" },
    ]);
    expect(github.fake.apiRequests().length).toBe(asked);
    github.now += minutes(3);
    expect((await github.poll()).summary.checked).toEqual([SHOP]);

    // Without the header, a minute at least.
    await github.stop();
    github = await new GitHubHarness().start();
    github.seed();
    await github.poll();
    github.now += 30_000;
    expect((await github.poll()).summary.waiting).toHaveLength(1);
  });

  it("keeps its place when the poll fails: a change found by a poll that could not finish is found again", async () => {
    await github.poll();
    github.now += minutes(5);
    github.fake.state.failRun(SHOP, { title: "Flaky network" });
    // The runs list answers, then listing the failed run's jobs meets a secondary limit.
    const before = await readSnapshot(github.state, SHOP);
    github.fake.limits.forceSecondary({ status: 403, retryAfterSeconds: 60, after: 1 });
    const calls = github.fake.apiRequests().length;
    const cut = await github.poll();
    expect(cut.summary.changes).toEqual([]);
    expect(cut.summary.waiting).toEqual([{ repository: SHOP, until: github.now + 60_000, reason: "rate-limit" }]);
    expect(cut.summary.problems[0]?.message).toMatch(/slow down.*waits until 09:06 UTC/);
    expect(github.fake.apiRequests().length).toBe(calls + 2);
    // Nothing of the cut poll was kept: neither what it saw nor the ETag of the list it read.
    expect(await readSnapshot(github.state, SHOP)).toEqual(before);
    // Until GitHub's retry-after has passed, nothing is asked at all.
    github.now += 30_000;
    expect((await github.poll()).summary.waiting[0]?.reason).toBe("rate-limit");
    expect(github.fake.apiRequests().length).toBe(calls + 2);
    github.now += minutes(2);
    const again = await github.poll();
    expect(again.summary.changes).toMatchObject([{ kind: "run-failed", title: "Flaky network" }]);
  });

  it("says which permission is missing for one repository and still reads the others", async () => {
    github.fake.state.addRepository("octo-owner/api");
    github.fake.state.addWorkflow("octo-owner/api", { name: "CI", file: "ci.yml" });
    github.fake.state.failRun("octo-owner/api", { title: "API broke" });
    github.fake.state.addToken("github_pat_other", {
      repositories: [SHOP, "octo-owner/api"],
      permissions: { actions: "read" },
    });
    github.token = "github_pat_other";
    github.repositories = [SHOP, "octo-owner/api", "octo-owner/secret"];
    const { summary } = await github.poll();
    expect(summary.changes).toMatchObject([{ kind: "run-failed", repository: "octo-owner/api", title: "API broke" }]);
    const deployments = summary.problems.filter((problem) => problem.error === "ScopeNeededError");
    expect(deployments.map((problem) => problem.repository)).toEqual([SHOP, "octo-owner/api"]);
    expect(deployments[0]?.message).toContain('"Deployments: Read-only"');
    expect(summary.problems.find((problem) => problem.repository === "octo-owner/secret")).toMatchObject({
      error: "GitHubNotFoundError",
    });
    expect(summary.problems.find((problem) => problem.repository === "octo-owner/secret")?.message).toContain(
      "given access to octo-owner/secret",
    );
  });

  it("fails as a whole with a message saying to replace the token when GitHub refuses it", async () => {
    github.fake.state.revokeToken(TOKEN);
    const failure = await github.poll().catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: "ReconnectNeededError" });
    expect(String(failure)).toMatch(/expired or was revoked.*replace it in Settings → GitHub/);
  });

  it("polls only watched repositories and says how to watch another", async () => {
    const { summary } = await github.poll({ repositories: ["octo-owner/elsewhere"] });
    expect(summary.checked).toEqual([]);
    expect(summary.problems).toMatchObject([{ repository: "octo-owner/elsewhere", error: "NotWatched" }]);
  });

  it("audits every request it makes, by path, without query strings", async () => {
    await github.poll();
    const requests = github.audit.filter((event) => event.kind === "request");
    expect(requests.length).toBe(github.fake.apiRequests().length);
    expect(requests.every((event) => event.kind === "request" && !event.request.path.includes("?"))).toBe(true);
  });
});
