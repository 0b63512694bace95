/**
 * One HTTP exchange as the fake Google handlers see it. Handlers are plain async functions over
 * these records so the same code answers a top-level request and a part of a batch request.
 */

/** The real Google hosts the fake stands in for. */
export const GOOGLE_HOSTS = [
  "accounts.google.com",
  "oauth2.googleapis.com",
  "gmail.googleapis.com",
  "www.googleapis.com",
] as const;

export type GoogleHost = (typeof GOOGLE_HOSTS)[number];

export function isGoogleHost(host: string): host is GoogleHost {
  return (GOOGLE_HOSTS as readonly string[]).includes(host);
}

export interface FakeRequest {
  method: string;
  /** The real Google host the request was addressed to. */
  host: GoogleHost;
  /** Path and query as sent to the real host, e.g. `/gmail/v1/users/me/messages?maxResults=10`. */
  target: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface FakeResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: Buffer;
}

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): FakeResponse {
  return {
    status,
    headers: { "content-type": "application/json; charset=UTF-8", ...headers },
    body: Buffer.from(JSON.stringify(value, null, 2)),
  };
}

export function htmlResponse(status: number, html: string): FakeResponse {
  return { status, headers: { "content-type": "text/html; charset=utf-8" }, body: Buffer.from(html) };
}

export function redirectResponse(location: string): FakeResponse {
  return { status: 302, headers: { location, "content-type": "text/html; charset=utf-8" }, body: Buffer.alloc(0) };
}

/** The request's URL as the client addressed it. */
export function requestUrl(request: FakeRequest): URL {
  return new URL(`https://${request.host}${request.target}`);
}

/** The bearer token from the Authorization header or, as Google also accepts, the access_token query parameter. */
export function bearerToken(request: FakeRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  const url = requestUrl(request);
  return url.searchParams.get("access_token") ?? url.searchParams.get("oauth_token") ?? undefined;
}
