/**
 * What `github_poll` answers, as JSON text: the page's connector writes it, the deployment-watch
 * routine in the agent worker reads it back (and the chat model reads it as is). Titles, commit
 * messages, job and step names in it were written by others, so the whole answer is untrusted
 * data; this module only gives it a shape.
 */

export interface PolledJob {
  id: number;
  name: string;
  failedSteps: string[];
}

export interface PolledRun {
  kind: "run-failed" | "run-recovered";
  repository: string;
  runId: number;
  attempt: number;
  workflow: string;
  /** `.github/workflows/ci.yml` */
  workflowPath: string;
  title: string;
  branch: string;
  sha: string;
  commit: string;
  conclusion: string | null;
  url: string;
  failedJobs: PolledJob[];
}

export interface PolledDeployment {
  kind: "deployment-failed" | "deployment-recovered";
  repository: string;
  deploymentId: number;
  environment: string;
  ref: string;
  sha: string;
  state: string;
  description: string;
  url: string;
}

export type PolledChange = PolledRun | PolledDeployment;

export interface PollSummary {
  polledAt: number;
  checked: string[];
  unchanged: string[];
  waiting: { repository: string; until: number; reason: string }[];
  changes: PolledChange[];
  problems: { repository: string; error: string; message: string }[];
  requests: number;
  notModified: number;
}

export function isRunChange(change: PolledChange): change is PolledRun {
  return change.kind === "run-failed" || change.kind === "run-recovered";
}

export function isFailure(change: PolledChange): boolean {
  return change.kind === "run-failed" || change.kind === "deployment-failed";
}

/** A stable id for one failure (a run attempt, a deployment's state), for ids of what it leads to. */
export function failureKey(change: PolledChange): string {
  switch (change.kind) {
    case "run-failed":
    case "run-recovered":
      return `${change.repository}#run-${change.runId}-${change.attempt}`;
    case "deployment-failed":
    case "deployment-recovered":
      return `${change.repository}#deployment-${change.deploymentId}-${change.state}`;
  }
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const str = (record: Json, key: string): string => (typeof record[key] === "string" ? record[key] : "");
const num = (record: Json, key: string): number => (typeof record[key] === "number" ? record[key] : 0);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];

function parseChange(value: unknown): PolledChange | undefined {
  if (!isRecord(value)) return undefined;
  const kind = value.kind;
  if (kind === "run-failed" || kind === "run-recovered") {
    return {
      kind,
      repository: str(value, "repository"),
      runId: num(value, "runId"),
      attempt: num(value, "attempt") || 1,
      workflow: str(value, "workflow"),
      workflowPath: str(value, "workflowPath"),
      title: str(value, "title"),
      branch: str(value, "branch"),
      sha: str(value, "sha"),
      commit: str(value, "commit"),
      conclusion: typeof value.conclusion === "string" ? value.conclusion : null,
      url: str(value, "url"),
      failedJobs: (Array.isArray(value.failedJobs) ? value.failedJobs : []).filter(isRecord).map((job) => ({
        id: num(job, "id"),
        name: str(job, "name"),
        failedSteps: strings(job.failedSteps),
      })),
    };
  }
  if (kind === "deployment-failed" || kind === "deployment-recovered") {
    return {
      kind,
      repository: str(value, "repository"),
      deploymentId: num(value, "deploymentId"),
      environment: str(value, "environment"),
      ref: str(value, "ref"),
      sha: str(value, "sha"),
      state: str(value, "state"),
      description: str(value, "description"),
      url: str(value, "url"),
    };
  }
  return undefined;
}

/** Reads `github_poll`'s answer; undefined when it is not one. */
export function parsePollSummary(text: string): PollSummary | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
  if (!isRecord(value) || !Array.isArray(value.changes)) return undefined;
  return {
    polledAt: num(value, "polledAt"),
    checked: strings(value.checked),
    unchanged: strings(value.unchanged),
    waiting: (Array.isArray(value.waiting) ? value.waiting : []).filter(isRecord).map((entry) => ({
      repository: str(entry, "repository"),
      until: num(entry, "until"),
      reason: str(entry, "reason"),
    })),
    changes: value.changes.map(parseChange).filter((change): change is PolledChange => change !== undefined),
    problems: (Array.isArray(value.problems) ? value.problems : []).filter(isRecord).map((entry) => ({
      repository: str(entry, "repository"),
      error: str(entry, "error"),
      message: str(entry, "message"),
    })),
    requests: num(value, "requests"),
    notModified: num(value, "notModified"),
  };
}
