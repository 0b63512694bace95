/**
 * GitHub's limits as the fake keeps them, per token:
 * - primary: 5,000 points an hour for a personal access token; the hour starts at the first
 *   counted request and resets an hour later; a 304 answered to a correct `If-None-Match` and a
 *   `GET /rate_limit` cost nothing.
 * - secondary: more than 900 points in a minute, or whatever a test forces (`forceSecondary`),
 *   is answered 403 or 429, with `retry-after` when the test says so.
 */

export const PRIMARY_LIMIT = 5_000;
export const WINDOW_MS = 3_600_000;
export const SECONDARY_POINTS_PER_MINUTE = 900;

export interface CoreLimit {
  limit: number;
  used: number;
  remaining: number;
  /** Epoch seconds. */
  reset: number;
}

export interface ForcedSecondary {
  status: 403 | 429;
  /** Seconds; no `retry-after` header when omitted (the client must then back off a minute or more). */
  retryAfterSeconds?: number;
  /** How many requests in a row get it (1 by default). */
  requests?: number;
  /** How many requests go through first (0 by default). */
  after?: number;
}

interface Window {
  used: number;
  resetAt: number;
}

export class FakeRateLimits {
  readonly #now: () => number;
  readonly #windows = new Map<string, Window>();
  readonly #recent = new Map<string, number[]>();
  /** Forced answers in order; `undefined` lets one request through. */
  readonly #forced: (ForcedSecondary | undefined)[] = [];
  /** Points charged, per token, since the fake started (what the idle benchmark counts). */
  readonly charged = new Map<string, number>();
  limit = PRIMARY_LIMIT;

  constructor(now: () => number) {
    this.#now = now;
  }

  #window(token: string): Window {
    const now = this.#now();
    let window = this.#windows.get(token);
    if (!window || now >= window.resetAt) {
      window = { used: 0, resetAt: now + WINDOW_MS };
      this.#windows.set(token, window);
    }
    return window;
  }

  core(token: string): CoreLimit {
    const window = this.#window(token);
    return {
      limit: this.limit,
      used: window.used,
      remaining: Math.max(0, this.limit - window.used),
      reset: Math.ceil(window.resetAt / 1000),
    };
  }

  /** Whether the token's hour is spent. */
  exhausted(token: string): boolean {
    return this.core(token).remaining === 0;
  }

  /** Uses up the hour but `left` points (a test of running low). */
  spend(token: string, left = 0): void {
    this.#window(token).used = this.limit - left;
  }

  charge(token: string): void {
    this.#window(token).used += 1;
    this.charged.set(token, (this.charged.get(token) ?? 0) + 1);
    const now = this.#now();
    const recent = (this.#recent.get(token) ?? []).filter((at) => now - at < 60_000);
    recent.push(now);
    this.#recent.set(token, recent);
  }

  points(token: string): number {
    return this.charged.get(token) ?? 0;
  }

  forceSecondary(limit: ForcedSecondary): void {
    for (let index = 0; index < (limit.after ?? 0); index += 1) this.#forced.push(undefined);
    for (let index = 0; index < (limit.requests ?? 1); index += 1) this.#forced.push(limit);
  }

  /** The secondary limit this request meets, if any. */
  secondary(token: string): ForcedSecondary | undefined {
    if (this.#forced.length > 0) return this.#forced.shift();
    const now = this.#now();
    const recent = (this.#recent.get(token) ?? []).filter((at) => now - at < 60_000);
    return recent.length >= SECONDARY_POINTS_PER_MINUTE ? { status: 403, retryAfterSeconds: 60 } : undefined;
  }
}
