import { SlackOAuthError } from "../../auth/slack-oauth-error";
import { slackTokenNeedsRefresh } from "../../auth/slack-token-expiry";
import type { StoredToken } from "../../auth/token-vault";
import type { FetchFunction } from "../../gate/audited-fetch";
import { ReconnectNeededError } from "./slack-errors";

/** Where the Slack token lives: the token vault's `slack` entry in the app. */
export interface SlackTokenStore {
  get(): StoredToken | undefined;
  set(token: StoredToken): Promise<void>;
  remove(): Promise<void>;
}

/** Runs `work` while no other tab refreshes the Slack token (refresh tokens are single-use). */
export type RefreshLock = <T>(work: () => Promise<T>) => Promise<T>;

/** Web Locks where the browser has them; otherwise one at a time in this realm. */
export function defaultRefreshLock(): RefreshLock {
  let chain: Promise<unknown> = Promise.resolve();
  const local: RefreshLock = (work) => {
    const next = chain.then(work);
    chain = next.catch(() => undefined);
    return next;
  };
  const locks = typeof navigator === "undefined" ? undefined : navigator.locks;
  if (!locks) return local;
  return (work) => locks.request("tabclaw-slack-token-refresh", work);
}

export interface SlackSessionOptions {
  store: SlackTokenStore;
  /** The Slack app's client ID (the setting, or the build's); needed to refresh. */
  clientId: () => Promise<string | undefined>;
  now?: () => number;
  lock?: RefreshLock;
}

/**
 * The Slack sign-in as connectors use it: an access token that is refreshed shortly before it
 * expires (token rotation), with the new refresh token stored before anything else happens, since
 * the old one is spent. A token Slack no longer takes means the user must connect again.
 */
export class SlackSession {
  readonly #store: SlackTokenStore;
  readonly #clientId: () => Promise<string | undefined>;
  readonly #now: () => number;
  readonly #lock: RefreshLock;

  constructor(options: SlackSessionOptions) {
    this.#store = options.store;
    this.#clientId = options.clientId;
    this.#now = options.now ?? (() => Date.now());
    this.#lock = options.lock ?? defaultRefreshLock();
  }

  /** Whether a token is there (the Gate's "connected"). */
  connected(): boolean {
    return this.#store.get() !== undefined;
  }

  /** The stored token's scopes: what Slack granted. */
  scopes(): string[] {
    return this.#store.get()?.scopes ?? [];
  }

  /** An access token good for the next few minutes, refreshed first if it is about to expire. */
  async accessToken(fetch: FetchFunction): Promise<string> {
    const token = this.#current();
    if (!slackTokenNeedsRefresh(token, this.#now())) return token.accessToken;
    return (await this.#refresh(fetch, token.accessToken)).accessToken;
  }

  /** Slack said the token expired (a clock that runs slow): refresh now, whatever `expiresAt` says. */
  async refreshAfterExpiry(fetch: FetchFunction, expired: string): Promise<string> {
    return (await this.#refresh(fetch, expired)).accessToken;
  }

  #current(): StoredToken {
    const token = this.#store.get();
    if (!token) throw new ReconnectNeededError("Slack is not connected.");
    return token;
  }

  async #refresh(fetch: FetchFunction, seen: string): Promise<StoredToken> {
    return this.#lock(async () => {
      const token = this.#current();
      // Another call (or tab) refreshed while this one waited for the lock.
      if (token.accessToken !== seen && !slackTokenNeedsRefresh(token, this.#now())) return token;
      if (token.refreshToken === undefined) {
        throw new ReconnectNeededError("The Slack sign-in has expired and Slack gave no way to renew it.");
      }
      const clientId = await this.#clientId();
      if (clientId === undefined || clientId === "") {
        throw new ReconnectNeededError("The Slack client ID is missing, so the sign-in cannot be renewed.");
      }
      let fresh: StoredToken;
      try {
        // The OAuth code is loaded for the first refresh, not with the page.
        const { refreshSlackToken } = await import("../../auth/slack-oauth");
        fresh = await refreshSlackToken({ clientId, previous: token, fetch, now: this.#now() });
      } catch (error) {
        if (
          error instanceof SlackOAuthError &&
          (error.code === "invalid_refresh_token" || error.code === "invalid_grant")
        ) {
          throw new ReconnectNeededError("Slack no longer accepts the saved sign-in (it expired or was revoked).");
        }
        throw error;
      }
      await this.#store.set(fresh);
      return fresh;
    });
  }
}
