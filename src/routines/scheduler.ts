import type { JobRecord, JobRunRecord } from "../store/job-record";
import type { Clock, TimerHandle } from "./clock";
import { dueRuns } from "./due-runs";
import type { JobLocks } from "./job-lock";
import { JobRunner, type RunAttempt, type RunLedger, type Routine, type RoutineResult } from "./job-runner";
import type { CheckContext, ProposeAction, RoutineRegistry } from "./routine";

/** Where the scheduler reads jobs and records runs: `JobStore` in the app. */
export interface SchedulerLedger extends RunLedger {
  list(): Promise<JobRecord[]>;
  put(job: JobRecord, now: number): Promise<JobRecord>;
  resolveInterrupted(now: number): Promise<JobRunRecord[]>;
}

export interface SchedulerOptions {
  clock: Clock;
  locks: JobLocks;
  ledger: SchedulerLedger;
  routines: RoutineRegistry;
  /** The kill switch as stored (read at start; `setPaused` follows it afterwards). */
  isPaused: () => Promise<boolean>;
  /** Whether a model is loaded now. */
  modelLoaded: () => boolean;
  /** The page's Gate as it is now (the page hands it over when it starts the scheduler); routines get it in their context. */
  proposeAction?: () => ProposeAction | undefined;
  /** The default jobs: each one missing from the store is added at start (never replaced). */
  defaultJobs?: (now: number) => Promise<JobRecord[]>;
  /** Told after every finished run (the worker announces it to the page). */
  onRun?: (run: JobRunRecord) => void;
  /** Told when a tick could not read the jobs (the loop goes on at the next wake). */
  onError?: (error: unknown) => void;
  /** The longest sleep: a laptop waking or a clock change is noticed within this. */
  maxSleepMs?: number;
  newId?: () => string;
}

/** Sixty seconds: short enough to notice a sleep or a clock change, long enough to cost nothing. */
export const MAX_SLEEP_MS = 60_000;

export const PAUSED_MESSAGE = "Not run: Tabclaw is paused.";
export const PAUSED_WHILE_RUNNING_MESSAGE = "Stopped: Tabclaw was paused during the run.";
export const NO_MODEL_MESSAGE = "Not run: no model is loaded. It runs once one is.";

/** One tick's work: which jobs it started and how each attempt ended. */
export interface TickReport {
  at: number;
  attempts: { jobId: string; attempt: RunAttempt }[];
}

/**
 * The routines' loop, in the agent worker. On start it marks runs a closed tab left running as
 * interrupted, adds the default jobs that are missing, and ticks: every due job runs once (a
 * catch-up after a long gap is one run), then it sleeps until the next due time, at most
 * {@link MAX_SLEEP_MS}. A run first asks its routine's cheap check; nothing new means no model
 * call and 0 tokens. Paused (the kill switch), due runs are recorded skipped and running ones are
 * stopped; a run that needs the model and finds none is skipped and retried when a model loads.
 */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #runner: JobRunner;
  readonly #maxSleepMs: number;
  /** Jobs skipped for want of a model, retried when one loads. */
  readonly #waitingForModel = new Set<string>();
  /** Runs going on, aborted when the kill switch goes on. */
  readonly #running = new Set<AbortController>();
  #paused = false;
  #started: Promise<void> | undefined;
  #seeded: Promise<void> | undefined;
  #stopped = false;
  #timer: TimerHandle | undefined;
  #ticking: Promise<TickReport> | undefined;
  #again = false;
  /** When the current sleep ends, for tests and the bench. */
  #wakeAt: number | undefined;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#maxSleepMs = options.maxSleepMs ?? MAX_SLEEP_MS;
    this.#runner = new JobRunner({
      clock: options.clock,
      locks: options.locks,
      ledger: options.ledger,
      ...(options.newId ? { newId: options.newId } : {}),
    });
  }

  get paused(): boolean {
    return this.#paused;
  }

  get wakeAt(): number | undefined {
    return this.#wakeAt;
  }

  /**
   * Idempotent: the first call starts the loop, later ones wait for that start. Resolves when the
   * first tick's runs have ended (a caller that must not wait for them awaits `ready()`).
   */
  start(): Promise<void> {
    this.#started ??= this.#start();
    return this.#started;
  }

  /** Resolves once interrupted runs are resolved and the default jobs exist. */
  ready(): Promise<void> {
    void this.start();
    return this.#seeded ?? Promise.resolve();
  }

  async #start(): Promise<void> {
    const { ledger, clock } = this.#options;
    this.#seeded = (async () => {
      this.#paused = await this.#options.isPaused();
      await ledger.resolveInterrupted(clock.now());
      await this.seed();
    })();
    await this.#seeded;
    await this.tick();
  }

  /** Adds the default jobs that are missing; never changes a job the user has (idempotent). */
  async seed(): Promise<JobRecord[]> {
    const { ledger, clock, defaultJobs } = this.#options;
    if (!defaultJobs) return [];
    const now = clock.now();
    const existing = new Set((await ledger.list()).map((job) => job.id));
    const added: JobRecord[] = [];
    for (const job of await defaultJobs(now)) {
      if (existing.has(job.id)) continue;
      added.push(await ledger.put(job, now));
    }
    return added;
  }

  /**
   * Runs every due job (without waiting for long runs before planning the next wake) and sets the
   * timer. Ticks never overlap: a tick asked for during one runs right after it.
   */
  tick(): Promise<TickReport> {
    if (this.#stopped) return Promise.resolve({ at: this.#options.clock.now(), attempts: [] });
    if (this.#ticking) {
      this.#again = true;
      return this.#ticking;
    }
    const ticking = this.#tick().finally(() => {
      this.#ticking = undefined;
      if (this.#again) {
        this.#again = false;
        void this.tick();
      }
    });
    this.#ticking = ticking;
    return ticking;
  }

  async #tick(): Promise<TickReport> {
    const { ledger, clock } = this.#options;
    const now = clock.now();
    let jobs: JobRecord[];
    try {
      jobs = await ledger.list();
    } catch (error) {
      // A closed connection or a schema upgrade in another tab: try again at the next wake.
      this.#options.onError?.(error);
      this.#sleep(this.#maxSleepMs);
      return { at: now, attempts: [] };
    }
    const started: Promise<{ jobId: string; attempt: RunAttempt }>[] = [];
    let next = Infinity;
    for (const job of jobs) {
      if (!job.enabled) continue;
      const due = dueRuns(job, now);
      if (due.next !== undefined) next = Math.min(next, due.next);
      if (!due.due || this.#runner.isRunning(job.id)) continue;
      started.push(
        this.#runner.runIfDue(job.id, this.#routineFor(job.routine)).then(
          (attempt) => ({ jobId: job.id, attempt: this.#finished(attempt) }),
          (error: unknown) => {
            // The ledger failed around the run (the routine's own errors are recorded as failed runs).
            this.#options.onError?.(error);
            return { jobId: job.id, attempt: { status: "not-due" } as RunAttempt };
          },
        ),
      );
    }
    this.#sleep(next - now);
    return { at: now, attempts: await Promise.all(started) };
  }

  /** The page said jobs changed (added, edited, turned on or off): read them again. */
  jobsChanged(): Promise<TickReport> {
    return this.tick();
  }

  /** The kill switch moved. On: running runs stop. Off: what is due runs. */
  setPaused(paused: boolean): void {
    const was = this.#paused;
    this.#paused = paused;
    if (paused) for (const controller of this.#running) controller.abort(new Error(PAUSED_WHILE_RUNNING_MESSAGE));
    else if (was && this.#started) void this.tick();
  }

  /** A model loaded: jobs skipped for want of one run now (once each), then the usual tick. */
  async modelLoaded(): Promise<RunAttempt[]> {
    if (!this.#started) return [];
    const waiting = [...this.#waitingForModel];
    this.#waitingForModel.clear();
    const jobs = new Map((await this.#options.ledger.list()).map((job) => [job.id, job]));
    const attempts = await Promise.all(
      waiting.flatMap((jobId) => {
        const job = jobs.get(jobId);
        if (!job?.enabled) return [];
        return [this.#runner.runNow(jobId, this.#routineFor(job.routine), "catch-up").then((a) => this.#finished(a))];
      }),
    );
    void this.tick();
    return attempts;
  }

  /**
   * Runs a job now, at the user's request. `work`, if given, replaces the routine's run (the
   * worker's "Dream now" passes one that reports progress); the check is not asked: the user wants
   * it run. Paused, the run is recorded skipped.
   */
  async runNow(jobId: string, work?: Routine): Promise<RunAttempt> {
    const job = await this.#options.ledger.getJob(jobId);
    if (!job) return { status: "missing" };
    const routine = this.#options.routines.get(job.routine);
    const manual: Routine =
      work ??
      (async (context) => {
        if (!routine) return { outcome: "skipped", message: `No routine called "${job.routine}" is installed.` };
        const check = await routine.check(this.#checkContext(context.job));
        const result = await routine.run({
          ...this.#checkContext(context.job),
          signal: context.signal,
          found: check.kind === "new" ? check.items : 0,
        });
        return this.#noteModelWanted(context.job.id, result);
      });
    const attempt = await this.#runner.runNow(jobId, this.#guarded(manual));
    return this.#finished(attempt);
  }

  /** Stops the timer; runs going on finish. */
  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#wakeAt = undefined;
  }

  #sleep(ms: number): void {
    this.#timer?.cancel();
    if (this.#stopped) return;
    // A due time just passed (or a slot to catch up when active hours open) is looked at again soon.
    const delay = Math.max(1_000, Math.min(Number.isFinite(ms) ? ms : this.#maxSleepMs, this.#maxSleepMs));
    this.#wakeAt = this.#options.clock.now() + delay;
    this.#timer = this.#options.clock.setTimer(() => {
      if (!this.#stopped) void this.tick();
    }, delay);
  }

  #finished(attempt: RunAttempt): RunAttempt {
    if (attempt.status === "done") this.#options.onRun?.(attempt.run);
    return attempt;
  }

  /** The routine as the runner runs it on schedule: check, then the model only if something is new. */
  #routineFor(routineId: string): Routine {
    return this.#guarded(async (context) => {
      const routine = this.#options.routines.get(routineId);
      if (!routine) return { outcome: "skipped", message: `No routine called "${routineId}" is installed.` };
      const checkContext = this.#checkContext(context.job);
      const check = await routine.check(checkContext);
      if (check.kind === "nothing-new")
        return { outcome: "nothing-new", tokens: 0, itemsFound: 0, message: check.message ?? "Nothing new." };
      if (routine.needsModel && !this.#options.modelLoaded()) {
        this.#waitingForModel.add(context.job.id);
        return { outcome: "skipped", itemsFound: check.items, message: NO_MODEL_MESSAGE };
      }
      const result = await routine.run({ ...checkContext, signal: context.signal, found: check.items });
      return this.#noteModelWanted(context.job.id, result);
    });
  }

  #checkContext(job: Readonly<JobRecord>): CheckContext {
    const proposeAction = this.#options.proposeAction?.();
    return { job, now: this.#options.clock.now(), ...(proposeAction ? { proposeAction } : {}) };
  }

  /** A run that left work for a model (none loaded) is run again, once, when one loads. */
  #noteModelWanted(jobId: string, result: RoutineResult): RoutineResult {
    if (result.modelWanted === true && !this.#options.modelLoaded()) this.#waitingForModel.add(jobId);
    return result;
  }

  /** Paused: skipped at once. Paused later: the routine's signal aborts and the run is recorded skipped. */
  #guarded(work: Routine): Routine {
    return async (context) => {
      if (this.#paused) return { outcome: "skipped", message: PAUSED_MESSAGE };
      const controller = new AbortController();
      const onWatchdog = () => controller.abort(context.signal.reason);
      context.signal.addEventListener("abort", onWatchdog, { once: true });
      this.#running.add(controller);
      const paused = new Promise<RoutineResult>((resolve) =>
        controller.signal.addEventListener(
          "abort",
          () => {
            if (this.#paused) resolve({ outcome: "skipped", message: PAUSED_WHILE_RUNNING_MESSAGE });
          },
          { once: true },
        ),
      );
      try {
        return await Promise.race([work({ ...context, signal: controller.signal }), paused]);
      } finally {
        this.#running.delete(controller);
        context.signal.removeEventListener("abort", onWatchdog);
      }
    };
  }
}
