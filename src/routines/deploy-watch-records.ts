import type { DeployVerdict } from "../core/deploy/deploy-verdict";
import { isRunChange, type PolledChange } from "../core/deploy/poll-summary";
import type { DeploymentRecord } from "../store/deployment-record";

/** What the watch made of one change, besides the change itself. */
export interface WatchFindings {
  verdict?: DeployVerdict;
  /** The model that wrote the verdict. */
  modelId?: string;
  /** Why there is no verdict. */
  verdictProblem?: string;
  /** The re-run card, when one was proposed (pending or already run). */
  rerunActionId?: string;
  /** What the watch did about it, in its own words. */
  note?: string;
}

/** The board's id of a run or deployment: `<owner>/<repo>/run/<id>`, `<owner>/<repo>/deployment/<id>`. */
export function deploymentRecordId(change: PolledChange): string {
  return isRunChange(change)
    ? `${change.repository}/run/${change.runId}`
    : `${change.repository}/deployment/${change.deploymentId}`;
}

/**
 * The record the board keeps of a change the watch reported, at the time of the poll that found it.
 * Titles, descriptions and branch names are others' text and stay plain data.
 */
export function deploymentRecordOf(change: PolledChange, findings: WatchFindings, seenAt: number): DeploymentRecord {
  const judged = {
    ...(findings.verdict
      ? {
          verdict: {
            likelyCause: findings.verdict.cause,
            kind: findings.verdict.kind,
            nextStep: findings.verdict.nextStep,
            severity: findings.verdict.severity,
            ...(findings.modelId !== undefined ? { modelId: findings.modelId } : {}),
            at: seenAt,
          },
        }
      : {}),
    ...(findings.verdictProblem !== undefined ? { verdictProblem: findings.verdictProblem } : {}),
    ...(findings.rerunActionId !== undefined ? { rerunActionId: findings.rerunActionId } : {}),
    ...(findings.note !== undefined && findings.note !== "" ? { note: findings.note } : {}),
  };
  const common = { id: deploymentRecordId(change), repository: change.repository, updatedAt: seenAt, seenAt };
  if (isRunChange(change)) {
    return {
      ...common,
      kind: "run",
      title: change.workflow,
      status: "completed",
      conclusion: change.conclusion ?? (change.kind === "run-failed" ? "failure" : "success"),
      branch: change.branch,
      sha: change.sha,
      ...(change.url !== "" ? { url: change.url } : {}),
      githubId: change.runId,
      attempt: change.attempt,
      failedJobs: change.failedJobs.map((job) => job.name),
      ...(change.title !== "" ? { detail: change.title } : {}),
      ...judged,
    };
  }
  return {
    ...common,
    kind: "deployment",
    title: change.environment,
    status: change.state,
    branch: change.ref,
    sha: change.sha,
    ...(change.url !== "" ? { url: change.url } : {}),
    githubId: change.deploymentId,
    ...(change.description !== "" ? { detail: change.description } : {}),
    ...judged,
  };
}
