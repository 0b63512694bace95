import { isJobsMessage, JOBS_CHANNEL } from "../routines/jobs-channel";
import type { Database } from "../store/database";
import type { RunOutcome } from "../store/job-record";
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
