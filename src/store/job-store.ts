import { validateActiveHours } from "../routines/active-hours";
import { nextJobSlot } from "../routines/due-runs";
import type { RunLedger } from "../routines/job-runner";
import { validateSchedule } from "../routines/schedule";
import type { Database } from "./database";
import type { JobRecord, JobRunRecord } from "./job-record";

/** A time window, milliseconds since the epoch; `from` inclusive, `to` exclusive. */
export interface RunRange {
  from?: number;
  to?: number;
}

/** After its watchdog, plus this, a run still marked running belonged to a tab that is gone. */
export const INTERRUPTED_GRACE_MS = 60_000;

/**
 * The `jobs` and `jobRuns` stores. A job is stored only with a schedule and active hours that
 * work (so the scheduler never meets a broken one); a run is written when it starts and again
 * when it ends, each time together with its job's last run and outcome.
 */
export class JobStore implements RunLedger {
  constructor(private readonly db: Database) {}

  /** Adds or replaces a job; throws a `ScheduleError` saying what to fix if its schedule is unusable. */
  async put(job: JobRecord, now: number): Promise<JobRecord> {
    validateSchedule(job.schedule, job.timeZone);
    if (job.activeHours) validateActiveHours(job.activeHours);
    const stored: JobRecord = { ...job };
    const next = job.enabled ? nextJobSlot(job, Math.max(now, job.since, job.lastRunAt ?? -Infinity)) : undefined;
    if (next === undefined) delete stored.nextRunAt;
    else stored.nextRunAt = next;
    await this.db.put("jobs", stored);
    return stored;
  }

  getJob(id: string): Promise<JobRecord | undefined> {
    return this.db.get("jobs", id);
  }

  list(): Promise<JobRecord[]> {
    return this.db.getAll("jobs");
  }

  /**
   * Turns a job on or off. Turning it on counts slots from now: a job that was off for a week
   * does not catch up on that week.
   */
  async setEnabled(id: string, enabled: boolean, now: number): Promise<JobRecord | undefined> {
    const tx = this.db.transaction("jobs", "readwrite");
    const job = await tx.store.get(id);
    if (!job) return undefined;
    const updated: JobRecord = { ...job, enabled, ...(enabled && !job.enabled && { since: now }) };
    const next = enabled ? nextJobSlot(updated, now) : undefined;
    if (next === undefined) delete updated.nextRunAt;
    else updated.nextRunAt = next;
    await tx.store.put(updated);
    await tx.done;
    return updated;
  }

  /** Removes the job; its runs stay, for the usage view's history. */
  delete(id: string): Promise<void> {
    return this.db.delete("jobs", id);
  }

  async startRun(run: JobRunRecord, job: JobRecord): Promise<void> {
    const tx = this.db.transaction(["jobs", "jobRuns"], "readwrite");
    await Promise.all([tx.objectStore("jobRuns").put(run), tx.objectStore("jobs").put(job), tx.done]);
  }

  async finishRun(run: JobRunRecord): Promise<void> {
    const tx = this.db.transaction(["jobs", "jobRuns"], "readwrite");
    const jobs = tx.objectStore("jobs");
    await tx.objectStore("jobRuns").put(run);
    const job = await jobs.get(run.jobId);
    // Only the latest run speaks for the job: a late finish of an older run changes nothing.
    if (job && job.lastRunAt === run.startedAt && run.outcome !== "running")
      await jobs.put({ ...job, lastOutcome: run.outcome });
    await tx.done;
  }

  getRun(id: string): Promise<JobRunRecord | undefined> {
    return this.db.get("jobRuns", id);
  }

  /** One job's runs, oldest first. */
  runsOf(jobId: string, range: RunRange = {}): Promise<JobRunRecord[]> {
    return this.db.getAllFromIndex(
      "jobRuns",
      "byJob",
      IDBKeyRange.bound([jobId, range.from ?? -Infinity], [jobId, range.to ?? Infinity], false, true),
    );
  }

  /** Every job's runs that started in the window, oldest first: what the briefing reads. */
  runsBetween(range: RunRange = {}): Promise<JobRunRecord[]> {
    return this.db.getAllFromIndex(
      "jobRuns",
      "byStarted",
      IDBKeyRange.bound(range.from ?? -Infinity, range.to ?? Infinity, false, true),
    );
  }

  /**
   * Runs left `running` by a tab that closed or a worker that died: a living runner records a
   * timed-out run at its watchdog, so one still running well past it has nobody left to finish it.
   * Returns the runs it marked interrupted.
   */
  async resolveInterrupted(now: number): Promise<JobRunRecord[]> {
    const tx = this.db.transaction(["jobs", "jobRuns"], "readwrite");
    const runs = tx.objectStore("jobRuns");
    const jobs = tx.objectStore("jobs");
    const resolved: JobRunRecord[] = [];
    for (const run of await runs.index("byStarted").getAll()) {
      if (run.outcome !== "running") continue;
      const job = await jobs.get(run.jobId);
      const limit = (job?.timeoutMs ?? 0) + INTERRUPTED_GRACE_MS;
      if (now - run.startedAt < limit) continue;
      const interrupted: JobRunRecord = { ...run, outcome: "interrupted", message: "The app closed during the run." };
      await runs.put(interrupted);
      if (job && job.lastRunAt === run.startedAt) await jobs.put({ ...job, lastOutcome: "interrupted" });
      resolved.push(interrupted);
    }
    await tx.done;
    return resolved;
  }
}
