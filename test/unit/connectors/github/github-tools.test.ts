import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanLogLine, tailOfLog } from "../../../../src/connectors/github/log-tail";
import { ToolRegistry } from "../../../../src/core/agent/tool-registry";
import {
  GITHUB_TOOLS,
  githubDispatchWorkflowTool,
  githubRerunFailedJobsTool,
} from "../../../../src/tools/github-tools";
import { GitHubHarness, SHOP } from "./github-harness";

let github: GitHubHarness;

beforeEach(async () => {
  github = await new GitHubHarness().start();
  github.seed({ actions: "write", deployments: "read" });
});

afterEach(async () => {
  expect(github.fake.violations).toEqual([]);
  await github.stop();
});

function failedRun() {
  const run = github.fake.state.failRun(SHOP, {
    title: "Upgrade the payment SDK",
    job: "e2e",
    log: [
      "2026-11-24T09:00:00.0000000Z ##[group]Run npm run e2e",
      ...Array.from({ length: 300 }, (_, index) => `2026-11-24T09:00:01.0000000Z \u001b[32mok\u001b[0m step ${index}`),
      "2026-11-24T09:00:02.0000000Z \u001b[31mError: connect ETIMEDOUT 10.0.0.7:5432\u001b[0m",
      "2026-11-24T09:00:02.1000000Z ##[error]Process completed with exit code 1.",
      "",
    ].join("\n"),
  });
  const job = run.attempts[0]?.jobs.find((candidate) => candidate.name === "e2e");
  if (!job) throw new Error("no e2e job");
  return { run, job };
}

describe("the GitHub tools' declarations", () => {
  it("fit the schema subset, and the writes show on their cards what will run", () => {
    const registry = new ToolRegistry(GITHUB_TOOLS);
    expect(registry.get("github_poll")?.resultTrust).toBe("untrusted");
    expect(registry.get("github_job_log_tail")?.resultTrust).toBe("untrusted");
    const rerun = githubRerunFailedJobsTool.preview({
      repository: SHOP,
      runId: 42,
      workflow: "CI",
      branch: "main",
      commit: "a1b2c3d4e5f60718",
      jobs: ["e2e", "lint"],
    });
    expect(rerun.destination).toBe(SHOP);
    expect(rerun.fields).toEqual([
      { label: "Repository", value: SHOP },
      { label: "Workflow", value: "CI" },
      { label: "Run", value: "42" },
      { label: "Branch", value: "main" },
      { label: "Commit", value: "a1b2c3d4e5f6" },
      { label: "Jobs to re-run", value: "e2e, lint" },
    ]);
    const dispatch = githubDispatchWorkflowTool.preview({
      repository: SHOP,
      workflow: "rollback.yml",
      ref: "main",
      inputs: [{ name: "version", value: "1.4.2" }],
    });
    expect(dispatch.fields).toContainEqual({ label: "Workflow file", value: "rollback.yml" });
    expect(dispatch.fields).toContainEqual({ label: "Input version", value: "1.4.2" });
  });
});

describe("github_job_log_tail", () => {
  it("reads the end of the failed job's log from GitHub's log host, cleaned, as untrusted text naming its source", async () => {
    const { job } = failedRun();
    const result = await github.run("github_job_log_tail", { repository: SHOP, jobId: job.id, lines: 20 });
    expect(result.trusted).toBe(false);
    expect(result.source).toBe(`github:${SHOP}/job/${job.id}/log`);
    const lines = result.content.split("\n");
    expect(lines[0]).toBe(`The last 20 of 303 lines of the log of job ${job.id} in ${SHOP}:`);
    expect(lines.at(-2)).toBe("Error: connect ETIMEDOUT 10.0.0.7:5432");
    expect(lines.at(-1)).toBe("##[error]Process completed with exit code 1.");
    expect(result.content).not.toContain("\u001b");
    expect(result.content).not.toContain("2026-11-24T");
    // The log host got no token, and the download cost one point (the redirect), not two.
    expect(github.fake.requests.filter((request) => request.host === "logs")).toMatchObject([
      { status: 200, authorization: false },
    ]);
  });

  it("keeps at most the character budget, cutting long lines", () => {
    expect(cleanLogLine(`2026-11-24T09:00:00Z ${"x".repeat(1000)}`)).toHaveLength(401);
    const tail = tailOfLog(
      Array.from({ length: 500 }, (_, index) => `line ${index} ${"y".repeat(90)}`).join("\n"),
      200,
      2000,
    );
    expect(tail.text.length).toBeLessThanOrEqual(2000);
    expect(tail.text.endsWith(`line 499 ${"y".repeat(90)}`)).toBe(true);
  });

  it("needs Actions read: the message says so", async () => {
    const { job } = failedRun();
    github.fake.state.setPermissions("github_pat_11TEST_watch", { deployments: "read" });
    await expect(github.run("github_job_log_tail", { repository: SHOP, jobId: job.id })).rejects.toThrow(
      /may not read job logs in octo-owner\/shop: it needs the "Actions: Read-only" repository permission/,
    );
  });
});

describe("github_rerun_failed_jobs", () => {
  it("re-runs the failed jobs the card showed, as a new attempt", async () => {
    const { run } = failedRun();
    const result = await github.run("github_rerun_failed_jobs", {
      repository: SHOP,
      runId: run.id,
      workflow: "CI",
      branch: "main",
      commit: run.sha.slice(0, 7),
      jobs: ["e2e"],
    });
    expect(result.content).toBe(`Re-running 1 failed job (e2e) of CI run ${run.id} on main in ${SHOP}, as attempt 2.`);
    const attempts = github.fake.state.run(SHOP, run.id)?.attempts ?? [];
    expect(attempts).toHaveLength(2);
    expect(attempts[1]?.jobs.find((job) => job.name === "e2e")?.status).toBe("queued");
    expect(attempts[1]?.jobs.find((job) => job.name === "lint")?.conclusion).toBe("success");
    const posts = github.fake.apiRequests().filter((request) => request.method === "POST");
    expect(posts.map((request) => request.operationId)).toEqual(["actions/re-run-workflow-failed-jobs"]);
  });

  it("re-runs nothing when the run is not what the card showed", async () => {
    const { run } = failedRun();
    const card = {
      repository: SHOP,
      runId: run.id,
      workflow: "CI",
      branch: "main",
      commit: run.sha.slice(0, 7),
      jobs: ["e2e"],
    };
    await expect(github.run("github_rerun_failed_jobs", { ...card, branch: "release" })).rejects.toMatchObject({
      name: "GitHubTargetMismatchError",
    });
    await expect(github.run("github_rerun_failed_jobs", { ...card, commit: "0000000" })).rejects.toThrow(
      /not on main at 0000000/,
    );
    await expect(github.run("github_rerun_failed_jobs", { ...card, workflow: "Deploy" })).rejects.toThrow(
      /belongs to the workflow "CI", not "Deploy"/,
    );
    await expect(github.run("github_rerun_failed_jobs", { ...card, jobs: ["e2e", "deploy-prod"] })).rejects.toThrow(
      /failed jobs of run \d+ \(attempt 1\) are e2e, not e2e, deploy-prod/,
    );
    // Approved twice (a second tab): the run is running again, so the second one re-runs nothing.
    await github.run("github_rerun_failed_jobs", card);
    await expect(github.run("github_rerun_failed_jobs", card)).rejects.toThrow(/is queued again \(attempt 2\)/);
    expect(github.fake.apiRequests().filter((request) => request.method === "POST")).toHaveLength(1);
  });
});

describe("github_dispatch_workflow", () => {
  it("starts the workflow on the ref with exactly the inputs shown", async () => {
    const result = await github.run("github_dispatch_workflow", {
      repository: SHOP,
      workflow: "rollback.yml",
      ref: "release",
      inputs: [
        { name: "version", value: "1.4.2" },
        { name: "reason", value: 'Checkout "500" errors' },
      ],
    });
    expect(result.content).toMatch(
      /^Started rollback.yml on release in octo-owner\/shop with version=1.4.2, reason=Checkout "500" errors/,
    );
    const run = github.fake.state.repository(SHOP).runs.at(-1);
    expect(run).toMatchObject({ event: "workflow_dispatch", branch: "release" });
  });

  it("passes GitHub's refusal on, and refuses an input given twice before asking", async () => {
    await expect(
      github.run("github_dispatch_workflow", {
        repository: SHOP,
        workflow: "rollback.yml",
        ref: "main",
        inputs: [{ name: "target", value: "prod" }],
      }),
    ).rejects.toThrow(/GitHub refused to start the workflow rollback.yml \(HTTP 422\): Unexpected inputs provided/);
    await expect(
      github.run("github_dispatch_workflow", { repository: SHOP, workflow: "ci.yml", ref: "main" }),
    ).rejects.toThrow(/workflow_dispatch/);
    const before = github.fake.apiRequests().length;
    await expect(
      github.run("github_dispatch_workflow", {
        repository: SHOP,
        workflow: "rollback.yml",
        ref: "main",
        inputs: [
          { name: "version", value: "1" },
          { name: "version", value: "2" },
        ],
      }),
    ).rejects.toThrow(/given twice/);
    expect(github.fake.apiRequests().length).toBe(before);
  });
});
