import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { routeSlackToFake, startFakeSlack, type FakeSlack } from "../fakes/slack/fake-slack";
import { launchChromium } from "./harness/browser";

/**
 * The fake Slack as a page meets it through Playwright's routing: real Chromium decides whether a
 * request to slack.com is a CORS "simple request" or needs a preflight, so this is where the
 * browser rule (token in a form body, no custom header) is shown to hold, and where a request
 * that breaks it is seen to be caught.
 */

const APP_ORIGIN = "http://tabclaw.test";
let browser: Browser;
let context: BrowserContext;
let page: Page;
let fake: FakeSlack;

beforeAll(async () => {
  browser = await launchChromium({ webgpu: false });
});

afterAll(async () => {
  await browser.close();
});

beforeEach(async () => {
  fake = await startFakeSlack();
  context = await browser.newContext();
  await context.route(`${APP_ORIGIN}/**`, (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>Tabclaw</title>" }),
  );
  await routeSlackToFake(context, fake);
  page = await context.newPage();
  await page.goto(`${APP_ORIGIN}/`);
});

afterEach(async () => {
  await context.close();
  await fake.close();
});

describe("a page calling Slack through the fake", () => {
  it("sends a form POST with the token in the body as a simple request, and reads the answer", async () => {
    const token = fake.oauth.issueToken(["users:read"]).accessToken;
    const answer = await page.evaluate(async (value) => {
      const response = await fetch("https://slack.com/api/auth.test", {
        method: "POST",
        body: new URLSearchParams({ token: value }),
      });
      return (await response.json()) as { ok: boolean; user_id?: string };
    }, token);
    expect(answer).toEqual(expect.objectContaining({ ok: true, user_id: "U0ALICE01" }) as unknown);
    expect(fake.requests.map((request) => [request.httpMethod, request.method, request.tokenIn])).toEqual([
      ["POST", "auth.test", ["body"]],
    ]);
    expect(fake.violations).toEqual([]);
  });

  it("catches a request that would need a preflight (a token in an Authorization header)", async () => {
    const token = fake.oauth.issueToken(["users:read"]).accessToken;
    const outcome = await page.evaluate(async (value) => {
      try {
        const response = await fetch("https://slack.com/api/auth.test", {
          method: "POST",
          headers: { authorization: `Bearer ${value}` },
          body: new URLSearchParams(),
        });
        return `answered ${response.status}`;
      } catch {
        return "refused by the browser";
      }
    }, token);
    // Playwright answers the preflight of a routed request itself, so the fake judges the header.
    expect(outcome).toBe("answered 200");
    expect(fake.violations).toEqual(["auth.test: an Authorization header (needs a preflight from a page)"]);
  });

  it("sends the sign-in window back to the app with a code and the state", async () => {
    const redirect = `${APP_ORIGIN}/?oauth=callback`;
    const authorize = new URL("https://slack.com/oauth/v2/authorize");
    authorize.searchParams.set("client_id", fake.clientId);
    authorize.searchParams.set("user_scope", "search:read");
    authorize.searchParams.set("redirect_uri", redirect);
    authorize.searchParams.set("state", "state-1");
    authorize.searchParams.set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    authorize.searchParams.set("code_challenge_method", "S256");
    await page.goto(authorize.href);
    await page.waitForURL(/^http:\/\/tabclaw\.test\/\?oauth=callback/);
    const landed = new URL(page.url());
    expect(landed.origin + landed.pathname).toBe(`${APP_ORIGIN}/`);
    expect(landed.searchParams.get("oauth")).toBe("callback");
    expect(landed.searchParams.get("state")).toBe("state-1");
    expect(landed.searchParams.get("code")).toMatch(/^T0ACME001\./);
    expect(fake.violations).toEqual([]);
  });
});
