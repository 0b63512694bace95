import type { BrowserContext, Route } from "playwright-core";
import { isGoogleHost } from "./google-exchange";

/** Hop-by-hop and length headers that must not be copied between the two legs. */
const DROPPED_HEADERS = new Set(["host", "connection", "keep-alive", "transfer-encoding", "content-length"]);

/**
 * Sends every request a page, popup or worker of `context` makes to Google's hosts
 * (accounts.google.com, oauth2.googleapis.com, gmail.googleapis.com, www.googleapis.com) to the
 * fake, keeping method, headers and body, and answers with the fake's response as is, redirects
 * included (Chromium follows a fulfilled 302, which the OAuth popup's navigation needs). Chromium
 * still applies CORS to these answers, so the fake's CORS headers are what the page sees.
 */
export async function routeGoogleToFake(context: BrowserContext, fake: { origin: string }): Promise<void> {
  const forward = async (route: Route): Promise<void> => {
    const request = route.request();
    const url = new URL(request.url());
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(await request.allHeaders())) {
      if (!DROPPED_HEADERS.has(name.toLowerCase()) && !name.startsWith(":")) headers[name] = value;
    }
    const body = request.postDataBuffer();
    const response = await fetch(`${fake.origin}/${url.hostname}${url.pathname}${url.search}`, {
      method: request.method(),
      headers,
      body:
        body === null || request.method() === "GET" || request.method() === "HEAD" ? undefined : new Uint8Array(body),
      redirect: "manual",
    });
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
  await context.route((url) => url.protocol === "https:" && isGoogleHost(url.hostname), forward);
}
