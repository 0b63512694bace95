import type { JobRunRecord } from "../store/job-record";
import type { CheckResult, ScheduledRoutine } from "./routine";

export const MORNING_BRIEFING_JOB_ID = "morning-briefing";
export const MORNING_BRIEFING_TIME = "07:30";

export interface MorningBriefingOptions {
  runsBetween(range: { from?: number; to?: number }): Promise<JobRunRecord[]>;
  /** Approvals waiting for the user (pending or frozen). */
  waitingApprovals(): Promise<number>;
}

/**
 * Runs worth a line in the briefing: finished ones that did or tried something (not "nothing new",
 * not skipped). One still running is counted by the next briefing.
 */
function worthTelling(run: JobRunRecord): boolean {
  return (
    run.jobId !== MORNING_BRIEFING_JOB_ID &&
    run.outcome !== "nothing-new" &&
    run.outcome !== "skipped" &&
    run.outcome !== "running"
  );
}

async function countSince(options: MorningBriefingOptions, since: number, now: number) {
  const [runs, approvals] = await Promise.all([
    options.runsBetween({ from: since, to: now + 1 }),
    options.waitingApprovals(),
  ]);
  return { runs: runs.filter(worthTelling).length, approvals };
}

/**
 * The morning briefing's mark. It calls no model: its run is the point the next briefing counts
 * from (the run's start), and records as `itemsFound` how many runs and waiting approvals the
 * briefing built from the runs since the previous mark summarises. Nothing since then: nothing new.
 */
export function morningBriefingRoutine(options: MorningBriefingOptions): ScheduledRoutine {
  return {
    id: MORNING_BRIEFING_JOB_ID,
    needsModel: false,
    async check({ job, now }): Promise<CheckResult> {
      const { runs, approvals } = await countSince(options, job.lastRunAt ?? job.since, now);
      const items = runs + approvals;
      return items === 0
        ? { kind: "nothing-new", message: "Nothing ran and nothing waits for approval." }
        : { kind: "new", items };
    },
    async run({ job, now }) {
      const { runs, approvals } = await countSince(options, job.lastRunAt ?? job.since, now);
      const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
      return {
        outcome: "ran",
        tokens: 0,
        itemsFound: runs + approvals,
        message: `Briefing: ${plural(runs, "run")} and ${plural(approvals, "approval")} waiting.`,
      };
    },
  };
}
