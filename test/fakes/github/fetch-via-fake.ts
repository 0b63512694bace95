import { GITHUB_ALLOWED_REQUEST_HEADERS, GITHUB_EXPOSED_HEADERS, LOG_HOST, type FakeGitHub } from "./fake-github";

/**
 * A `fetch` for Node tests that sends GitHub's real URLs to the fake and behaves as a page's
 * fetch would across origins: it follows redirects itself (dropping `Authorization` when a
 * redirect leaves the origin, as browsers do), records a violation for a request header GitHub's
 * CORS preflight would refuse, and hides response headers GitHub does not expose to pages (so
 * the client cannot depend on `x-accepted-github-permissions`, which a browser never shows it).
 * Any other host fails as an offline request does.
 */

const SAFELISTED_RESPONSE_HEADERS = [
  "cache-control",
  "content-language",
  "content-length",
  "content-type",
  "expires",
  "last-modified",
  "pragma",
];
const CORS_SAFELISTED_REQUEST_HEADERS = ["accept", "accept-language", "content-language", "content-type"];
const MAX_REDIRECTS = 20;

export interface FetchViaFakeOptions {
  /** Hide headers a cross-origin page cannot read (default true). */
  cors?: boolean;
}

function target(fake: FakeGitHub, url: URL): URL {
  let origin: string;
  if (url.host === "api.github.com") origin = fake.apiOrigin;
  else if (url.host === LOG_HOST || url.host.endsWith(".blob.core.windows.net")) origin = fake.logOrigin;
  else throw new TypeError(`fetch failed: ${url.host} is not reachable from the tests`);
  return new URL(`${url.pathname}${url.search}`, origin);
}

function visibleHeaders(headers: Headers, cors: boolean): Headers {
  if (!cors) return headers;
  const exposed = new Set([
    ...SAFELISTED_RESPONSE_HEADERS,
    ...GITHUB_EXPOSED_HEADERS.map((name) => name.toLowerCase()),
  ]);
  const visible = new Headers();
  headers.forEach((value, name) => {
    if (exposed.has(name.toLowerCase())) visible.set(name, value);
  });
  return visible;
}

export function fetchViaFake(
  fake: FakeGitHub,
  options: FetchViaFakeOptions = {},
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  const cors = options.cors ?? true;
  return async (input, init) => {
    const request = new Request(input, init);
    let url = new URL(request.url);
    let method = request.method;
    const headers = new Headers(request.headers);
    const body = request.body === null ? undefined : await request.text();
    for (const name of headers.keys()) {
      const lower = name.toLowerCase();
      if (!CORS_SAFELISTED_REQUEST_HEADERS.includes(lower) && !GITHUB_ALLOWED_REQUEST_HEADERS.includes(lower)) {
        fake.violations.push(`${method} ${url.pathname}: a page could not send the header ${name} (CORS)`);
      }
    }
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      const response = await fetch(target(fake, url), {
        method,
        headers,
        redirect: "manual",
        ...(body !== undefined && method !== "GET" && method !== "HEAD" ? { body } : {}),
      });
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && response.status !== 304 && location !== null) {
        if (request.redirect === "error") throw new TypeError("fetch failed: redirect refused");
        await response.arrayBuffer();
        const next = new URL(location, url);
        if (next.origin !== url.origin) headers.delete("authorization");
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
          method = "GET";
        }
        url = next;
        continue;
      }
      const nullBody = response.status === 204 || response.status === 304;
      return new Response(nullBody ? null : await response.arrayBuffer(), {
        status: response.status,
        statusText: response.statusText,
        headers: visibleHeaders(response.headers, cors),
      });
    }
    throw new TypeError("fetch failed: too many redirects");
  };
}
