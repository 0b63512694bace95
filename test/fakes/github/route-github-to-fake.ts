import type { BrowserContext, Route } from "playwright-core";
import { LOG_HOST, type FakeGitHub } from "./fake-github";

/** Hop-by-hop and length headers that must not be copied between the two legs. */
const DROPPED_HEADERS = new Set(["host", "connection", "keep-alive", "transfer-encoding", "content-length"]);

export interface RouteGitHubOptions {
  /**
   * Playwright routes only the first request of a redirect chain: the browser's own request to the
   * storage host after GitHub's 302 goes to the real network. With this on, the log redirect is
   * followed here (without the token, as the browser does) and the page gets the log as the answer.
   */
  followLogRedirects?: boolean;
}

/**
 * Sends every request a page of `context` makes to api.github.com (and to the storage host GitHub's
 * log redirects point at) to the fake, keeping method, headers and body, and answers with the
 * fake's response as is. Chromium applies CORS to every answer, so the fake's CORS headers are what
 * the page sees; Playwright itself answers the preflights of routed requests.
 */
export async function routeGitHubToFake(
  context: BrowserContext,
  fake: FakeGitHub,
  options: RouteGitHubOptions = {},
): Promise<void> {
  const forward = async (route: Route): Promise<void> => {
    const request = route.request();
    const url = new URL(request.url());
    const origin = url.hostname === "api.github.com" ? fake.apiOrigin : fake.logOrigin;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(await request.allHeaders())) {
      if (!DROPPED_HEADERS.has(name.toLowerCase()) && !name.startsWith(":")) headers[name] = value;
    }
    const body = request.postDataBuffer();
    const response = await fetch(`${origin}${url.pathname}${url.search}`, {
      method: request.method(),
      headers,
      body:
        body === null || request.method() === "GET" || request.method() === "HEAD" ? undefined : new Uint8Array(body),
      redirect: "manual",
    });
    const location = response.headers.get("location");
    if (options.followLogRedirects && response.status === 302 && location !== null) {
      const target = new URL(location);
      if (target.hostname === LOG_HOST) {
        await response.arrayBuffer();
        const log = await fetch(`${fake.logOrigin}${target.pathname}${target.search}`);
        await route.fulfill({
          status: log.status,
          headers: {
            "access-control-allow-origin": "*",
            "content-type": log.headers.get("content-type") ?? "text/plain",
          },
          body: Buffer.from(await log.arrayBuffer()),
        });
        return;
      }
    }
    const answerHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (!DROPPED_HEADERS.has(name)) answerHeaders[name] = value;
    });
    await route.fulfill({
      status: response.status,
      headers: answerHeaders,
      body: Buffer.from(await response.arrayBuffer()),
    });
  };
  await context.route(
    (url) => url.protocol === "https:" && (url.hostname === "api.github.com" || url.hostname === LOG_HOST),
    forward,
  );
}
