import { isGoogleHost } from "./google-exchange";

/**
 * A `fetch` for Node tests that sends requests for Google's hosts to the fake (as
 * `<origin>/<host><path>`) and every other request on unchanged. Method, headers, body and the
 * redirect mode are kept; with `redirect: "manual"` the OAuth redirect's Location can be read.
 *
 * API calls behave as a page's cross-origin fetch: they carry an Origin, and the response shows
 * only the headers a page could read (CORS-safelisted ones and those the fake lists in
 * Access-Control-Expose-Headers), so a client cannot come to depend on a header the browser hides.
 * Requests to accounts.google.com are page navigations (the consent popup), not fetches, and are
 * passed through whole.
 */

const SAFELISTED_RESPONSE_HEADERS = new Set([
  "cache-control",
  "content-language",
  "content-length",
  "content-type",
  "expires",
  "last-modified",
  "pragma",
]);

export interface FetchViaFakeOptions {
  /** The page origin the calls come from; default http://127.0.0.1:4173. */
  pageOrigin?: string;
}

function pageVisible(response: Response, pageOrigin: string): Response {
  const allowed = response.headers.get("access-control-allow-origin");
  if (allowed !== pageOrigin && allowed !== "*") {
    throw new TypeError(`Failed to fetch: the response does not allow the origin ${pageOrigin} (CORS)`);
  }
  const exposed = new Set(
    (response.headers.get("access-control-expose-headers") ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== ""),
  );
  const headers = new Headers();
  response.headers.forEach((value, name) => {
    if (SAFELISTED_RESPONSE_HEADERS.has(name) || exposed.has(name)) headers.set(name, value);
  });
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

export function fetchViaFake(fake: { origin: string }, options: FetchViaFakeOptions = {}): typeof fetch {
  const pageOrigin = options.pageOrigin ?? "http://127.0.0.1:4173";
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.protocol !== "https:" || !isGoogleHost(url.hostname)) return fetch(request);
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
    const navigation = url.hostname === "accounts.google.com";
    const headers = new Headers(request.headers);
    if (!navigation) headers.set("origin", pageOrigin);
    const response = await fetch(`${fake.origin}/${url.hostname}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body,
      redirect: request.redirect,
      signal: request.signal,
    });
    if (navigation) return response;
    const nullBody = response.status === 204 || response.status === 304;
    const visible = pageVisible(response, pageOrigin);
    return nullBody ? new Response(null, { status: visible.status, headers: visible.headers }) : visible;
  };
}
