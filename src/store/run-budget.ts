import type { EngineCallReport } from "../core/agent/agent-loop";
import type { BudgetCheck, BudgetGuard } from "../core/agent/token-budget";
import { appendAuditEntry } from "./audit-log";
import type { Database } from "./database";
import { UsageRecorder, type UsageRecorderOptions } from "./usage-recorder";

/**
 * The budget of one agent run, where the engine is called (the agent worker): checks are
 * synchronous against today's ledger as loaded at the start, every engine call is recorded in the
 * usage store and the stored ledger, and a refusal is audited. Writes are queued; `settled()`
 * waits for them before the run reports that it is done.
 */
export class RunBudget {
  readonly guard: BudgetGuard;
  readonly #db: Database;
  readonly #recorder: UsageRecorder;
  readonly #routine: string;
  readonly #modelId: string;
  readonly #now: () => number;
  #writes: Promise<unknown> = Promise.resolve();
  #failure: Error | undefined;

  private constructor(
    db: Database,
    recorder: UsageRecorder,
    guard: BudgetGuard,
    routine: string,
    modelId: string,
    now: () => number,
  ) {
    this.#db = db;
    this.#recorder = recorder;
    this.#routine = routine;
    this.#modelId = modelId;
    this.#now = now;
    this.guard = {
      check: (estimatedTokens) => this.#check(guard.check(estimatedTokens)),
      record: (tokens) => guard.record(tokens),
    };
  }

  static async open(
    db: Database,
    routine: string,
    modelId: string,
    options: UsageRecorderOptions = {},
  ): Promise<RunBudget> {
    const recorder = new UsageRecorder(db, options);
    const budget = await recorder.budget();
    return new RunBudget(db, recorder, budget.guard(routine), routine, modelId, options.now ?? (() => Date.now()));
  }

  /** Records one engine call; the stored ledger is what later runs (and other tabs) check against. */
  report(call: EngineCallReport): void {
    this.#queue(() =>
      this.#recorder.record({
        routine: this.#routine,
        modelId: this.#modelId,
        usage: { promptTokens: call.promptTokens, completionTokens: call.completionTokens },
        estimated: call.estimated,
        latencyMs: call.latencyMs,
        outcome: call.outcome,
      }),
    );
  }

  /** Waits for every queued write; rejects with the first that failed (a full disk, say). */
  async settled(): Promise<void> {
    await this.#writes;
    if (this.#failure) throw this.#failure;
  }

  #check(check: BudgetCheck): BudgetCheck {
    if (!check.ok) {
      const { budget, limit, used, requested } = check.refusal;
      const routine = this.#routine;
      this.#queue(async () => {
        const tx = this.#db.transaction("audit", "readwrite");
        await appendAuditEntry(tx.store, { kind: "budget", routine, budget, limit, used, requested }, this.#now());
        await tx.done;
      });
    }
    return check;
  }

  #queue(write: () => Promise<unknown>): void {
    this.#writes = this.#writes.then(write).catch((error: unknown) => {
      this.#failure ??= error instanceof Error ? error : new Error(String(error));
    });
  }
}
