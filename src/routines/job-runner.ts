import type { JobRecord, JobRunRecord, RunTrigger } from "../store/job-record";
import type { Clock } from "./clock";
import { dueRuns, nextJobSlot } from "./due-runs";
import { jobLockName, type JobLocks } from "./job-lock";

/** What a routine reports back; the runner adds the times and the outcomes it decides itself. */
export interface RoutineResult {
  /** `failed` lets a routine that spent tokens before failing keep them on the record (throwing loses them). */
  outcome: "ran" | "nothing-new" | "skipped" | "failed";
  tokens?: number;
  itemsFound?: number;
  message?: string;
  /**
   * The run did what it could without a model and left the rest for one (mail triage files what its
   * rules decide and leaves the others): the scheduler runs the job again once a model loads.
   */
  modelWanted?: boolean;
}

export interface RoutineContext {
  /** Aborted when the watchdog gives up on the run; a routine should stop its model call then. */
  signal: AbortSignal;
  job: Readonly<JobRecord>;
  run: Readonly<JobRunRecord>;
}

/** The program a job runs. Throwing records the run as failed. */
export type Routine = (context: RoutineContext) => Promise<RoutineResult>;

/** Where runs are recorded: `JobStore` in the app. */
export interface RunLedger {
  getJob(id: string): Promise<JobRecord | undefined>;
  /** Writes the running record and the job's new last and next run, together. */
  startRun(run: JobRunRecord, job: JobRecord): Promise<void>;
  /** Writes the finished record and the job's last outcome. */
  finishRun(run: JobRunRecord): Promise<void>;
}

export type RunAttempt =
  | { status: "done"; run: JobRunRecord }
  /** Already running, in this tab or another. */
  | { status: "busy" }
  /** Nothing to run (another tab may just have run it), or the job is off. */
  | { status: "not-due" }
  | { status: "missing" };

/** A slot run later than this after its time is a catch-up (the app was closed or asleep). */
export const CATCH_UP_AFTER_MS = 60_000;

export interface JobRunnerOptions {
  clock: Clock;
  locks: JobLocks;
  ledger: RunLedger;
  newId?: () => string;
}

/**
 * Runs jobs once each: never twice at the same time, and never twice for the same slot.
 *
 * The in-memory set stops a second call in this tab before it awaits anything; the lock stops
 * other tabs. Due-ness is checked again after the lock is held, against the stored job, because
 * another tab may have run the slot between our tick and our lock. Every run has a watchdog: at
 * the job's `timeoutMs` the run is recorded as timed out, its signal aborted and its lock released,
 * whatever the routine's promise still does.
 */
export class JobRunner {
  readonly #running = new Set<string>();
  readonly #clock: Clock;
  readonly #locks: JobLocks;
  readonly #ledger: RunLedger;
  readonly #newId: () => string;

  constructor(options: JobRunnerOptions) {
    this.#clock = options.clock;
    this.#locks = options.locks;
    this.#ledger = options.ledger;
    this.#newId = options.newId ?? (() => crypto.randomUUID());
  }

  /** Whether this tab is running the job now. */
  isRunning(jobId: string): boolean {
    return this.#running.has(jobId);
  }

  /** Runs the job if a slot is due (once, however many were missed). */
  runIfDue(jobId: string, routine: Routine): Promise<RunAttempt> {
    return this.#attempt(jobId, routine, "schedule");
  }

  /**
   * Runs the job now, unless it is already running: at the user's request (`manual`), or as the
   * scheduler's retry of a slot that was skipped (no model was loaded then), recorded as `catch-up`.
   */
  runNow(jobId: string, routine: Routine, trigger: "manual" | "catch-up" = "manual"): Promise<RunAttempt> {
    return this.#attempt(jobId, routine, trigger);
  }

  async #attempt(jobId: string, routine: Routine, trigger: RunTrigger): Promise<RunAttempt> {
    if (this.#running.has(jobId)) return { status: "busy" };
    this.#running.add(jobId);
    let release = (): void => undefined;
    try {
      const lock = await this.#locks.tryAcquire(jobLockName(jobId));
      if (!lock) return { status: "busy" };
      release = () => lock.release();
      const job = await this.#ledger.getJob(jobId);
      if (!job) return { status: "missing" };
      const startedAt = this.#clock.now();
      let run: JobRunRecord;
      let nextRunAt: number | undefined;
      if (trigger !== "schedule") {
        run = this.#newRun(job, trigger, startedAt, undefined, 0);
        nextRunAt = job.enabled ? nextJobSlot(job, startedAt) : undefined;
      } else {
        const due = dueRuns(job, startedAt);
        if (!due.due || due.slot === undefined) return { status: "not-due" };
        const late = due.missedSlots > 0 || startedAt - due.slot > CATCH_UP_AFTER_MS;
        run = this.#newRun(job, late ? "catch-up" : "schedule", startedAt, due.slot, due.missedSlots);
        nextRunAt = due.next;
      }
      const started: JobRecord = { ...job, lastRunAt: startedAt };
      if (nextRunAt === undefined) delete started.nextRunAt;
      else started.nextRunAt = nextRunAt;
      await this.#ledger.startRun(run, started);
      const finished = await this.#supervise(job, run, routine);
      await this.#ledger.finishRun(finished);
      return { status: "done", run: finished };
    } finally {
      release();
      this.#running.delete(jobId);
    }
  }

  #newRun(job: JobRecord, trigger: RunTrigger, startedAt: number, slot: number | undefined, missed: number) {
    const run: JobRunRecord = {
      id: this.#newId(),
      jobId: job.id,
      routine: job.routine,
      trigger,
      missedSlots: missed,
      startedAt,
      outcome: "running",
      tokens: 0,
      itemsFound: 0,
    };
    if (slot !== undefined) run.slot = slot;
    return run;
  }

  /** The routine raced against its watchdog; never throws. */
  async #supervise(job: JobRecord, run: JobRunRecord, routine: Routine): Promise<JobRunRecord> {
    const controller = new AbortController();
    let timer: { cancel(): void } | undefined;
    const watchdog = new Promise<"timed-out">((resolve) => {
      timer = this.#clock.setTimer(() => resolve("timed-out"), job.timeoutMs);
    });
    let work: Promise<RoutineResult | { error: unknown }>;
    try {
      work = routine({ signal: controller.signal, job, run }).catch((error: unknown) => ({ error }));
    } catch (error) {
      // A routine that throws before returning its promise.
      work = Promise.resolve({ error });
    }
    const result = await Promise.race([work, watchdog]);
    timer?.cancel();
    const finishedAt = this.#clock.now();
    if (result === "timed-out") {
      controller.abort(new Error("The run took longer than its time limit."));
      return {
        ...run,
        outcome: "timed-out",
        finishedAt,
        message: `Stopped after ${Math.round(job.timeoutMs / 1000)} s without finishing.`,
      };
    }
    if ("error" in result) {
      const error =
        result.error instanceof Error
          ? { name: result.error.name, message: result.error.message }
          : { name: "Error", message: String(result.error) };
      return { ...run, outcome: "failed", finishedAt, error, message: error.message };
    }
    const finished: JobRunRecord = {
      ...run,
      outcome: result.outcome,
      finishedAt,
      tokens: result.tokens ?? 0,
      itemsFound: result.itemsFound ?? 0,
    };
    if (result.message !== undefined) finished.message = result.message;
    return finished;
  }
}
