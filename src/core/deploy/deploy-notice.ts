import type { DeployVerdict } from "./deploy-verdict";
import { isRunChange, type PolledChange, type PolledRun, type PollSummary } from "./poll-summary";

/**
 * The deployment watch's decisions that need no model: what a failure's line in the notification
 * says, whether a re-run is worth proposing, and the re-run card's arguments, taken from GitHub's
 * structured fields (never from the model's words).
 */

/** A run re-run this many times already is not retried again by the watch. */
export const MAX_ATTEMPTS_FOR_RERUN = 3;

/** Where a change happened, in Tabclaw's words (no title or commit message: those are others' text). */
export function whereLine(change: PolledChange): string {
  if (isRunChange(change)) {
    const jobs = change.failedJobs.map((job) => job.name);
    const which = jobs.length > 0 ? ` (${jobs.join(", ")})` : "";
    const attempt = change.attempt > 1 ? `, attempt ${change.attempt}` : "";
    return change.kind === "run-failed"
      ? `${change.repository}: ${change.workflow} failed on ${change.branch}${which}${attempt}`
      : `${change.repository}: ${change.workflow} passes again on ${change.branch}`;
  }
  return change.kind === "deployment-failed"
    ? `${change.repository}: the deployment to ${change.environment} (${change.ref}) is ${change.state}`
    : `${change.repository}: ${change.environment} is deployed again (${change.ref})`;
}

/** One line per change for the run's message (and so the notification). */
export function changeLine(change: PolledChange, verdict: DeployVerdict | undefined, note = ""): string {
  const judged = verdict
    ? ` — ${verdict.kind === "unclear" ? "unclear" : `likely ${verdict.kind}`} (${verdict.severity}): ${verdict.cause}. Next: ${verdict.nextStep}.`
    : "";
  return `${whereLine(change)}${judged === "" ? "." : judged}${note === "" ? "" : ` ${note}`}`;
}

/** A re-run helps a failure that is not the change's own fault, on a run not already retried too often. */
export function shouldProposeRerun(change: PolledChange, verdict: DeployVerdict | undefined): change is PolledRun {
  return (
    change.kind === "run-failed" &&
    change.failedJobs.length > 0 &&
    change.attempt < MAX_ATTEMPTS_FOR_RERUN &&
    verdict?.kind !== "real"
  );
}

/** `github_rerun_failed_jobs`' arguments for a failed run, from what GitHub reported. */
export function rerunArguments(change: PolledRun): {
  repository: string;
  runId: number;
  workflow: string;
  branch: string;
  commit: string;
  jobs: string[];
} {
  return {
    repository: change.repository,
    runId: change.runId,
    workflow: change.workflow,
    branch: change.branch,
    commit: change.sha.slice(0, 12),
    jobs: change.failedJobs.map((job) => job.name),
  };
}

/** The message of a poll that found nothing: what was asked, what it cost, what waits. */
export function quietMessage(summary: PollSummary): string {
  const parts = [
    `${summary.checked.length} repositor${summary.checked.length === 1 ? "y" : "ies"} checked, nothing changed`,
    `${summary.notModified} of ${summary.requests} answers were 304 (free)`,
  ];
  if (summary.waiting.length > 0) parts.push(`${summary.waiting.length} waiting for GitHub's interval or limit`);
  if (summary.problems.length > 0) {
    parts.push(summary.problems.map((problem) => `${problem.repository}: ${problem.message}`).join(" "));
  }
  return `${parts.join("; ")}.`;
}
