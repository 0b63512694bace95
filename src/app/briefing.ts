import type { JobRecord, JobRunRecord, RunOutcome } from "../store/job-record";

/** What one job did while the user was away. */
export interface BriefingJob {
  jobId: string;
  /** The job's title, or its id if the job has since been removed. */
  title: string;
  runs: number;
  /** How many runs ended each way, only outcomes that happened. */
  outcomes: Partial<Record<RunOutcome, number>>;
  itemsFound: number;
  tokens: number;
}

export interface BriefingFailure {
  jobId: string;
  title: string;
  startedAt: number;
  outcome: "failed" | "timed-out" | "interrupted";
  message: string;
}

/** "While you were away": built only from recorded runs and the Gate's pending count, no model call. */
export interface Briefing {
  since: number;
  runs: number;
  itemsFound: number;
  jobs: BriefingJob[];
  failures: BriefingFailure[];
  pendingApprovals: number;
}

export interface BriefingInput {
  /** When the user last dismissed the briefing. */
  since: number;
  jobs: readonly JobRecord[];
  /** Runs that started at or after `since`, in any order. */
  runs: readonly JobRunRecord[];
  pendingApprovals: number;
}

const FAILURES = new Set<string>(["failed", "timed-out", "interrupted"]);

function failureMessage(run: JobRunRecord): string {
  if (run.error) return `${run.error.name}: ${run.error.message}`;
  if (run.message) return run.message;
  return run.outcome === "timed-out" ? "The run took too long and was stopped." : "The run did not finish.";
}

/**
 * The briefing, or undefined when no run finished since `since` (a run still going is not news
 * yet). Jobs are listed in the order they first ran; failures oldest first.
 */
export function buildBriefing(input: BriefingInput): Briefing | undefined {
  const titles = new Map(input.jobs.map((job) => [job.id, job.title]));
  const finished = input.runs
    .filter((run) => run.startedAt >= input.since && run.outcome !== "running")
    .sort((a, b) => a.startedAt - b.startedAt);
  if (finished.length === 0) return undefined;
  const perJob = new Map<string, BriefingJob>();
  const failures: BriefingFailure[] = [];
  for (const run of finished) {
    if (run.outcome === "running") continue;
    const title = titles.get(run.jobId) ?? run.jobId;
    let job = perJob.get(run.jobId);
    if (!job) {
      job = { jobId: run.jobId, title, runs: 0, outcomes: {}, itemsFound: 0, tokens: 0 };
      perJob.set(run.jobId, job);
    }
    job.runs += 1;
    job.outcomes[run.outcome] = (job.outcomes[run.outcome] ?? 0) + 1;
    job.itemsFound += run.itemsFound;
    job.tokens += run.tokens;
    if (FAILURES.has(run.outcome))
      failures.push({
        jobId: run.jobId,
        title,
        startedAt: run.startedAt,
        outcome: run.outcome as BriefingFailure["outcome"],
        message: failureMessage(run),
      });
  }
  const jobs = [...perJob.values()];
  return {
    since: input.since,
    runs: finished.length,
    itemsFound: jobs.reduce((sum, job) => sum + job.itemsFound, 0),
    jobs,
    failures,
    pendingApprovals: input.pendingApprovals,
  };
}

const OUTCOME_WORDS: Record<RunOutcome, string> = {
  ran: "ran",
  "nothing-new": "nothing new",
  skipped: "skipped",
  failed: "failed",
  "timed-out": "timed out",
  interrupted: "interrupted",
};

/** "3 runs: 2 nothing new, 1 ran", for one job's line. */
export function describeOutcomes(job: BriefingJob): string {
  const parts = (Object.keys(OUTCOME_WORDS) as RunOutcome[])
    .filter((outcome) => (job.outcomes[outcome] ?? 0) > 0)
    .map((outcome) => `${job.outcomes[outcome]} ${OUTCOME_WORDS[outcome]}`);
  return `${job.runs === 1 ? "1 run" : `${job.runs} runs`}: ${parts.join(", ")}`;
}

export function outcomeWord(outcome: RunOutcome | "running"): string {
  return outcome === "running" ? "running" : OUTCOME_WORDS[outcome];
}
