import type { AuditedFetch } from "../../gate/audited-fetch";
import { errorMessage } from "./github-api-types";
import {
  GitHubNotFoundError,
  GitHubRateLimitError,
  GitHubRequestError,
  GitHubUnavailableError,
  ReconnectNeededError,
  ScopeNeededError,
} from "./github-errors";
import { permissionFromHeader, type GitHubPermission } from "./github-permissions";
import { GitHubRateState } from "./github-rate-state";

/**
 * GitHub's REST API as Tabclaw calls it: every request through the Gate's `AuditedFetch`, the
 * fine-grained token as `Authorization: Bearer`, the API version pinned, conditional requests
 * with stored ETags (a 304 costs no rate-limit point), the rate-limit headers read on every
 * answer, and GitHub's limits respected before a request leaves (a spent hour, a secondary limit,
 * and a reserve of the hour kept for what the user asks, which background polling never uses).
 */

export const GITHUB_API = "https://api.github.com";
/** The REST version this client was written against. */
export const GITHUB_API_VERSION = "2022-11-28";
/** Polling stops while fewer requests than this are left of the hour. */
export const POLL_RESERVE = 100;
/** The key an ETag is kept under in connectorState, per request path and query. */
export const ETAG_KEY_PREFIX = "github:etag:";
/** Where the limits are kept, so a reload still respects a block. */
export const RATE_STATE_KEY = "github:rate";

const GET_RETRIES = 2;
const RETRY_BASE_MS = 1_000;

/** What connectors remember between runs (`ConnectorState` in the app). */
export interface KeyValueState {
  get<T>(key: string, isValue: (value: unknown) => value is T): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Background work stops at the reserve; what the user asked for may use it. */
export type RequestPurpose = "poll" | "user";

export interface GitHubRequest {
  /** The path after the API origin, e.g. `/repos/o/r/actions/runs`. */
  path: string;
  query?: Readonly<Record<string, string | number | boolean>>;
  /** `owner/name`, named in errors. */
  repository: string;
  /** What the request does, for errors: "list workflow runs". */
  what: string;
  /** The token permission it needs, named when GitHub refuses it. */
  permission: GitHubPermission;
  purpose: RequestPurpose;
}

export type ConditionalResult<T> =
  | { kind: "not-modified" }
  | {
      kind: "changed";
      value: T;
      /** Stores the new ETag: call it once what the answer changed is itself stored. */
      commit(): Promise<void>;
    };

export interface GitHubClientOptions {
  token: string;
  fetch: AuditedFetch;
  state: KeyValueState;
  /** The limits as the connector keeps them across calls. */
  rate: GitHubRateState;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  baseUrl?: string;
}

interface StoredEtag {
  etag: string;
}

function isStoredEtag(value: unknown): value is StoredEtag {
  return typeof value === "object" && value !== null && typeof (value as { etag?: unknown }).etag === "string";
}

const REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;

/** `owner/name` as a path, or a clear error for anything else. */
export function repositoryPath(repository: string): string {
  if (!REPOSITORY.test(repository)) {
    throw new TypeError(`"${repository}" is not a GitHub repository name: write it as owner/name, e.g. octo-org/shop.`);
  }
  const [owner = "", name = ""] = repository.split("/");
  return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
}

export function isRepositoryName(value: string): boolean {
  return REPOSITORY.test(value);
}

async function readJson(response: Response): Promise<unknown> {
  const body = await response.text();
  if (body === "") return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export class GitHubClient {
  readonly #options: GitHubClientOptions;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  /** The longest `x-poll-interval` (seconds) seen by this client, if GitHub sent one. */
  pollIntervalSeconds: number | undefined;
  /** Requests that went out, and how many were answered 304. */
  requests = 0;
  notModified = 0;

  constructor(options: GitHubClientOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => Date.now());
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  get rate(): GitHubRateState {
    return this.#options.rate;
  }

  /** A plain GET; the JSON body. */
  async getJson(request: GitHubRequest): Promise<unknown> {
    const response = await this.#send("GET", request, undefined, undefined);
    return readJson(response);
  }

  /**
   * A GET with `If-None-Match` from the stored ETag: `not-modified` costs no rate-limit point and
   * means nothing changed since the answer the caller last stored.
   */
  async getConditional<T>(request: GitHubRequest, parse: (value: unknown) => T): Promise<ConditionalResult<T>> {
    const key = `${ETAG_KEY_PREFIX}${this.#url(request).pathname}${this.#url(request).search}`;
    const stored = await this.#options.state.get(key, isStoredEtag);
    const response = await this.#send("GET", request, undefined, stored?.etag);
    if (response.status === 304) {
      this.notModified += 1;
      return { kind: "not-modified" };
    }
    const value = parse(await readJson(response));
    const etag = response.headers.get("etag");
    return {
      kind: "changed",
      value,
      commit: () => (etag === null ? this.#options.state.delete(key) : this.#options.state.set(key, { etag })),
    };
  }

  /**
   * A GET that follows GitHub's redirect (a job log on its storage host) and returns the text.
   * The browser drops `Authorization` on the way to the other host but keeps every other header;
   * without `X-GitHub-Api-Version` (the endpoint has had one version) the second leg is a simple
   * request, so the storage host is not asked a CORS preflight it does not answer.
   */
  async getText(request: GitHubRequest): Promise<string> {
    const response = await this.#send("GET", request, undefined, undefined, false);
    return response.text();
  }

  /** A POST with a JSON body (or none); never retried, since it may have happened. */
  async post(request: GitHubRequest, body: unknown): Promise<{ status: number; json: unknown }> {
    const response = await this.#send("POST", request, body, undefined);
    return { status: response.status, json: await readJson(response) };
  }

  #url(request: GitHubRequest): URL {
    const url = new URL(request.path, this.#options.baseUrl ?? GITHUB_API);
    for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, String(value));
    return url;
  }

  /** Refuses before sending while GitHub's limits say wait (and, for polling, while in the reserve). */
  #admit(request: GitHubRequest): void {
    const now = this.#now();
    const rate = this.#options.rate;
    const block = rate.blockedAt(now);
    if (block) throw new GitHubRateLimitError(block.kind, block.until, block.detail);
    const remaining = rate.remainingAt(now);
    const resetAt = rate.primary?.resetAt ?? now;
    if (remaining === 0) {
      throw new GitHubRateLimitError("primary", resetAt, "GitHub's hourly request limit for this token is spent.");
    }
    if (request.purpose === "poll" && remaining !== undefined && remaining < POLL_RESERVE) {
      throw new GitHubRateLimitError(
        "reserve",
        resetAt,
        `Only ${remaining} of this hour's ${rate.primary?.limit ?? "?"} GitHub requests are left; Tabclaw keeps them for what you ask, so polling pauses.`,
      );
    }
  }

  async #send(
    method: "GET" | "POST",
    request: GitHubRequest,
    body: unknown,
    etag: string | undefined,
    pinVersion = true,
  ): Promise<Response> {
    const url = this.#url(request);
    const headers: Record<string, string> = {
      // GitHub's own media type; a log's redirect target answers plain text whatever is asked.
      Accept: "application/vnd.github+json",
      Authorization: `Bearer ${this.#options.token}`,
    };
    if (pinVersion) headers["X-GitHub-Api-Version"] = GITHUB_API_VERSION;
    if (etag !== undefined) headers["If-None-Match"] = etag;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    for (let attempt = 0; ; attempt += 1) {
      this.#admit(request);
      let response: Response;
      try {
        this.requests += 1;
        response = await this.#options.fetch(url.href, {
          method,
          headers,
          // Tabclaw sends its own If-None-Match; the browser's cache must not answer for GitHub.
          cache: "no-store",
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      } catch (error) {
        if (method === "GET" && attempt < GET_RETRIES) {
          await this.#sleep(RETRY_BASE_MS * 2 ** attempt);
          continue;
        }
        throw new GitHubUnavailableError(error instanceof Error ? error.message : String(error), method !== "GET");
      }
      this.#options.rate.observe(response.headers);
      const interval = Number(response.headers.get("x-poll-interval"));
      if (Number.isFinite(interval) && interval > 0) {
        this.pollIntervalSeconds = Math.max(this.pollIntervalSeconds ?? 0, interval);
      }
      if (response.status < 400) {
        this.#options.rate.succeeded();
        return response;
      }
      if (response.status >= 500 && method === "GET" && attempt < GET_RETRIES) {
        await this.#sleep(RETRY_BASE_MS * 2 ** attempt);
        continue;
      }
      throw await this.#failure(response, request, method);
    }
  }

  async #failure(response: Response, request: GitHubRequest, method: string): Promise<Error> {
    const json = await readJson(response);
    const message = errorMessage(json, response.statusText || `HTTP ${response.status}`);
    const status = response.status;
    if (status === 401) return new ReconnectNeededError();
    if (status === 403 || status === 429) {
      const limited = await this.#limited(response, message);
      if (limited) return limited;
      if (status === 403 && /not accessible|permission/i.test(message)) {
        const permission =
          permissionFromHeader(response.headers.get("x-accepted-github-permissions")) ?? request.permission;
        return new ScopeNeededError(permission, request.repository, request.what);
      }
    }
    if (status === 404)
      return new GitHubNotFoundError(request.repository, request.what.replace(/^(list|get|read) /, ""));
    if (status >= 500) return new GitHubUnavailableError(`HTTP ${status}`, method !== "GET");
    return new GitHubRequestError(status, request.what, message);
  }

  /** A primary or secondary limit, recorded as a block (and stored) so nothing asks again too soon. */
  async #limited(response: Response, message: string): Promise<GitHubRateLimitError | undefined> {
    const now = this.#now();
    const rate = this.#options.rate;
    const retryAfter = Number(response.headers.get("retry-after"));
    const secondaryMessage = /secondary rate limit|abuse/i.test(message);
    let block;
    if (response.headers.get("retry-after") !== null && Number.isFinite(retryAfter)) {
      block = rate.blockUntil(
        now + Math.max(1, retryAfter) * 1000,
        "secondary",
        "GitHub asked Tabclaw to slow down (a secondary rate limit).",
      );
    } else if (response.headers.get("x-ratelimit-remaining") === "0") {
      const reset = rate.primary?.resetAt ?? now + 60_000;
      block = rate.blockUntil(
        Math.max(reset, now + 1000),
        "primary",
        "GitHub's hourly request limit for this token is spent.",
      );
    } else if (secondaryMessage || response.status === 429) {
      block = rate.blockUntil(
        now + rate.secondaryBackoff(),
        "secondary",
        "GitHub asked Tabclaw to slow down (a secondary rate limit).",
      );
    } else {
      return undefined;
    }
    await this.#options.state.set(RATE_STATE_KEY, rate.toStored());
    return new GitHubRateLimitError(block.kind, block.until, block.detail);
  }
}
