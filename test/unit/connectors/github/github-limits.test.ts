import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POLL_RESERVE, RATE_STATE_KEY } from "../../../../src/connectors/github/github-client";
import { isStoredRateState } from "../../../../src/connectors/github/github-rate-state";
import { GitHubHarness, SHOP, TOKEN } from "./github-harness";

let github: GitHubHarness;

beforeEach(async () => {
  github = await new GitHubHarness().start();
  github.seed({ actions: "read", deployments: "read" });
});

afterEach(async () => {
  expect(github.fake.violations).toEqual([]);
  await github.stop();
});

describe("GitHub's primary limit", () => {
  it("stops polling before the hour is spent, keeping a reserve for what the user asks, until the reset", async () => {
    await github.poll();
    github.fake.limits.spend(TOKEN, POLL_RESERVE + 1);
    github.fake.state.failRun(SHOP, { title: "Nightly" });
    github.now += 5 * 60_000;
    // This poll reads the headers: one request left above the reserve, then it stops.
    const low = await github.poll();
    expect(low.summary.checked).toEqual([]);
    expect(low.summary.waiting[0]).toMatchObject({ repository: SHOP, reason: "rate-limit" });
    expect(low.summary.problems[0]?.message).toMatch(/Only \d+ of this hour's 5000 GitHub requests are left/);
    const asked = github.fake.apiRequests().length;
    github.now += 5 * 60_000;
    await github.poll();
    expect(github.fake.apiRequests().length).toBe(asked);

    // What the user asks for may still use the reserve.
    const job = github.fake.state
      .repository(SHOP)
      .runs.at(-1)
      ?.attempts[0]?.jobs.find((candidate) => candidate.name === "build");
    const tail = await github.run("github_job_log_tail", { repository: SHOP, jobId: job?.id ?? 0 });
    expect(tail.content).toContain("AssertionError");

    // After the reset (an hour after the fake's hour began), polling resumes and finds the failure.
    github.now = (github.fake.limits.core(TOKEN).reset + 1) * 1000;
    const resumed = await github.poll();
    expect(resumed.summary.changes).toMatchObject([{ kind: "run-failed", title: "Nightly" }]);
  });

  it("sends nothing while the hour is spent, also across a reload, and says until when", async () => {
    await github.poll();
    github.fake.limits.spend(TOKEN, 0);
    github.now += 5 * 60_000;
    const spent = await github.poll();
    expect(spent.summary.waiting[0]?.reason).toBe("rate-limit");
    const stored = await github.state.get(RATE_STATE_KEY, isStoredRateState);
    expect(stored?.block?.kind).toBe("primary");
    const asked = github.fake.apiRequests().length;

    // A reload: a new connector over the same stored state still waits.
    const reloaded = new GitHubHarness();
    reloaded.now = github.now;
    await github.stop();
    github = await reloaded.start();
    github.seed({ actions: "read", deployments: "read" });
    await github.state.set(RATE_STATE_KEY, stored);
    const failure = await github
      .run("github_job_log_tail", { repository: SHOP, jobId: 1 })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: "GitHubRateLimitError" });
    expect(String(failure)).toMatch(/hourly request limit for this token is spent.*waits until \d\d:\d\d UTC/);
    expect(github.fake.apiRequests().length).toBe(0);
    expect(asked).toBeGreaterThan(0);
  });
});

describe("GitHub's secondary limits", () => {
  it("waits as long as retry-after says", async () => {
    github.fake.limits.forceSecondary({ status: 429, retryAfterSeconds: 90 });
    const limited = await github.poll();
    expect(limited.summary.waiting).toEqual([{ repository: SHOP, until: github.now + 90_000, reason: "rate-limit" }]);
    github.now += 89_000;
    await github.poll();
    expect(github.fake.apiRequests().length).toBe(1);
    github.now += 1_000;
    expect((await github.poll()).summary.checked).toEqual([SHOP]);
  });

  it("without retry-after, backs off a minute, then longer each time in a row", async () => {
    github.fake.limits.forceSecondary({ status: 403 });
    const first = await github.poll();
    expect(first.summary.waiting[0]?.until).toBe(github.now + 60_000);
    github.now += 60_000;
    github.fake.limits.forceSecondary({ status: 403 });
    const second = await github.poll();
    expect(second.summary.waiting[0]?.until).toBe(github.now + 120_000);
    github.now += 120_000;
    expect((await github.poll()).summary.checked).toEqual([SHOP]);
    // A success resets the back-off.
    github.now += 5 * 60_000;
    github.fake.limits.forceSecondary({ status: 403 });
    expect((await github.poll()).summary.waiting[0]?.until).toBe(github.now + 60_000);
  });
});

describe("errors a user can act on", () => {
  it("401: the token expired or was revoked, replace it", async () => {
    github.fake.state.revokeToken(TOKEN);
    const failure = await github
      .run("github_job_log_tail", { repository: SHOP, jobId: 1 })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: "ReconnectNeededError" });
    expect((failure as Error).message).toMatch(/Create a new fine-grained token.*replace it in Settings → GitHub/);
  });

  it("no token at all: connect one", async () => {
    github.token = undefined;
    expect(github.connector.connected()).toBe(false);
    await expect(github.run("github_poll")).rejects.toMatchObject({ name: "ReconnectNeededError" });
    expect(github.fake.apiRequests()).toEqual([]);
  });

  it("403 without the permission: names it, though the page cannot read GitHub's header naming it", async () => {
    const run = github.fake.state.failRun(SHOP);
    const failure = await github
      .run("github_rerun_failed_jobs", {
        repository: SHOP,
        runId: run.id,
        workflow: "CI",
        branch: "main",
        commit: run.sha.slice(0, 7),
        jobs: ["build"],
      })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: "ScopeNeededError", scope: "actions:write" });
    expect((failure as Error).message).toBe(
      `The GitHub token may not re-run failed jobs in ${SHOP}: it needs the "Actions: Read and write" repository permission. ` +
        `Edit the token (GitHub → Settings → Developer settings → Fine-grained tokens), add that permission for ${SHOP}, and try again; the token itself stays the same.`,
    );
    expect(github.fake.state.run(SHOP, run.id)?.attempts).toHaveLength(1);
  });

  it("retries a read after a server error, and goes on", async () => {
    github.fake.forceServerError(2);
    const { summary } = await github.poll();
    expect(summary.checked).toEqual([SHOP]);
    expect(github.sleeps).toEqual([1000, 2000]);
  });

  it("says GitHub is not answering when it cannot be reached, after retrying reads", async () => {
    await github.fake.close();
    const failure = await github.run("github_poll").catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: "GitHubUnavailableError" });
    expect((failure as Error).message).toMatch(/not answering.*next poll tries again/);
    expect(github.sleeps).toEqual([1000, 2000]);
  });

  it("never repeats a write after a server error, and says it may or may not have happened", async () => {
    github.fake.state.setPermissions(TOKEN, { actions: "write", deployments: "read" });
    github.fake.forceServerError(1);
    const failure = await github
      .run("github_dispatch_workflow", { repository: SHOP, workflow: "rollback.yml", ref: "main" })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: "GitHubUnavailableError" });
    expect((failure as Error).message).toMatch(/may or may not have happened: check GitHub/);
    expect(github.fake.apiRequests().filter((request) => request.method === "POST")).toHaveLength(1);
    expect(github.sleeps).toEqual([]);
  });
});
