import type { VerdictKind, VerdictSeverity } from "../core/deploy/deploy-verdict";

/**
 * What the deployments board shows (schema v6): one record per workflow run or deployment the
 * deployment watch has seen, with the model's verdict on a failure. Titles, branches and commit
 * messages were written by others: shown as text, never followed.
 */
export interface DeploymentRecord {
  /** `<owner>/<repo>/run/<id>` or `<owner>/<repo>/deployment/<id>`. */
  id: string;
  /** `owner/name`. */
  repository: string;
  kind: "run" | "deployment";
  /** The workflow name, or the deployment's environment. */
  title: string;
  /** GitHub's status (`queued`, `in_progress`, `completed`, or a deployment state). */
  status: string;
  /** For a completed run: `success`, `failure`, `cancelled`, …. */
  conclusion?: string;
  branch?: string;
  sha?: string;
  /** The page on github.com. */
  url?: string;
  /** When GitHub last changed it, milliseconds since the epoch. */
  updatedAt: number;
  /** The verdict on a failure, when a model judged it. */
  verdict?: DeploymentVerdict;
  /** The approval card proposing a re-run, when one was proposed. */
  rerunActionId?: string;
  /** GitHub's run id or deployment id. */
  githubId?: number;
  /** The run attempt the record describes (a re-run is attempt 2, …). */
  attempt?: number;
  /** The failed jobs' names, for a failed run. */
  failedJobs?: string[];
  /** The run's title or the deployment status's description (written by others). */
  detail?: string;
  /** The watch's own words on what it did: the re-run card waiting, or why there is no verdict. */
  note?: string;
  /** Why a failure has no verdict (no model loaded, the routine's budget spent, an unreadable answer). */
  verdictProblem?: string;
  /** When the watch wrote this record (the poll that found the change). */
  seenAt?: number;
}

export interface DeploymentVerdict {
  likelyCause: string;
  /** flaky: a re-run will probably pass; real: the change broke something; unclear: cannot tell. */
  kind: VerdictKind;
  nextStep: string;
  severity: VerdictSeverity;
  modelId?: string;
  at: number;
}
