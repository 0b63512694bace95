/**
 * The parts of GitHub's answers Tabclaw reads, parsed defensively: a response that lacks a field
 * Tabclaw needs is refused with a clear error rather than read as `undefined` further on.
 */

export interface ApiWorkflowRun {
  id: number;
  workflowName: string;
  /** `.github/workflows/ci.yml` (GitHub appends `@<ref>`, which is dropped). */
  workflowPath: string;
  title: string;
  branch: string;
  sha: string;
  commitMessage: string;
  event: string;
  status: string;
  conclusion: string | null;
  attempt: number;
  runNumber: number;
  url: string;
  actor: string;
  createdAt: number;
  updatedAt: number;
}

export interface ApiJob {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  attempt: number;
  url: string;
  /** Steps that failed, in order. */
  failedSteps: string[];
}

export interface ApiDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string;
  createdAt: number;
  updatedAt: number;
}

export interface ApiDeploymentStatus {
  id: number;
  state: string;
  description: string;
  url: string;
  createdAt: number;
}

export interface ApiUser {
  login: string;
}

export class GitHubResponseShapeError extends Error {
  constructor(what: string) {
    super(
      `GitHub answered with something Tabclaw cannot read (${what}). Nothing was changed; the next poll tries again.`,
    );
    this.name = "GitHubResponseShapeError";
  }
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function object(value: unknown, what: string): Json {
  if (!isRecord(value)) throw new GitHubResponseShapeError(`${what} is not an object`);
  return value;
}

function number(record: Json, key: string, what: string): number {
  const value = record[key];
  if (typeof value !== "number" || !Number.isFinite(value)) throw new GitHubResponseShapeError(`${what}.${key}`);
  return value;
}

function text(record: Json, key: string, fallback = ""): string {
  const value = record[key];
  return typeof value === "string" ? value : fallback;
}

function time(record: Json, key: string): number {
  const parsed = Date.parse(text(record, key));
  return Number.isNaN(parsed) ? 0 : parsed;
}

function list(value: unknown, key: string | undefined, what: string): unknown[] {
  const items = key === undefined ? value : object(value, what)[key];
  if (!Array.isArray(items))
    throw new GitHubResponseShapeError(`${what}${key === undefined ? "" : `.${key}`} is not a list`);
  return items;
}

export function parseRun(value: unknown): ApiWorkflowRun {
  const run = object(value, "a workflow run");
  const commit = isRecord(run.head_commit) ? run.head_commit : {};
  const actor = isRecord(run.actor) ? run.actor : {};
  return {
    id: number(run, "id", "run"),
    workflowName: text(run, "name", "workflow"),
    workflowPath: text(run, "path").replace(/@.*$/, ""),
    title: text(run, "display_title"),
    branch: text(run, "head_branch"),
    sha: text(run, "head_sha"),
    commitMessage: text(commit, "message"),
    event: text(run, "event"),
    status: text(run, "status", "unknown"),
    conclusion: typeof run.conclusion === "string" ? run.conclusion : null,
    attempt: typeof run.run_attempt === "number" ? run.run_attempt : 1,
    runNumber: typeof run.run_number === "number" ? run.run_number : 0,
    url: text(run, "html_url"),
    actor: text(actor, "login"),
    createdAt: time(run, "created_at"),
    updatedAt: time(run, "updated_at"),
  };
}

export function parseRuns(value: unknown): ApiWorkflowRun[] {
  return list(value, "workflow_runs", "the workflow runs").map(parseRun);
}

export function parseJobs(value: unknown): ApiJob[] {
  return list(value, "jobs", "the jobs").map((item) => {
    const job = object(item, "a job");
    const steps = Array.isArray(job.steps) ? job.steps.filter(isRecord) : [];
    return {
      id: number(job, "id", "job"),
      name: text(job, "name", "job"),
      status: text(job, "status", "unknown"),
      conclusion: typeof job.conclusion === "string" ? job.conclusion : null,
      attempt: typeof job.run_attempt === "number" ? job.run_attempt : 1,
      url: text(job, "html_url"),
      failedSteps: steps.filter((step) => step.conclusion === "failure").map((step) => text(step, "name", "step")),
    };
  });
}

export function parseDeployments(value: unknown): ApiDeployment[] {
  return list(value, undefined, "the deployments").map((item) => {
    const deployment = object(item, "a deployment");
    return {
      id: number(deployment, "id", "deployment"),
      sha: text(deployment, "sha"),
      ref: text(deployment, "ref"),
      task: text(deployment, "task", "deploy"),
      environment: text(deployment, "environment", "unknown"),
      description: text(deployment, "description"),
      createdAt: time(deployment, "created_at"),
      updatedAt: time(deployment, "updated_at"),
    };
  });
}

export function parseDeploymentStatuses(value: unknown): ApiDeploymentStatus[] {
  return list(value, undefined, "the deployment statuses").map((item) => {
    const status = object(item, "a deployment status");
    return {
      id: number(status, "id", "deployment status"),
      state: text(status, "state", "unknown"),
      description: text(status, "description"),
      url: text(status, "log_url", text(status, "target_url")),
      createdAt: time(status, "created_at"),
    };
  });
}

export function parseUser(value: unknown): ApiUser {
  const user = object(value, "the user");
  const login = text(user, "login");
  if (login === "") throw new GitHubResponseShapeError("the user has no login");
  return { login };
}

/** GitHub's error body's message, or the status text when there is none. */
export function errorMessage(value: unknown, fallback: string): string {
  return isRecord(value) && typeof value.message === "string" && value.message !== "" ? value.message : fallback;
}
