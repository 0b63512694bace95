import { validateActiveHours, type ActiveHours } from "../routines/active-hours";
import { nextJobSlot } from "../routines/due-runs";
import type { JobsMessage } from "../routines/jobs-channel";
import { ScheduleError, validateSchedule, type Schedule } from "../routines/schedule";
import type { JobRecord, JobRunRecord } from "../store/job-record";
import type { JobStore } from "../store/job-store";
import type { SettingsStore } from "../store/settings-store";
import type { Notifier } from "./notifier";
import { Observable } from "./observable";
import type { WakeLockHolder } from "./wake-lock";

// The scheduler's channel: `{type: "changed"}` makes it read the jobs again; its `ran` makes this refresh.
export { JOBS_CHANNEL } from "../routines/jobs-channel";

/** A BroadcastChannel as the controller uses it (a fake in tests). */
export interface JobsChannel {
  postMessage(message: JobsMessage): void;
  addEventListener(type: "message", listener: () => void): void;
}

/** The part of the JobStore the view needs. */
export type JobsPort = Pick<JobStore, "list" | "runsOf" | "put" | "setEnabled">;

/** How many runs each job lists. */
export const RECENT_RUNS = 5;
/** How often the page looks for finished runs when nobody announces them. */
export const POLL_MS = 30_000;

/** The schedule form as the user types it: every field kept, whatever kind is chosen. */
export interface ScheduleDraft {
  kind: Schedule["kind"];
  minutes: string;
  time: string;
  expression: string;
  hoursOn: boolean;
  from: string;
  to: string;
  days: number[];
}

export interface DraftProblems {
  schedule?: string;
  hours?: string;
}

export interface RoutineRow {
  job: JobRecord;
  /** Newest first. */
  runs: JobRunRecord[];
  notify: boolean;
  keepAwake: boolean;
  /** When it runs next: as the scheduler last computed it, else from its schedule; undefined when off. */
  nextRunAt: number | undefined;
}

export function draftOf(job: JobRecord): ScheduleDraft {
  const { schedule, activeHours } = job;
  return {
    kind: schedule.kind,
    minutes: schedule.kind === "every" ? String(schedule.minutes) : "60",
    time: schedule.kind === "daily" ? schedule.time : "07:00",
    expression: schedule.kind === "cron" ? schedule.expression : "0 8 * * 1-5",
    hoursOn: activeHours !== undefined,
    from: activeHours?.from ?? "08:00",
    to: activeHours?.to ?? "19:00",
    days: activeHours ? [...activeHours.days] : [1, 2, 3, 4, 5],
  };
}

function scheduleOf(draft: ScheduleDraft): Schedule {
  switch (draft.kind) {
    case "every":
      return { kind: "every", minutes: draft.minutes.trim() === "" ? Number.NaN : Number(draft.minutes) };
    case "daily":
      return { kind: "daily", time: draft.time.trim() };
    case "cron":
      return { kind: "cron", expression: draft.expression.trim() };
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The Routines view's state: every job with its recent runs and the user's per-job choices, the
 * schedule drafts being edited and what is wrong with them. Every change is announced on
 * "tabclaw-jobs" so the worker's scheduler reads the jobs again. Refreshing (on that channel, on a
 * timer, on demand) also feeds the notifier and the wake lock, which act on runs that finish or go.
 */
export class RoutinesController extends Observable {
  #rows: RoutineRow[] = [];
  #loaded = false;
  #error: string | undefined;
  readonly #drafts = new Map<string, ScheduleDraft>();
  readonly #problems = new Map<string, DraftProblems>();
  readonly #notices = new Map<string, string>();
  readonly #saved = new Set<string>();
  #generation = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly options: {
      jobs: JobsPort;
      settings: SettingsStore;
      channel: JobsChannel;
      notifier: Notifier;
      wakeLock?: WakeLockHolder;
      now?: () => number;
    },
  ) {
    super();
    options.channel.addEventListener("message", () => void this.refresh());
  }

  get rows(): readonly RoutineRow[] {
    return this.#rows;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get error(): string | undefined {
    return this.#error;
  }

  /** Polls for finished runs while the app is open (the scheduler may run them without a word). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.refresh(), POLL_MS);
    void this.refresh();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #now(): number {
    return (this.options.now ?? Date.now)();
  }

  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    try {
      const { jobs: store, settings } = this.options;
      const jobs = (await store.list()).sort((a, b) => a.title.localeCompare(b.title));
      const [notify, keepAwake, runs] = await Promise.all([
        settings.get("notifyJobs"),
        settings.get("keepAwakeJobs"),
        Promise.all(jobs.map((job) => store.runsOf(job.id))),
      ]);
      if (generation !== this.#generation) return;
      this.#rows = jobs.map((job, index) => ({
        job,
        runs: (runs[index] ?? []).slice(-RECENT_RUNS).reverse(),
        notify: notify.includes(job.id),
        keepAwake: keepAwake.includes(job.id),
        nextRunAt: this.#nextRun(job),
      }));
      this.#loaded = true;
      this.#error = undefined;
      const recent = this.#rows.flatMap((row) => row.runs);
      await this.options.notifier.check(jobs, recent).catch(() => []);
      await this.options.wakeLock?.want(
        this.#rows.some((row) => row.keepAwake && row.runs.some((run) => run.outcome === "running")),
      );
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#error = `The routines could not be read: ${message(error)}`;
    }
    this.changed();
  }

  #nextRun(job: JobRecord): number | undefined {
    if (!job.enabled) return undefined;
    if (job.nextRunAt !== undefined) return job.nextRunAt;
    try {
      return nextJobSlot(job, Math.max(this.#now(), job.since, job.lastRunAt ?? -Infinity));
    } catch {
      return undefined;
    }
  }

  /** The form's values for this job: the draft being edited, else the stored schedule. */
  draft(jobId: string): ScheduleDraft | undefined {
    const draft = this.#drafts.get(jobId);
    if (draft) return draft;
    const row = this.#rows.find((candidate) => candidate.job.id === jobId);
    return row ? draftOf(row.job) : undefined;
  }

  problems(jobId: string): DraftProblems {
    return this.#problems.get(jobId) ?? {};
  }

  /** A note for the job's card: why notifications cannot be on, or a failed write. */
  notice(jobId: string): string | undefined {
    return this.#notices.get(jobId);
  }

  /** The draft differs from what is stored. */
  isDirty(jobId: string): boolean {
    return this.#drafts.has(jobId);
  }

  /** The schedule was saved since the last edit. */
  wasSaved(jobId: string): boolean {
    return this.#saved.has(jobId);
  }

  edit(jobId: string, change: Partial<ScheduleDraft>): void {
    const current = this.draft(jobId);
    if (!current) return;
    this.#drafts.set(jobId, { ...current, ...change });
    this.#saved.delete(jobId);
    this.changed();
  }

  /** Forgets the draft and its problems: the form shows the stored schedule again. */
  discard(jobId: string): void {
    this.#drafts.delete(jobId);
    this.#problems.delete(jobId);
    this.changed();
  }

  /**
   * Stores the draft as the job's schedule and active hours. A schedule Tabclaw cannot use keeps
   * the draft, with the reason next to the field it concerns; returns whether it was saved.
   */
  async saveSchedule(jobId: string): Promise<boolean> {
    const row = this.#rows.find((candidate) => candidate.job.id === jobId);
    const draft = this.draft(jobId);
    if (!row || !draft) return false;
    const schedule = scheduleOf(draft);
    const activeHours: ActiveHours | undefined = draft.hoursOn
      ? { from: draft.from.trim(), to: draft.to.trim(), days: [...draft.days].sort((a, b) => a - b) }
      : undefined;
    const problems: DraftProblems = {};
    try {
      validateSchedule(schedule, row.job.timeZone);
    } catch (error) {
      problems.schedule = message(error);
    }
    if (activeHours)
      try {
        validateActiveHours(activeHours);
      } catch (error) {
        problems.hours = message(error);
      }
    if (problems.schedule || problems.hours) {
      this.#problems.set(jobId, problems);
      this.changed();
      return false;
    }
    const job: JobRecord = { ...row.job, schedule };
    if (activeHours) job.activeHours = activeHours;
    else delete job.activeHours;
    try {
      await this.options.jobs.put(job, this.#now());
    } catch (error) {
      this.#problems.set(jobId, error instanceof ScheduleError ? { schedule: error.message } : {});
      if (!(error instanceof ScheduleError))
        this.#notices.set(jobId, `The schedule could not be saved: ${message(error)}`);
      this.changed();
      return false;
    }
    this.#drafts.delete(jobId);
    this.#problems.delete(jobId);
    this.#notices.delete(jobId);
    this.#saved.add(jobId);
    this.#announce();
    await this.refresh();
    return true;
  }

  async setEnabled(jobId: string, enabled: boolean): Promise<void> {
    try {
      await this.options.jobs.setEnabled(jobId, enabled, this.#now());
      this.#notices.delete(jobId);
      this.#announce();
    } catch (error) {
      this.#notices.set(jobId, `The routine could not be turned ${enabled ? "on" : "off"}: ${message(error)}`);
    }
    await this.refresh();
  }

  /** "Notify me": asks for permission only here, when the user turns it on. */
  async setNotify(jobId: string, on: boolean): Promise<boolean> {
    const answer = await this.options.notifier.setEnabled(jobId, on);
    if (answer.ok) this.#notices.delete(jobId);
    else this.#notices.set(jobId, answer.message);
    await this.refresh();
    return answer.ok;
  }

  async setKeepAwake(jobId: string, on: boolean): Promise<void> {
    const current = await this.options.settings.get("keepAwakeJobs");
    const next = current.filter((id) => id !== jobId);
    if (on) next.push(jobId);
    await this.options.settings.set("keepAwakeJobs", next);
    await this.refresh();
  }

  #announce(): void {
    this.options.channel.postMessage({ type: "changed" });
  }
}
