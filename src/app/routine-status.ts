import { isJobsMessage, JOBS_CHANNEL } from "../routines/jobs-channel";
import type { Database } from "../store/database";
import type { JobRunRecord, RunOutcome } from "../store/job-record";
import { JobStore } from "../store/job-store";

/** When a routine last ran and what it said, for a board's "last checked" line. */
export interface RoutineStatus {
  /** False until the job exists (the scheduler adds it at its first start). */
  scheduled: boolean;
  enabled: boolean;
  lastRunAt?: number;
  lastOutcome?: RunOutcome | "running";
  /** The last run's message: what it found, or why it did not run. */
  lastMessage?: string;
  nextRunAt?: number;
}

/** Reads a job and its latest run (only that one, however many runs are kept). */
export async function readRoutineStatus(db: Database, jobId: string): Promise<RoutineStatus> {
  const jobs = new JobStore(db);
  const job = await jobs.getJob(jobId);
  if (!job) return { scheduled: false, enabled: false };
  const status: RoutineStatus = { scheduled: true, enabled: job.enabled };
  if (job.enabled && job.nextRunAt !== undefined) status.nextRunAt = job.nextRunAt;
  if (job.lastRunAt === undefined) return status;
  status.lastRunAt = job.lastRunAt;
  const [run] = (await jobs.runsOf(jobId, { from: job.lastRunAt, to: job.lastRunAt + 1 })).slice(-1);
  const outcome = run?.outcome ?? job.lastOutcome;
  if (outcome !== undefined) status.lastOutcome = outcome;
  const message = run?.error?.message ?? run?.message;
  if (message !== undefined && message !== "") status.lastMessage = message;
  return status;
}

/** A BroadcastChannel as a board listens to it (a fake in tests). */
export interface RunsChannel {
  addEventListener(type: "message", listener: (event: MessageEvent<unknown>) => void): void;
  close(): void;
}

/** Calls `onRun` whenever a scheduler announces a finished run of `jobId`. Returns the channel, to close. */
export function listenForRuns(jobId: string, onRun: () => void, channel?: RunsChannel): RunsChannel | undefined {
  const listening: RunsChannel | undefined =
    channel ?? (typeof BroadcastChannel === "undefined" ? undefined : new BroadcastChannel(JOBS_CHANNEL));
  listening?.addEventListener("message", (event) => {
    const message: unknown = event.data;
    if (isJobsMessage(message) && message.type === "ran" && message.jobId === jobId) onRun();
  });
  return listening;
}

/** A board's line after "Check now": the run's own report, or why it did not finish. */
export interface RunNotice {
  text: string;
  tone: "info" | "error";
}

/** What a finished manual run says: its message (as its notification would), or its error. */
export function runNotice(run: Pick<JobRunRecord, "outcome" | "message" | "error">, name: string): RunNotice {
  switch (run.outcome) {
    case "failed":
      return { text: `The ${name} failed: ${run.error?.message ?? run.message ?? "no reason given"}`, tone: "error" };
    case "timed-out":
      return { text: `The ${name} took too long and was stopped; the next run tries again.`, tone: "error" };
    case "interrupted":
      return { text: `The ${name} was interrupted; the next run tries again.`, tone: "error" };
    case "skipped":
      return { text: `The ${name} did not run: ${run.message ?? "skipped"}`, tone: "info" };
    default:
      return { text: run.message && run.message !== "" ? run.message : "Nothing new.", tone: "info" };
  }
}

/** "Check now" for a board: runs the routine's job at once and keeps what it said. */
export class RunNowState {
  #running = false;
  #notice: RunNotice | undefined;

  constructor(
    private readonly name: string,
    private readonly run: (() => Promise<JobRunRecord>) | undefined,
  ) {}

  get available(): boolean {
    return this.run !== undefined;
  }

  get running(): boolean {
    return this.#running;
  }

  get notice(): RunNotice | undefined {
    return this.#notice;
  }

  /** Runs once (a second press while running does nothing); `changed` is called as it starts and ends. */
  async start(changed: () => void): Promise<void> {
    if (!this.run || this.#running) return;
    this.#running = true;
    this.#notice = undefined;
    changed();
    try {
      this.#notice = runNotice(await this.run(), this.name);
    } catch (error) {
      this.#notice = {
        text: `The ${this.name} could not run: ${error instanceof Error ? error.message : String(error)}`,
        tone: "error",
      };
    } finally {
      this.#running = false;
    }
    changed();
  }
}
