/**
 * Slack's rate limits as the fake enforces them: per method, per workspace, per minute, at the low
 * end of each documented tier (Tier 1: 1+, Tier 2: 20+, Tier 3: 50+, Tier 4: 100+ a minute), and
 * chat.postMessage's special limit of one message a second per channel. Past a limit the call is
 * answered 429 with `Retry-After` (seconds) and `{"ok":false,"error":"ratelimited"}`, as Slack does.
 * Source: https://docs.slack.dev/apis/web-api/rate-limits and each method's reference page.
 */

export type SlackTier = 1 | 2 | 3 | 4 | "special";

/** The tier each method the fake serves is in, from its reference page. */
export const METHOD_TIERS: Readonly<Record<string, SlackTier>> = {
  "auth.test": "special",
  "auth.revoke": 3,
  "conversations.list": 2,
  "conversations.history": 3,
  "conversations.replies": 3,
  "conversations.info": 3,
  "users.info": 4,
  "search.messages": 2,
  "chat.postMessage": "special",
  "oauth.v2.access": "special",
};

const PER_MINUTE: Record<Exclude<SlackTier, "special">, number> = { 1: 1, 2: 20, 3: 50, 4: 100 };

/** Special methods other than posting: generous, like Tier 4. */
const SPECIAL_PER_MINUTE = 100;
const MINUTE_MS = 60_000;
const SECOND_MS = 1_000;

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Window {
  limit: number;
  lengthMs: number;
  /** Times of the calls still inside the window, oldest first. */
  calls: number[];
}

export class FakeSlackRateLimits {
  readonly #windows = new Map<string, Window>();
  readonly #perMinute: Readonly<Record<string, number>>;
  readonly #scripted = new Map<string, number[]>();
  /** Every 429 the fake sent: method and the Retry-After it named. */
  readonly refusals: { method: string; retryAfterSeconds: number; at: number }[] = [];

  /** `perMinute` overrides a method's per-minute limit (tests use small ones to reach it quickly). */
  constructor(perMinute: Readonly<Record<string, number>> = {}) {
    this.#perMinute = perMinute;
  }

  /** The per-minute limit the fake applies to `method` (posting is per second, per channel). */
  limitOf(method: string): number {
    const override = this.#perMinute[method];
    if (override !== undefined) return override;
    const tier = METHOD_TIERS[method];
    if (tier === undefined || tier === "special") return SPECIAL_PER_MINUTE;
    return PER_MINUTE[tier];
  }

  /** The next call to `method` is refused with this Retry-After, whatever the counts (once per entry). */
  refuseNext(method: string, retryAfterSeconds: number): void {
    this.#scripted.set(method, [...(this.#scripted.get(method) ?? []), retryAfterSeconds]);
  }

  /** Counts the call if it is allowed; otherwise says how long to wait. */
  check(method: string, team: string, now: number, channel?: string): RateDecision {
    const scripted = this.#scripted.get(method);
    const forced = scripted?.shift();
    if (forced !== undefined) return this.#refuse(method, forced, now);
    const windows: Window[] = [this.#window(`${team}:${method}`, this.limitOf(method), MINUTE_MS)];
    if (method === "chat.postMessage" && channel !== undefined) {
      windows.push(this.#window(`${team}:${method}:${channel}`, 1, SECOND_MS));
    }
    let waitMs = 0;
    for (const window of windows) {
      while (window.calls.length > 0 && (window.calls[0] ?? 0) <= now - window.lengthMs) window.calls.shift();
      if (window.calls.length >= window.limit) {
        waitMs = Math.max(waitMs, (window.calls[0] ?? now) + window.lengthMs - now);
      }
    }
    if (waitMs > 0) return this.#refuse(method, Math.max(1, Math.ceil(waitMs / 1000)), now);
    for (const window of windows) window.calls.push(now);
    return { allowed: true };
  }

  #refuse(method: string, retryAfterSeconds: number, now: number): RateDecision {
    this.refusals.push({ method, retryAfterSeconds, at: now });
    return { allowed: false, retryAfterSeconds };
  }

  #window(key: string, limit: number, lengthMs: number): Window {
    let window = this.#windows.get(key);
    if (!window) {
      window = { limit, lengthMs, calls: [] };
      this.#windows.set(key, window);
    }
    return window;
  }
}
