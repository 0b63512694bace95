/**
 * Keeps Tabclaw under Slack's rate limits before Slack has to say so. Each Web API method is in a
 * tier with a per-minute allowance (Tier 1: 1, Tier 2: 20, Tier 3: 50, Tier 4: 100: the low end of
 * what Slack documents, so the pace holds on every plan), and chat.postMessage is limited to one
 * message a second per channel. Calls wait for a free slot in a sliding minute; a `Retry-After`
 * from Slack blocks the method until it has passed. Time and sleeping are injected for tests.
 */

export type SlackTier = 1 | 2 | 3 | 4;

/** The tier of each method Tabclaw calls, from each method's reference page on docs.slack.dev. */
export const SLACK_METHOD_TIERS: Readonly<Record<string, SlackTier>> = {
  "auth.test": 4,
  "auth.revoke": 3,
  "conversations.list": 2,
  "conversations.history": 3,
  "conversations.replies": 3,
  "conversations.info": 3,
  "users.info": 4,
  "search.messages": 2,
  // Special: one a second per channel, paced apart below; the minute allowance is a ceiling.
  "chat.postMessage": 3,
};

const PER_MINUTE: Record<SlackTier, number> = { 1: 1, 2: 20, 3: 50, 4: 100 };
const MINUTE_MS = 60_000;
const POST_INTERVAL_MS = 1_000;
/** A method Tabclaw has no tier for is treated as the strictest common tier. */
const UNKNOWN_TIER: SlackTier = 2;

export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class SlackPacer {
  readonly #clock: PacerClock;
  readonly #calls = new Map<string, number[]>();
  readonly #blockedUntil = new Map<string, number>();
  /** How long the pacer has made calls wait, in total (for tests and figures). */
  waitedMs = 0;

  constructor(clock: PacerClock = REAL_CLOCK) {
    this.#clock = clock;
  }

  /** The per-minute allowance the pacer keeps to for `method`. */
  static allowance(method: string): number {
    return PER_MINUTE[SLACK_METHOD_TIERS[method] ?? UNKNOWN_TIER];
  }

  /** How long a call to `method` (to `channel`, for a post) would wait now, without taking a slot. */
  delayFor(method: string, channel?: string): number {
    const now = this.#clock.now();
    let delay = Math.max(0, (this.#blockedUntil.get(method) ?? 0) - now);
    const recent = this.#recent(method, now, MINUTE_MS);
    const allowance = SlackPacer.allowance(method);
    if (recent.length >= allowance)
      delay = Math.max(delay, (recent[recent.length - allowance] ?? now) + MINUTE_MS - now);
    if (method === "chat.postMessage" && channel !== undefined) {
      const last = this.#recent(`${method}:${channel}`, now, POST_INTERVAL_MS).at(-1);
      if (last !== undefined) delay = Math.max(delay, last + POST_INTERVAL_MS - now);
    }
    return delay;
  }

  /** Waits until a call to `method` fits the pace, then counts it. */
  async take(method: string, channel?: string): Promise<void> {
    for (let delay = this.delayFor(method, channel); delay > 0; delay = this.delayFor(method, channel)) {
      this.waitedMs += delay;
      await this.#clock.sleep(delay);
    }
    const now = this.#clock.now();
    this.#record(method, now);
    if (method === "chat.postMessage" && channel !== undefined) this.#record(`${method}:${channel}`, now);
  }

  /** Slack said `Retry-After: seconds` for `method`: no call to it before then. */
  backOff(method: string, seconds: number): void {
    const until = this.#clock.now() + seconds * 1000;
    this.#blockedUntil.set(method, Math.max(until, this.#blockedUntil.get(method) ?? 0));
  }

  #recent(key: string, now: number, windowMs: number): number[] {
    const kept = (this.#calls.get(key) ?? []).filter((at) => at > now - windowMs);
    this.#calls.set(key, kept);
    return kept;
  }

  #record(key: string, now: number): void {
    this.#calls.set(key, [...(this.#calls.get(key) ?? []), now]);
  }
}
