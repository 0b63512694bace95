import type { JobRunRecord } from "../store/job-record";

/** The BroadcastChannel between the page and the agent workers about routines. */
export const JOBS_CHANNEL = "tabclaw-jobs";

/**
 * `changed`: the page added, edited or turned a job on or off; every scheduler reads jobs again.
 * `ran`: a scheduler finished a run; views showing runs (the Dream journal) refresh.
 */
export type JobsMessage =
  { type: "changed" } | { type: "ran"; jobId: string; runId: string; outcome: JobRunRecord["outcome"] };

export function isJobsMessage(value: unknown): value is JobsMessage {
  if (typeof value !== "object" || value === null || !("type" in value)) return false;
  return value.type === "changed" || (value.type === "ran" && "jobId" in value && typeof value.jobId === "string");
}

/** Tells every scheduler (in every tab) that jobs changed. */
export function announceJobsChanged(): void {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel(JOBS_CHANNEL);
  channel.postMessage({ type: "changed" } satisfies JobsMessage);
  channel.close();
}
