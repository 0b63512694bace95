import { isGoogleHost } from "./google-exchange";

/**
 * A `fetch` for Node tests that sends requests for Google's hosts to the fake (as
 * `<origin>/<host><path>`) and every other request on unchanged. Method, headers, body and the
 * redirect mode are kept; with `redirect: "manual"` the OAuth redirect's Location can be read.
 */
export function fetchViaFake(fake: { origin: string }): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.protocol !== "https:" || !isGoogleHost(url.hostname)) return fetch(request);
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
    return fetch(`${fake.origin}/${url.hostname}${url.pathname}${url.search}`, {
      method: request.method,
      headers: request.headers,
      body,
      redirect: request.redirect,
      signal: request.signal,
    });
  };
}
