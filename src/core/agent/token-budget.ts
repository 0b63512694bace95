import { formatDuration } from "../format";
import { assertTimeZone, dayKey, formatLocalTime, nextDayStart } from "./local-day";

/** The routine name interactive chat is accounted under. */
export const CHAT_ROUTINE = "chat";

export interface BudgetLimits {
  /** Everything together, per day. */
  totalPerDay: number;
  /** Interactive chat, per day. */
  chatPerDay: number;
  /** Each background routine (triage, deploy watch, digest, dreaming), per day. */
  routinePerDay: number;
  /** Overrides for named routines. */
  perRoutine: Readonly<Record<string, number>>;
}

export const DEFAULT_BUDGET_LIMITS: BudgetLimits = {
  totalPerDay: 200_000,
  chatPerDay: 150_000,
  routinePerDay: 20_000,
  perRoutine: {},
};

/** Serialisable state of one day's spending, for the store that persists it. */
export interface BudgetLedger {
  /** `YYYY-MM-DD` in the user's time zone. */
  day: string;
  /** Tokens (prompt + completion) per routine. */
  used: Readonly<Record<string, number>>;
}

export interface BudgetRefusal {
  budget: "total" | "routine";
  routine: string;
  limit: number;
  used: number;
  remaining: number;
  requested: number;
  /** Milliseconds since the epoch: the start of the next day in the user's zone. */
  resetsAt: number;
  /** What happened, how much is left, and when it resets, for the user. */
  message: string;
}

export type BudgetCheck = { ok: true; remaining: number } | { ok: false; refusal: BudgetRefusal };

/** The budget as one routine sees it: what the agent loop is given. */
export interface BudgetGuard {
  check(estimatedTokens: number): BudgetCheck;
  record(tokens: number): void;
}

export interface TokenBudgetOptions {
  /** IANA zone whose midnight starts a new budget day, e.g. "Europe/Berlin". */
  timeZone: string;
  now: () => number;
  limits?: Partial<BudgetLimits>;
  /** A ledger restored from storage; ignored if it is from another day. */
  ledger?: BudgetLedger;
}

const count = (tokens: number): string => Math.round(tokens).toLocaleString("en-US");

function assertLimit(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`Budget limit ${name} must be a number ≥ 0.`);
}

/**
 * A daily token ledger: per-routine and total limits, a day that starts at midnight in the
 * user's zone, and refusals that say which budget, how much is left and when it resets.
 * Clock and zone are injected, so it is deterministic in tests.
 */
export class TokenBudget {
  readonly #limits: BudgetLimits;
  readonly #timeZone: string;
  readonly #now: () => number;
  #ledger: BudgetLedger;

  constructor(options: TokenBudgetOptions) {
    assertTimeZone(options.timeZone);
    this.#limits = { ...DEFAULT_BUDGET_LIMITS, ...options.limits };
    assertLimit("totalPerDay", this.#limits.totalPerDay);
    assertLimit("chatPerDay", this.#limits.chatPerDay);
    assertLimit("routinePerDay", this.#limits.routinePerDay);
    for (const [routine, limit] of Object.entries(this.#limits.perRoutine)) assertLimit(routine, limit);
    this.#timeZone = options.timeZone;
    this.#now = options.now;
    this.#ledger = options.ledger ?? { day: "", used: {} };
  }

  limitFor(routine: string): number {
    if (Object.hasOwn(this.#limits.perRoutine, routine)) return this.#limits.perRoutine[routine] ?? 0;
    return routine === CHAT_ROUTINE ? this.#limits.chatPerDay : this.#limits.routinePerDay;
  }

  /** Tokens spent today by `routine`, or by everything when no routine is given. */
  usedToday(routine?: string): number {
    const used = this.#today().used;
    if (routine !== undefined) return used[routine] ?? 0;
    return Object.values(used).reduce((sum, tokens) => sum + tokens, 0);
  }

  /** Whether `routine` may spend about `estimatedTokens` more today. */
  check(routine: string, estimatedTokens: number): BudgetCheck {
    const requested = Math.max(0, Math.ceil(estimatedTokens));
    const routineLimit = this.limitFor(routine);
    const routineUsed = this.usedToday(routine);
    const totalLimit = this.#limits.totalPerDay;
    const totalUsed = this.usedToday();
    const routineLeft = Math.max(0, routineLimit - routineUsed);
    const totalLeft = Math.max(0, totalLimit - totalUsed);
    const remaining = Math.min(routineLeft, totalLeft);
    if (remaining > 0 && requested <= remaining) return { ok: true, remaining };
    // Name the budget that binds: the one with less left (the routine's on a tie, as more specific).
    const isTotal = totalLeft < routineLeft;
    return {
      ok: false,
      refusal: this.#refusal(
        isTotal ? "total" : "routine",
        routine,
        isTotal ? totalLimit : routineLimit,
        isTotal ? totalUsed : routineUsed,
        requested,
      ),
    };
  }

  record(routine: string, tokens: number): void {
    if (!Number.isFinite(tokens) || tokens <= 0) return;
    const today = this.#today();
    this.#ledger = {
      day: today.day,
      used: { ...today.used, [routine]: (today.used[routine] ?? 0) + Math.ceil(tokens) },
    };
  }

  /** A copy of today's ledger, for persisting. */
  ledger(): BudgetLedger {
    const today = this.#today();
    return { day: today.day, used: { ...today.used } };
  }

  /** The budget bound to one routine, as the agent loop takes it. */
  guard(routine: string): BudgetGuard {
    return {
      check: (estimatedTokens) => this.check(routine, estimatedTokens),
      record: (tokens) => this.record(routine, tokens),
    };
  }

  #today(): BudgetLedger {
    const day = dayKey(this.#now(), this.#timeZone);
    if (this.#ledger.day !== day) this.#ledger = { day, used: {} };
    return this.#ledger;
  }

  #refusal(
    budget: BudgetRefusal["budget"],
    routine: string,
    limit: number,
    used: number,
    requested: number,
  ): BudgetRefusal {
    const now = this.#now();
    const resetsAt = nextDayStart(now, this.#timeZone);
    const remaining = Math.max(0, limit - used);
    const which =
      budget === "total"
        ? "the total daily token budget"
        : routine === CHAT_ROUTINE
          ? "the daily token budget for chat"
          : `the daily token budget for the "${routine}" routine`;
    const message =
      `Stopped: ${which} would be exceeded. ${count(used)} of ${count(limit)} tokens used today, ` +
      `${count(remaining)} left; the next step needs about ${count(requested)}. ` +
      `It resets at ${formatLocalTime(resetsAt, this.#timeZone)} (${this.#timeZone}), ` +
      `in ${formatDuration((resetsAt - now) / 1000)}.`;
    return { budget, routine, limit, used, remaining, requested, resetsAt, message };
  }
}
