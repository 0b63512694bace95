/**
 * What Tabclaw knows of its GitHub limits, kept between requests by the connector: the primary
 * limit from the last `x-ratelimit-*` headers, and a block (a spent hour, or a secondary limit
 * GitHub asked it to respect) during which no request leaves at all. GitHub warns that requests
 * made while limited can get an integration banned, so a block is stored and survives a reload.
 */

export interface PrimaryLimit {
  limit: number;
  remaining: number;
  used: number;
  /** Milliseconds since the epoch (GitHub sends seconds). */
  resetAt: number;
  resource: string;
}

export interface RateBlock {
  until: number;
  kind: "primary" | "secondary";
  detail: string;
}

export interface StoredRateState {
  primary?: PrimaryLimit;
  block?: RateBlock;
  secondaryStrikes: number;
}

/** Without `retry-after`, GitHub asks to wait at least a minute, longer each time it happens again. */
export const SECONDARY_BACKOFF_MS = 60_000;
export const SECONDARY_BACKOFF_MAX_MS = 16 * 60_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPrimary(value: unknown): value is PrimaryLimit {
  return (
    isRecord(value) &&
    ["limit", "remaining", "used", "resetAt"].every((key) => typeof value[key] === "number") &&
    typeof value.resource === "string"
  );
}

function isBlock(value: unknown): value is RateBlock {
  return (
    isRecord(value) &&
    typeof value.until === "number" &&
    (value.kind === "primary" || value.kind === "secondary") &&
    typeof value.detail === "string"
  );
}

export function isStoredRateState(value: unknown): value is StoredRateState {
  return (
    isRecord(value) &&
    typeof value.secondaryStrikes === "number" &&
    (value.primary === undefined || isPrimary(value.primary)) &&
    (value.block === undefined || isBlock(value.block))
  );
}

function headerNumber(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === "") return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

export class GitHubRateState {
  primary: PrimaryLimit | undefined;
  block: RateBlock | undefined;
  secondaryStrikes = 0;

  static restore(stored: StoredRateState | undefined): GitHubRateState {
    const state = new GitHubRateState();
    if (stored) {
      state.primary = stored.primary;
      state.block = stored.block;
      state.secondaryStrikes = stored.secondaryStrikes;
    }
    return state;
  }

  toStored(): StoredRateState {
    return {
      ...(this.primary ? { primary: { ...this.primary } } : {}),
      ...(this.block ? { block: { ...this.block } } : {}),
      secondaryStrikes: this.secondaryStrikes,
    };
  }

  /** Reads the `x-ratelimit-*` headers of any response (a 304 carries them too). */
  observe(headers: Headers): void {
    const limit = headerNumber(headers, "x-ratelimit-limit");
    const remaining = headerNumber(headers, "x-ratelimit-remaining");
    const reset = headerNumber(headers, "x-ratelimit-reset");
    if (limit === undefined || remaining === undefined || reset === undefined) return;
    this.primary = {
      limit,
      remaining,
      used: headerNumber(headers, "x-ratelimit-used") ?? limit - remaining,
      resetAt: reset * 1000,
      resource: headers.get("x-ratelimit-resource") ?? "core",
    };
  }

  /** The block in force at `now`, if any. */
  blockedAt(now: number): RateBlock | undefined {
    return this.block && this.block.until > now ? this.block : undefined;
  }

  /** Requests left of the hour, when known and the hour has not reset since. */
  remainingAt(now: number): number | undefined {
    if (!this.primary || this.primary.resetAt <= now) return undefined;
    return this.primary.remaining;
  }

  blockUntil(until: number, kind: RateBlock["kind"], detail: string): RateBlock {
    this.block = { until, kind, detail };
    return this.block;
  }

  /** A secondary limit without `retry-after`: a minute, doubled each time in a row, at most 16. */
  secondaryBackoff(): number {
    const wait = Math.min(SECONDARY_BACKOFF_MAX_MS, SECONDARY_BACKOFF_MS * 2 ** this.secondaryStrikes);
    this.secondaryStrikes += 1;
    return wait;
  }

  /** A request went through: the next secondary limit starts again from a minute. */
  succeeded(): void {
    this.secondaryStrikes = 0;
  }
}
