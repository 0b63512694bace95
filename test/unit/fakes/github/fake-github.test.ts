import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub, startFakeGitHub } from "../../../fakes/github/fake-github";
import { fetchViaFake } from "../../../fakes/github/fetch-via-fake";

const TOKEN = "github_pat_fake_reader";
const HEADERS = {
  accept: "application/vnd.github+json",
  "x-github-api-version": "2022-11-28",
  authorization: `Bearer ${TOKEN}`,
};

let now = Date.parse("2026-11-24T09:00:00Z");
let fake: FakeGitHub;
let fetchGitHub: ReturnType<typeof fetchViaFake>;

beforeEach(async () => {
  now = Date.parse("2026-11-24T09:00:00Z");
  fake = await startFakeGitHub({ now: () => now });
  fetchGitHub = fetchViaFake(fake);
  fake.state.addRepository("octo-owner/shop");
  fake.state.addWorkflow("octo-owner/shop", { name: "CI", file: "ci.yml" });
  fake.state.addWorkflow("octo-owner/shop", { name: "Rollback", file: "rollback.yml", dispatchInputs: ["version"] });
  fake.state.addToken(TOKEN, {
    repositories: ["octo-owner/shop"],
    permissions: { actions: "read", deployments: "read" },
  });
});

afterEach(async () => {
  await fake.close();
});

describe("the fake GitHub", () => {
  it("serves runs that fit GitHub's schema, with an ETag whose 304 costs no rate-limit point", async () => {
    fake.state.failRun("octo-owner/shop", { title: "Break the build" });
    const url = "https://api.github.com/repos/octo-owner/shop/actions/runs?per_page=5";
    const first = await fetchGitHub(url, { headers: HEADERS });
    expect(first.status).toBe(200);
    const body = (await first.json()) as {
      total_count: number;
      workflow_runs: { display_title: string; conclusion: string }[];
    };
    expect(body.workflow_runs[0]).toMatchObject({ display_title: "Break the build", conclusion: "failure" });
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^W\/"/);
    expect(first.headers.get("x-ratelimit-remaining")).toBe("4999");

    const second = await fetchGitHub(url, { headers: { ...HEADERS, "if-none-match": etag ?? "" } });
    expect(second.status).toBe(304);
    expect(second.headers.get("x-ratelimit-remaining")).toBe("4999");
    expect(fake.points(TOKEN)).toBe(1);

    fake.state.failRun("octo-owner/shop", { title: "Break it again" });
    const third = await fetchGitHub(url, { headers: { ...HEADERS, "if-none-match": etag ?? "" } });
    expect(third.status).toBe(200);
    expect(fake.violations).toEqual([]);
  });

  it("records a violation for an undeclared query parameter, a wrong enum value and a missing version header", async () => {
    const response = await fetchGitHub(
      "https://api.github.com/repos/octo-owner/shop/actions/runs?state=failed&status=broken",
      {
        headers: { accept: "application/vnd.github+json", authorization: `Bearer ${TOKEN}` },
      },
    );
    expect(response.status).toBe(422);
    expect(fake.violations.join("\n")).toMatch(/query parameter state is not declared/);
    expect(fake.violations.join("\n")).toMatch(/query status/);
    expect(fake.violations.join("\n")).toMatch(/X-GitHub-Api-Version/);
  });

  it("refuses an unknown route, a bad version, a bad token, an unseen repository and a missing permission", async () => {
    expect(
      (await fetchGitHub("https://api.github.com/repos/octo-owner/shop/actions/nothing", { headers: HEADERS })).status,
    ).toBe(404);
    expect(
      (
        await fetchGitHub("https://api.github.com/rate_limit", {
          headers: { ...HEADERS, "x-github-api-version": "2021-01-01" },
        })
      ).status,
    ).toBe(400);
    fake.violations.length = 0;
    const bad = await fetchGitHub("https://api.github.com/user", {
      headers: { ...HEADERS, authorization: "Bearer nope" },
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ message: "Bad credentials" });
    expect((await fetchGitHub("https://api.github.com/repos/someone/else", { headers: HEADERS })).status).toBe(404);
    const rerun = await fetchGitHub("https://api.github.com/repos/octo-owner/shop/actions/runs/1/rerun-failed-jobs", {
      method: "POST",
      headers: HEADERS,
    });
    expect(rerun.status).toBe(403);
    expect(await rerun.json()).toMatchObject({ message: "Resource not accessible by personal access token" });
    // GitHub names the permission in a header a page cannot read; Node without CORS sees it.
    expect(rerun.headers.get("x-accepted-github-permissions")).toBeNull();
    expect(fake.violations).toEqual([]);
  });

  it("redirects a job log to a signed URL on another host, which gets no token and serves plain text", async () => {
    const run = fake.state.failRun("octo-owner/shop", { log: "2026-11-24T09:00:00.0000000Z boom\n" });
    const job = run.attempts[0]?.jobs.find((candidate) => candidate.name === "build");
    const response = await fetchGitHub(`https://api.github.com/repos/octo-owner/shop/actions/jobs/${job?.id}/logs`, {
      headers: HEADERS,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("boom");
    const log = fake.requests.find((request) => request.host === "logs");
    expect(log).toMatchObject({ status: 200, authorization: false });
    expect(fake.violations).toEqual([]);
  });

  it("answers primary and secondary limits with their headers", async () => {
    fake.limits.forceSecondary({ status: 429, retryAfterSeconds: 30 });
    const limited = await fetchGitHub("https://api.github.com/user", { headers: HEADERS });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("30");
    fake.limits.spend(TOKEN, 0);
    const spent = await fetchGitHub("https://api.github.com/user", { headers: HEADERS });
    expect(spent.status).toBe(403);
    expect(spent.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(spent.headers.get("x-ratelimit-reset"))).toBeGreaterThan(now / 1000);
    expect(fake.violations).toEqual([]);
  });

  it("dispatches a workflow with declared inputs and refuses an input it does not declare", async () => {
    fake.state.setPermissions(TOKEN, { actions: "write", deployments: "read" });
    const url = "https://api.github.com/repos/octo-owner/shop/actions/workflows/rollback.yml/dispatches";
    const post = (body: unknown) =>
      fetchGitHub(url, {
        method: "POST",
        headers: { ...HEADERS, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await post({ ref: "main", inputs: { version: "1.4.2" } })).status).toBe(204);
    expect(fake.state.repository("octo-owner/shop").runs.at(-1)).toMatchObject({
      event: "workflow_dispatch",
      branch: "main",
    });
    const refused = await post({ ref: "main", inputs: { target: "prod" } });
    expect(refused.status).toBe(422);
    expect(fake.violations).toEqual([]);
    await post({ inputs: {} });
    expect(fake.violations.join("\n")).toMatch(/ref/);
  });
});
