import { dayKey } from "../core/agent/local-day";
import { TokenBudget, type BudgetCheck } from "../core/agent/token-budget";
import type { ChatUsage } from "../engine/chat-engine";
import { appendAuditEntry } from "./audit-log";
import type { Database } from "./database";
import { readSetting } from "./settings-store";
import type { UsageOutcome, UsageRecord } from "./usage-record";

/** What the engine side reports after each model call. */
export interface ModelCallReport {
  routine: string;
  modelId: string;
  usage: Pick<ChatUsage, "promptTokens" | "completionTokens">;
  /** True when the engine reported no usage and `usage` is an estimate. */
  estimated?: boolean;
  latencyMs: number;
  outcome: UsageOutcome;
}

export interface UsageRecorderOptions {
  /** IANA zone whose midnight starts a budget day; the device's zone by default. */
  timeZone?: string;
  now?: () => number;
}

function nonNegative(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * The budget's persistence: records each model call and adds it to the day's ledger in one
 * transaction, and checks a planned call against the stored ledger and the limits in settings.
 * The arithmetic is `TokenBudget`'s; this only loads and saves it. Usable from the page and from
 * a worker, since both reach the same IndexedDB.
 */
export class UsageRecorder {
  readonly #db: Database;
  readonly #timeZone: string;
  readonly #now: () => number;

  constructor(db: Database, options: UsageRecorderOptions = {}) {
    this.#db = db;
    this.#timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    this.#now = options.now ?? (() => Date.now());
  }

  async record(call: ModelCallReport): Promise<UsageRecord> {
    const at = this.#now();
    const record: UsageRecord = {
      at,
      routine: call.routine,
      modelId: call.modelId,
      promptTokens: nonNegative(call.usage.promptTokens),
      completionTokens: nonNegative(call.usage.completionTokens),
      estimated: call.estimated ?? false,
      latencyMs: nonNegative(call.latencyMs),
      outcome: call.outcome,
    };
    const tx = this.#db.transaction(["usage", "budgets"], "readwrite");
    await tx.objectStore("usage").add(record);
    const budgets = tx.objectStore("budgets");
    const ledger = await budgets.get(dayKey(at, this.#timeZone));
    const budget = new TokenBudget({ timeZone: this.#timeZone, now: () => at, ...(ledger ? { ledger } : {}) });
    budget.record(call.routine, record.promptTokens + record.completionTokens);
    await budgets.put(budget.ledger());
    await tx.done;
    return record;
  }

  /** Today's ledger under the limits in settings; for the agent loop's synchronous `guard(routine)`. */
  async budget(): Promise<TokenBudget> {
    const now = this.#now();
    const tx = this.#db.transaction(["settings", "budgets"]);
    const limits = await readSetting(tx.objectStore("settings"), "budgetLimits");
    const ledger = await tx.objectStore("budgets").get(dayKey(now, this.#timeZone));
    await tx.done;
    return new TokenBudget({ timeZone: this.#timeZone, now: this.#now, limits, ...(ledger ? { ledger } : {}) });
  }

  /** Whether `routine` may spend about `estimatedTokens` more today; a refusal is audited. */
  async checkBudget(routine: string, estimatedTokens: number): Promise<BudgetCheck> {
    const check = (await this.budget()).check(routine, estimatedTokens);
    if (!check.ok) {
      const { budget, limit, used, requested } = check.refusal;
      const tx = this.#db.transaction("audit", "readwrite");
      await appendAuditEntry(tx.store, { kind: "budget", routine, budget, limit, used, requested }, this.#now());
      await tx.done;
    }
    return check;
  }
}
