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
}

export interface DeploymentVerdict {
  likelyCause: string;
  kind: "flaky" | "real" | "unknown";
  nextStep: string;
  severity: "low" | "medium" | "high";
  modelId?: string;
  at: number;
}
