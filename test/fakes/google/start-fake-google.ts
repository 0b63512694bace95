import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DiscoveryValidator } from "./discovery-validator";
import { FakeGmail } from "./fake-gmail";
import { FakeGoogleOAuth, type RegisteredClient } from "./fake-google-oauth";
import { FakeMailbox } from "./fake-mailbox";
import { isGoogleHost, type FakeRequest, type FakeResponse, type GoogleHost } from "./google-exchange";

export { fetchViaFake } from "./fetch-via-fake";
export { routeGoogleToFake } from "./route-google-to-fake";
export { buildRawMail } from "./raw-mail";

/**
 * One local server (127.0.0.1) standing in for accounts.google.com, oauth2.googleapis.com,
 * gmail.googleapis.com and www.googleapis.com. A request for `https://<host><path>` reaches it as
 * `<origin>/<host><path>`; `fetchViaFake` and `routeGoogleToFake` do that rewriting so production
 * code keeps Google's real URLs.
 */

export const DEFAULT_CLIENT_ID = "tabclaw-test.apps.googleusercontent.com";
export const DEFAULT_ACCOUNT = "user@example.com";

export interface StartFakeGoogleOptions {
  /** OAuth clients; default one client for http://127.0.0.1 and http://localhost on any listed redirect. */
  clients?: RegisteredClient[];
  /** The signed-in Google account (the mailbox owner). */
  account?: string;
  /** More accounts that can sign in (chosen with login_hint); the fake Gmail holds only `account`'s mailbox. */
  otherAccounts?: string[];
  /** Clock for token expiry, internal dates and `newer_than:`; default Date.now. */
  now?: () => number;
  /**
   * List Retry-After in Access-Control-Expose-Headers so pages can read it. Default false: whether
   * Google exposes it to cross-origin pages is not documented, so by default a client must cope
   * without it (exponential backoff), as it would have to if Google hides it.
   */
  exposeRetryAfter?: boolean;
}

/** One request the server received, for tests to assert on. */
export interface FakeGoogleRequest {
  method: string;
  host: GoogleHost;
  target: string;
  headers: Record<string, string>;
  body: string;
  status: number;
}

export interface FakeGoogle {
  /** e.g. `http://127.0.0.1:40123`; requests for Google go to `<origin>/<host><path>`. */
  origin: string;
  gmail: FakeGmail;
  oauth: FakeGoogleOAuth;
  /** Requests a correct client never makes (the Gmail fake's violations). */
  violations: string[];
  /** Gmail quota units spent so far. */
  quotaUnits(): number;
  requests: FakeGoogleRequest[];
  /** The URL of the fake that serves a real Google URL. */
  fakeUrl(realUrl: string | URL): string;
  close(): Promise<void>;
}

const ALLOWED_HEADERS = "authorization, content-type, x-goog-api-client, x-goog-request-params";

function corsHeaders(origin: string | undefined, exposeRetryAfter: boolean): Record<string, string> {
  if (origin === undefined) return {};
  return {
    "access-control-allow-origin": origin,
    "access-control-allow-credentials": "true",
    ...(exposeRetryAfter ? { "access-control-expose-headers": "retry-after" } : {}),
    vary: "origin",
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function toFakeRequest(request: IncomingMessage, body: Buffer): FakeRequest | undefined {
  const match = /^\/([^/]+)(\/.*)?$/.exec(request.url ?? "/");
  const host = match?.[1];
  if (host === undefined || !isGoogleHost(host)) return undefined;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string") headers[name] = value;
    else if (Array.isArray(value)) headers[name] = value.join(", ");
  }
  return { method: request.method ?? "GET", host, target: match?.[2] ?? "/", headers, body };
}

function defaultClient(): RegisteredClient {
  return {
    clientId: DEFAULT_CLIENT_ID,
    redirectUris: [],
    javascriptOrigins: [],
  };
}

export async function startFakeGoogle(options: StartFakeGoogleOptions = {}): Promise<FakeGoogle> {
  const account = options.account ?? DEFAULT_ACCOUNT;
  const now = options.now ?? Date.now;
  const validator = new DiscoveryValidator();
  const oauth = new FakeGoogleOAuth({
    clients: options.clients ?? [defaultClient()],
    accounts: [account, ...(options.otherAccounts ?? [])],
    knownScopes: validator.knownScopes,
    now,
  });
  const gmail = new FakeGmail({ oauth, validator, mailbox: new FakeMailbox(account, now) });
  const requests: FakeGoogleRequest[] = [];

  const answer = (request: FakeRequest): FakeResponse => {
    const fromOAuth = oauth.handle(request);
    if (fromOAuth) return fromOAuth;
    const fromGmail = gmail.handle(request);
    if (fromGmail) return fromGmail;
    gmail.violations.push(`No fake Google endpoint at ${request.method} https://${request.host}${request.target}`);
    return { status: 404, headers: { "content-type": "text/plain" }, body: Buffer.from("Not Found") };
  };

  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    void (async () => {
      const body = await readBody(incoming);
      const request = toFakeRequest(incoming, body);
      const origin = incoming.headers.origin;
      if (!request) {
        outgoing.writeHead(404, { "content-type": "text/plain" }).end(`Not a fake Google path: ${incoming.url ?? ""}`);
        return;
      }
      let response: FakeResponse;
      if (request.method === "OPTIONS" && request.headers["access-control-request-method"] !== undefined) {
        response = {
          status: 204,
          headers: {
            ...corsHeaders(origin, false),
            "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE",
            "access-control-allow-headers": ALLOWED_HEADERS,
            "access-control-max-age": "3600",
          },
          body: Buffer.alloc(0),
        };
      } else {
        try {
          response = answer(request);
        } catch (error) {
          gmail.violations.push(`The fake failed on ${request.method} ${request.target}: ${String(error)}`);
          response = { status: 500, headers: { "content-type": "text/plain" }, body: Buffer.from(String(error)) };
        }
        if (request.host !== "accounts.google.com")
          response.headers = { ...corsHeaders(origin, options.exposeRetryAfter ?? false), ...response.headers };
      }
      requests.push({
        method: request.method,
        host: request.host,
        target: request.target,
        headers: request.headers,
        body: body.toString("utf8"),
        status: response.status,
      });
      outgoing.writeHead(response.status, response.headers).end(response.body);
    })().catch((error: unknown) => {
      outgoing.writeHead(500).end(String(error));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    gmail,
    oauth,
    violations: gmail.violations,
    quotaUnits: () => gmail.quotaUnits(),
    requests,
    fakeUrl: (realUrl) => {
      const url = new URL(realUrl);
      return `${origin}/${url.hostname}${url.pathname}${url.search}`;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
