import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub, LOG_HOST, startFakeGitHub } from "../fakes/github/fake-github";
import { routeGitHubToFake } from "../fakes/github/route-github-to-fake";
import { launchChromium } from "./harness/browser";

/**
 * The fake GitHub as a page meets it through Playwright's routing, in real Chromium: what the
 * GitHub client relies on is shown to hold in a browser (a 304 reaches the page, ETag and
 * rate-limit headers are readable, the log redirect is followed to the storage host without the
 * token and as a simple request) and what it must not rely on is shown to be hidden (the header
 * naming a missing permission). Playwright answers the preflights of routed requests itself, so
 * the preflight rules are checked in Node by fetchViaFake instead.
 */

const APP_ORIGIN = "http://tabclaw.test";
const TOKEN = "github_pat_11BROWSER";
const REPO = "octo-owner/shop";
let browser: Browser;
let context: BrowserContext;
let page: Page;
let fake: FakeGitHub;

const HEADERS = {
  accept: "application/vnd.github+json",
  authorization: `Bearer ${TOKEN}`,
  "x-github-api-version": "2022-11-28",
};

beforeAll(async () => {
  browser = await launchChromium({ webgpu: false });
});

afterAll(async () => {
  await browser.close();
});

beforeEach(async () => {
  fake = await startFakeGitHub();
  fake.state.addRepository(REPO);
  fake.state.addWorkflow(REPO, { name: "CI", file: "ci.yml" });
  fake.state.addToken(TOKEN, { repositories: [REPO], permissions: { actions: "read" } });
  context = await browser.newContext();
  await context.route(`${APP_ORIGIN}/**`, (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>Tabclaw</title>" }),
  );
  await routeGitHubToFake(context, fake);
  page = await context.newPage();
  await page.goto(`${APP_ORIGIN}/`);
});

afterEach(async () => {
  await context.close();
  await fake.close();
});

describe("a page calling GitHub through the fake", () => {
  it("sends a conditional request the preflight allows, reads ETag and limits, and gets a 304 it can see", async () => {
    fake.state.failRun(REPO);
    const answers = await page.evaluate(
      async ({ headers }) => {
        const url = "https://api.github.com/repos/octo-owner/shop/actions/runs?per_page=5";
        const first = await fetch(url, { headers, cache: "no-store" });
        const etag = first.headers.get("etag") ?? "";
        const second = await fetch(url, { headers: { ...headers, "if-none-match": etag }, cache: "no-store" });
        return {
          first: first.status,
          etag,
          remaining: first.headers.get("x-ratelimit-remaining"),
          reset: first.headers.get("x-ratelimit-reset"),
          second: second.status,
          remainingAfter: second.headers.get("x-ratelimit-remaining"),
        };
      },
      { headers: HEADERS },
    );
    expect(answers).toMatchObject({ first: 200, second: 304, remaining: "4999", remainingAfter: "4999" });
    expect(answers.etag).toMatch(/^W\/"/);
    expect(fake.points(TOKEN)).toBe(1);
    expect(fake.violations).toEqual([]);
  });

  it("follows the log redirect to GitHub's storage host without the token, as a simple request", async () => {
    const run = fake.state.failRun(REPO, { log: "2026-11-24T09:00:00.0000000Z Error: boom\n" });
    const jobId = run.attempts[0]?.jobs.find((job) => job.name === "build")?.id ?? 0;
    // Playwright routes only the first request of a redirect chain: the second leg is watched, not served.
    const secondLeg = page.waitForRequest((request) => new URL(request.url()).hostname === LOG_HOST);
    const status = await page.evaluate(
      async ({ headers, jobId }) => {
        // As the client sends it: no version header.
        const { accept, authorization } = headers;
        try {
          const response = await fetch(`https://api.github.com/repos/octo-owner/shop/actions/jobs/${jobId}/logs`, {
            headers: { accept, authorization },
            cache: "no-store",
          });
          return response.status;
        } catch {
          return "not served";
        }
      },
      { headers: HEADERS, jobId },
    );
    const request = await secondLeg;
    const headers = request.headers();
    expect(headers.authorization).toBeUndefined();
    // Only CORS-safelisted headers: the storage host is not asked a preflight.
    expect(
      Object.keys(headers).filter(
        (name) => !["accept", "origin", "referer", "user-agent"].includes(name) && !name.startsWith("sec-ch-ua"),
      ),
    ).toEqual([]);
    expect(request.method()).toBe("GET");
    expect(status).toBe("not served");
    expect(fake.violations).toEqual([]);
  });

  it("serves the log to the page when the router follows the redirect for it", async () => {
    await context.close();
    context = await browser.newContext();
    await context.route(`${APP_ORIGIN}/**`, (route) =>
      route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>Tabclaw</title>" }),
    );
    await routeGitHubToFake(context, fake, { followLogRedirects: true });
    page = await context.newPage();
    await page.goto(`${APP_ORIGIN}/`);
    const run = fake.state.failRun(REPO, { log: "2026-11-24T09:00:00.0000000Z Error: boom\n" });
    const jobId = run.attempts[0]?.jobs.find((job) => job.name === "build")?.id ?? 0;
    const text = await page.evaluate(
      async ({ headers, jobId }) => {
        const { accept, authorization } = headers;
        const response = await fetch(`https://api.github.com/repos/octo-owner/shop/actions/jobs/${jobId}/logs`, {
          headers: { accept, authorization },
        });
        return `${response.status} ${await response.text()}`;
      },
      { headers: HEADERS, jobId },
    );
    expect(text).toBe("200 2026-11-24T09:00:00.0000000Z Error: boom\n");
    expect(fake.requests.filter((entry) => entry.host === "logs")).toMatchObject([
      { status: 200, authorization: false },
    ]);
    expect(fake.violations).toEqual([]);
  });

  it("hides the header naming a missing permission from the page", async () => {
    const seen = await page.evaluate(
      async ({ headers }) => {
        const response = await fetch("https://api.github.com/repos/octo-owner/shop/deployments", { headers });
        return { status: response.status, header: response.headers.get("x-accepted-github-permissions") };
      },
      { headers: HEADERS },
    );
    expect(seen).toEqual({ status: 403, header: null });
  });
});
