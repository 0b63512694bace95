import { SlackOAuthError } from "../../auth/slack-oauth-error";
import type { FetchFunction } from "../../gate/audited-fetch";
import {
  ReconnectNeededError,
  ScopeNeededError,
  SlackApiError,
  SlackRateLimitError,
  SlackUnavailableError,
} from "./slack-errors";
import type { SlackPacer } from "./slack-pacer";
import type { SlackSession } from "./slack-session";

export const SLACK_API = "https://slack.com/api/";

/** Longer than this, a `Retry-After` is not waited out inside one action: the next run tries again. */
export const MAX_RETRY_AFTER_S = 60;
/** Rate-limited answers waited out per call before giving up. */
const MAX_RATE_LIMIT_WAITS = 3;
/** Network failures and 5xx answers retried per read (never for a post: it may have gone out). */
const MAX_SERVER_RETRIES = 2;
const SERVER_RETRY_BASE_MS = 1_000;

export type SlackArgs = Readonly<Record<string, string | number | boolean | undefined>>;
export type SlackResponse = Record<string, unknown>;

/** Slack errors that mean the sign-in itself is gone. */
const SIGNED_OUT = new Set(["invalid_auth", "not_authed", "token_revoked", "account_inactive", "no_permission"]);

export interface SlackCallOptions {
  /** False for calls that change something (a post): not retried after a failure that may have let it through. */
  idempotent?: boolean;
  /** The conversation a post goes to, for the one-a-second-per-channel pace. */
  channel?: string;
}

function retryAfterSeconds(response: Response): number {
  const value = Number(response.headers.get("retry-after"));
  // Slack always sends it with a 429; without one, wait out a whole minute window.
  return Number.isFinite(value) && value >= 0 ? Math.ceil(value) : MAX_RETRY_AFTER_S;
}

/**
 * Calls Slack's Web API the way a page must: `POST https://slack.com/api/<method>` with every
 * argument, the token included, in an `application/x-www-form-urlencoded` body and no custom
 * header, so the browser sends it as a CORS "simple request" without a preflight. Paced by tier,
 * honouring `Retry-After`, refreshing a rotating token before it expires, and turning Slack's
 * `ok: false` answers into errors that say what to do.
 */
export class SlackClient {
  readonly #fetch: FetchFunction;
  readonly #session: SlackSession;
  readonly #pacer: SlackPacer;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: {
    fetch: FetchFunction;
    session: SlackSession;
    pacer: SlackPacer;
    sleep?: (ms: number) => Promise<void>;
  }) {
    this.#fetch = options.fetch;
    this.#session = options.session;
    this.#pacer = options.pacer;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async call(method: string, args: SlackArgs = {}, options: SlackCallOptions = {}): Promise<SlackResponse> {
    const idempotent = options.idempotent ?? true;
    let rateWaits = 0;
    let serverRetries = 0;
    let refreshed = false;
    for (;;) {
      await this.#pacer.take(method, options.channel);
      const token = await this.#token();
      const body = new URLSearchParams();
      for (const [name, value] of Object.entries(args)) if (value !== undefined) body.set(name, String(value));
      body.set("token", token);

      let response: Response;
      try {
        response = await this.#fetch(`${SLACK_API}${method}`, { method: "POST", body });
      } catch (error) {
        if (!idempotent || serverRetries >= MAX_SERVER_RETRIES) {
          throw new SlackUnavailableError(
            `${method}: ${error instanceof Error ? error.message : String(error)}${idempotent ? "" : "; it may or may not have been posted, check Slack before trying again"}`,
          );
        }
        await this.#sleep(SERVER_RETRY_BASE_MS * 2 ** serverRetries++);
        continue;
      }

      if (response.status === 429) {
        const seconds = retryAfterSeconds(response);
        await response.body?.cancel();
        // A 429 means Slack did not run the call, so even a post may be sent again.
        if (seconds > MAX_RETRY_AFTER_S || rateWaits >= MAX_RATE_LIMIT_WAITS)
          throw new SlackRateLimitError(method, seconds);
        rateWaits += 1;
        this.#pacer.backOff(method, seconds);
        continue;
      }
      if (response.status >= 500) {
        await response.body?.cancel();
        if (!idempotent || serverRetries >= MAX_SERVER_RETRIES) {
          throw new SlackUnavailableError(
            `${method} answered HTTP ${response.status}${idempotent ? "" : "; check Slack before trying again"}`,
          );
        }
        await this.#sleep(SERVER_RETRY_BASE_MS * 2 ** serverRetries++);
        continue;
      }

      let json: unknown;
      try {
        json = await response.json();
      } catch {
        throw new SlackUnavailableError(`${method} answered HTTP ${response.status} with something that is not JSON`);
      }
      if (typeof json !== "object" || json === null || Array.isArray(json)) {
        throw new SlackUnavailableError(`${method} answered something that is not an object`);
      }
      const answer = json as SlackResponse;
      if (answer.ok === true) return answer;

      const code = typeof answer.error === "string" ? answer.error : "unknown_error";
      if (code === "token_expired" && !refreshed) {
        // Refused before it ran: safe to send again with a fresh token.
        refreshed = true;
        await this.#refresh(token);
        continue;
      }
      if (code === "token_expired") throw new ReconnectNeededError("The Slack sign-in has expired.");
      if (SIGNED_OUT.has(code)) throw new ReconnectNeededError(`Slack no longer accepts Tabclaw's sign-in (${code}).`);
      if (code === "missing_scope") {
        throw new ScopeNeededError(typeof answer.needed === "string" ? answer.needed : "an unknown scope");
      }
      if (code === "ratelimited") throw new SlackRateLimitError(method, MAX_RETRY_AFTER_S);
      throw new SlackApiError(method, code);
    }
  }

  async #token(): Promise<string> {
    try {
      return await this.#session.accessToken(this.#fetch);
    } catch (error) {
      throw this.#oauthProblem(error);
    }
  }

  async #refresh(expired: string): Promise<void> {
    try {
      await this.#session.refreshAfterExpiry(this.#fetch, expired);
    } catch (error) {
      throw this.#oauthProblem(error);
    }
  }

  /** A refresh that failed for a reason other than a spent token is a pause, not a sign-out. */
  #oauthProblem(error: unknown): unknown {
    if (!(error instanceof SlackOAuthError)) return error;
    if (error.code === "ratelimited") return new SlackRateLimitError("oauth.v2.access", MAX_RETRY_AFTER_S);
    if (error.code.startsWith("http_") || error.code === "not_json") return new SlackUnavailableError(error.message);
    return new ReconnectNeededError(error.message);
  }
}
