import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { BrowserContext } from "playwright-core";
import { METHOD_HANDLERS } from "./slack-methods";
import { FakeSlackOAuth, type SlackBody } from "./slack-oauth-server";
import { FakeSlackRateLimits } from "./slack-rate-limits";
import { scopeTableProblems } from "./slack-scopes";
import { SlackSpec } from "./slack-spec";
import { FakeSlackWorkspace, seedWorkspace } from "./slack-workspace";

/** The only host Tabclaw's Slack code talks to: the Web API and the authorize page both live there. */
export const SLACK_ORIGIN = "https://slack.com";

export type TokenPlace = "body" | "query" | "header";

/** One request as the fake received it. Tokens are never kept, only where they were. */
export interface SlackRequestRecord {
  at: number;
  httpMethod: string;
  /** Path without the query, e.g. `/api/chat.postMessage` or `/oauth/v2/authorize`. */
  path: string;
  /** The Web API method (`chat.postMessage`), `authorize`, or the path for anything else. */
  method: string;
  contentType?: string;
  /** Where a token came: `body` is the browser rule; `header` and `query` are violations. */
  tokenIn: TokenPlace[];
  /** Arguments from the query and the body, the token left out. */
  args: Record<string, string>;
  status: number;
  /** Slack's `error` for an `ok: false` answer. */
  error?: string;
}

export interface FakeSlackOptions {
  clientId?: string;
  /** Registered redirect URLs; empty (default) accepts any http(s) URL, matched again at the exchange. */
  redirectUris?: string[];
  /** Expiring tokens with refresh tokens. Default true. */
  tokenRotation?: boolean;
  /** Per-minute limits that replace a method's tier (to reach a limit in a few calls). */
  perMinute?: Record<string, number>;
  /** The fake's clock (milliseconds); tests move it to expire tokens and open rate windows. */
  now?: () => number;
  /** Enforce the browser rule: POST, form body, token in the body, no Authorization header. Default true. */
  browserRules?: boolean;
  /** Start from an empty workspace instead of the seeded people and conversations. */
  empty?: boolean;
}

const DEFAULT_CLIENT_ID = "4242424242.1717171717";
const AUTHORIZING_USER = "U0ALICE01";
const MAX_BODY_BYTES = 1 << 20;

const CORS_HEADERS = { "access-control-allow-origin": "*" };

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(response: ServerResponse, status: number, body: SlackBody, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...CORS_HEADERS, ...headers });
  response.end(JSON.stringify(body));
}

/**
 * A fake Slack on 127.0.0.1 that answers only what real Slack would accept. Every request is
 * checked against Slack's published Web API description (`SlackSpec`): the method exists, the HTTP
 * method and body type are ones it takes, each argument is one it declares with the right type,
 * required ones are present; then the token (from the form body: the browser rule, which keeps a
 * page's call a CORS "simple request" without a preflight), its expiry and revocation, the scope
 * the call needs for the kind of conversation it touches, and the method's rate-limit tier. What a
 * real Slack would refuse, or what breaks the browser rule, is answered as Slack would and also
 * written to `violations`, which a test expects to stay empty.
 */
export class FakeSlack {
  readonly workspace: FakeSlackWorkspace;
  readonly oauth: FakeSlackOAuth;
  readonly rateLimits: FakeSlackRateLimits;
  readonly requests: SlackRequestRecord[] = [];
  readonly violations: string[] = [];
  readonly #spec = SlackSpec.load();
  readonly #now: () => number;
  readonly #browserRules: boolean;
  #server: Server | undefined;
  #origin: string | undefined;

  constructor(options: FakeSlackOptions = {}) {
    this.#now = options.now ?? (() => Date.now());
    this.#browserRules = options.browserRules ?? true;
    this.workspace = new FakeSlackWorkspace(this.#now);
    if (options.empty !== true) seedWorkspace(this.workspace);
    this.oauth = new FakeSlackOAuth(
      {
        clientId: options.clientId ?? DEFAULT_CLIENT_ID,
        redirectUris: options.redirectUris ?? [],
        tokenRotation: options.tokenRotation ?? true,
        userId: AUTHORIZING_USER,
        now: this.#now,
        violation: (text) => this.violations.push(text),
      },
      this.workspace,
    );
    this.rateLimits = new FakeSlackRateLimits(options.perMinute);
    const problems = scopeTableProblems((name) => this.#spec.operation(name));
    if (problems.length > 0)
      throw new Error(`The fake's scope table disagrees with Slack's description: ${problems.join("; ")}`);
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        this.violations.push(`the fake failed: ${error instanceof Error ? error.message : String(error)}`);
        if (!response.headersSent) send(response, 500, { ok: false, error: "fatal_error" });
        else response.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.#server = server;
    this.#origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** `http://127.0.0.1:<port>`. */
  get origin(): string {
    if (this.#origin === undefined) throw new Error("The fake Slack is not started");
    return this.#origin;
  }

  get clientId(): string {
    return this.oauth.clientId;
  }

  /** Requests to one Web API method, oldest first. */
  calls(method: string): SlackRequestRecord[] {
    return this.requests.filter((record) => record.method === method);
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://fake.invalid");
    const httpMethod = (request.method ?? "GET").toUpperCase();
    const contentType = request.headers["content-type"];
    const record: SlackRequestRecord = {
      at: this.#now(),
      httpMethod,
      path: url.pathname,
      method: url.pathname.startsWith("/api/") ? url.pathname.slice("/api/".length) : url.pathname,
      ...(contentType !== undefined ? { contentType } : {}),
      tokenIn: [],
      args: {},
      status: 0,
    };
    this.requests.push(record);
    const reply = (status: number, body: SlackBody, headers: Record<string, string> = {}): void => {
      record.status = status;
      if (body.ok === false && typeof body.error === "string") record.error = body.error;
      send(response, status, body, headers);
    };

    if (httpMethod === "OPTIONS") {
      // A preflight means the page sent something other than a simple request.
      this.violations.push(`${url.pathname}: a CORS preflight (a page must send a form POST without custom headers)`);
      record.status = 204;
      response.writeHead(204);
      response.end();
      return;
    }
    if (url.pathname === "/oauth/v2/authorize") return this.#authorize(url, httpMethod, record, response);
    if (!url.pathname.startsWith("/api/")) {
      this.violations.push(`${httpMethod} ${url.pathname}: Slack has nothing there`);
      return reply(404, { ok: false, error: "unknown_method" });
    }
    const operation = this.#spec.operation(record.method);
    const handler = METHOD_HANDLERS[record.method];
    const isTokenExchange = record.method === "oauth.v2.access";
    if (!operation || (!handler && !isTokenExchange)) {
      if (!operation) this.violations.push(`${record.method}: not a method in Slack's description`);
      else this.violations.push(`${record.method}: the fake does not serve this method`);
      return reply(404, { ok: false, error: "unknown_method" });
    }

    // Arguments: the query string, then the body (Slack reads both).
    const args = new Map<string, string>();
    const problems: string[] = [];
    const take = (name: string, value: string, place: "query" | "body"): void => {
      if (args.has(name)) problems.push(`${record.method}: "${name}" is given twice`);
      if (name === "token") record.tokenIn.push(place);
      args.set(name, value);
    };
    for (const [name, value] of url.searchParams) take(name, value, "query");

    if (httpMethod === "POST") {
      const text = await readBody(request);
      const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      if (!operation.consumes.includes(type)) {
        problems.push(
          `${record.method}: a body of type "${type || "none"}" (the method takes ${operation.consumes.join(", ")})`,
        );
      } else if (type === "application/json") {
        if (this.#browserRules)
          problems.push(`${record.method}: a JSON body needs a preflight from a page; send a form body`);
        try {
          const parsed = JSON.parse(text) as unknown;
          if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
            for (const [name, value] of Object.entries(parsed)) {
              take(name, typeof value === "string" ? value : JSON.stringify(value), "body");
            }
          } else problems.push(`${record.method}: the JSON body is not an object`);
        } catch {
          problems.push(`${record.method}: the JSON body does not parse`);
        }
      } else {
        for (const [name, value] of new URLSearchParams(text)) take(name, value, "body");
      }
    } else if (httpMethod === "GET") {
      if (this.#browserRules) problems.push(`${record.method}: GET from a page puts arguments in the URL; POST a form`);
    } else {
      problems.push(`${record.method}: HTTP ${httpMethod} (Slack's methods take GET or POST)`);
    }

    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      record.tokenIn.push("header");
      if (this.#browserRules)
        problems.push(`${record.method}: an Authorization header (needs a preflight from a page)`);
    }
    if (record.tokenIn.includes("query")) {
      // Slack refuses tokens in the query string for apps created since February 2021.
      problems.push(`${record.method}: the token is in the query string`);
    }
    problems.push(...this.#spec.argumentProblems(operation, args));
    record.args = Object.fromEntries([...args].filter(([name]) => name !== "token"));

    if (problems.length > 0) {
      this.violations.push(...problems);
      return reply(200, { ok: false, error: "invalid_arguments" });
    }

    if (isTokenExchange) {
      const limited = this.rateLimits.check(record.method, this.workspace.team.id, this.#now());
      if (!limited.allowed) {
        return reply(429, { ok: false, error: "ratelimited" }, { "retry-after": String(limited.retryAfterSeconds) });
      }
      return reply(200, this.oauth.access(args));
    }

    const bearer = authorization?.replace(/^Bearer\s+/i, "");
    const auth = this.oauth.authenticate(args.get("token") ?? bearer);
    if ("error" in auth) return reply(200, { ok: false, error: auth.error });

    const limited = this.rateLimits.check(record.method, auth.token.teamId, this.#now(), args.get("channel"));
    if (!limited.allowed) {
      return reply(429, { ok: false, error: "ratelimited" }, { "retry-after": String(limited.retryAfterSeconds) });
    }
    if (!handler) return reply(404, { ok: false, error: "unknown_method" });
    reply(
      200,
      handler({
        args,
        token: auth.token,
        workspace: this.workspace,
        violation: (text) => this.violations.push(text),
        revoke: (accessToken) => this.oauth.revoke(accessToken),
      }),
    );
  }

  #authorize(url: URL, httpMethod: string, record: SlackRequestRecord, response: ServerResponse): void {
    record.method = "authorize";
    record.args = Object.fromEntries(url.searchParams);
    if (httpMethod !== "GET") {
      this.violations.push(`authorize: HTTP ${httpMethod} (the browser opens it with GET)`);
    }
    const answer = this.oauth.authorize(url.searchParams);
    if (answer.kind === "redirect") {
      record.status = 302;
      response.writeHead(302, { location: answer.location, "cache-control": "no-store" });
      response.end();
      return;
    }
    record.status = answer.status;
    response.writeHead(answer.status, { "content-type": "text/plain; charset=utf-8" });
    response.end(answer.text);
  }
}

/** Starts a fake Slack on a free port. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const fake = new FakeSlack(options);
  await fake.start();
  return fake;
}

/** The fake's URL for a real Slack URL, or undefined for any other host. */
export function toFakeUrl(fake: FakeSlack, url: string | URL): string | undefined {
  const parsed = new URL(url);
  if (parsed.origin !== SLACK_ORIGIN) return undefined;
  return `${fake.origin}${parsed.pathname}${parsed.search}`;
}

/**
 * A `fetch` for Node tests that sends `https://slack.com/…` to the fake and refuses every other
 * host, so production code keeps its real URLs. Redirects are not followed (the authorize page's
 * redirect is for a browser).
 */
export function fetchViaFake(fake: FakeSlack): typeof fetch {
  return async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const target = toFakeUrl(fake, url);
    if (target === undefined) throw new TypeError(`fetchViaFake: ${url} is not a Slack URL`);
    if (input instanceof Request) return fetch(new Request(target, input), init);
    return fetch(target, init);
  };
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/** Hop-by-hop headers describe the fake's own connection, not the answer. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);

/**
 * Routes a Playwright context's requests for slack.com to the fake; the page keeps its real URLs.
 * The authorize page's redirect back to the app is served as Slack's consent page is met in a real
 * browser, a page that then moves on (here at once, by a meta refresh), because Chromium does not
 * follow a redirect fulfilled by Playwright for a navigation to a host it cannot resolve.
 */
export async function routeSlackToFake(context: BrowserContext, fake: FakeSlack): Promise<void> {
  await context.route(/^https:\/\/slack\.com\//, async (route) => {
    const request = route.request();
    const target = toFakeUrl(fake, request.url());
    if (target === undefined) return route.abort();
    const headers = Object.fromEntries(
      Object.entries(await request.allHeaders()).filter(([name]) => name !== "host" && !HOP_BY_HOP.has(name)),
    );
    const body = request.postDataBuffer();
    const response = await fetch(target, {
      method: request.method(),
      headers,
      redirect: "manual",
      ...(body !== null ? { body: new Uint8Array(body) } : {}),
    });
    const location = response.headers.get("location");
    if (location !== null && request.resourceType() === "document") {
      await response.body?.cancel();
      await route.fulfill({
        status: 200,
        contentType: "text/html; charset=utf-8",
        body: `<!doctype html><meta http-equiv="refresh" content="0;url=${escapeAttribute(location)}"><title>Slack</title><p>Allowing Tabclaw (scripted consent)…</p>`,
      });
      return;
    }
    await route.fulfill({
      status: response.status,
      headers: Object.fromEntries([...response.headers].filter(([name]) => !HOP_BY_HOP.has(name))),
      body: Buffer.from(await response.arrayBuffer()),
    });
  });
}
