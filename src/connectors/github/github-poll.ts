import {
  parseDeployments,
  parseDeploymentStatuses,
  parseJobs,
  parseRuns,
  type ApiDeployment,
  type ApiWorkflowRun,
} from "./github-api-types";
import {
  isRepositoryName,
  repositoryPath,
  type ConditionalResult,
  type GitHubClient,
  type KeyValueState,
} from "./github-client";
import { GitHubRateLimitError } from "./github-errors";

/**
 * One poll of the watched repositories: their latest workflow runs and deployments (with each
 * environment's latest status), compared with what the previous poll stored, so the answer is what
 * changed, new failures first. Every list is asked for with its stored ETag: a repository where
 * nothing happened answers 304 to every request and costs no rate-limit point. A repository is
 * never polled sooner than GitHub's `x-poll-interval` (or a minute) after the previous poll.
 */

/** How many of the latest runs each poll reads. */
export const RUNS_PER_POLL = 20;
export const DEPLOYMENTS_PER_POLL = 10;
/** Environments whose latest deployment's status is followed, per repository. */
export const ENVIRONMENTS_PER_REPOSITORY = 5;
/** The least time between two polls of one repository, whatever GitHub says. */
export const MIN_POLL_INTERVAL_MS = 60_000;
/** Where each repository's last poll is kept (connectorState), for the next poll and the deployments board. */
export const WATCH_KEY_PREFIX = "github:watch:";

const FAILED_CONCLUSIONS = new Set(["failure", "timed_out", "startup_failure"]);
const FAILED_DEPLOYMENT_STATES = new Set(["failure", "error"]);

export interface WatchedRun {
  id: number;
  workflow: string;
  workflowPath: string;
  title: string;
  branch: string;
  sha: string;
  /** The commit message's first line (written by whoever pushed: untrusted). */
  commit: string;
  event: string;
  status: string;
  conclusion: string | null;
  attempt: number;
  url: string;
  updatedAt: number;
}

export interface WatchedDeployment {
  id: number;
  environment: string;
  ref: string;
  sha: string;
  /** The latest status's state, `none` before the first status. */
  state: string;
  description: string;
  url: string;
  updatedAt: number;
}

export interface FailedJob {
  id: number;
  name: string;
  failedSteps: string[];
}

/** What the previous poll saw of one repository. */
export interface RepositorySnapshot {
  repository: string;
  polledAt: number;
  /** No poll of this repository before then (GitHub's poll interval, or a minute). */
  nextPollAt: number;
  runs: WatchedRun[];
  /** The latest deployment of each environment. */
  deployments: WatchedDeployment[];
  /** Jobs of the failed runs, as listed when their failure was found. */
  failedJobs: Record<string, FailedJob[]>;
}

export type GitHubChange =
  | { kind: "run-failed"; repository: string; run: WatchedRun; failedJobs: FailedJob[] }
  | { kind: "run-recovered"; repository: string; run: WatchedRun }
  | { kind: "deployment-failed"; repository: string; deployment: WatchedDeployment }
  | { kind: "deployment-recovered"; repository: string; deployment: WatchedDeployment };

export interface PollProblem {
  repository: string;
  /** The error's name: ScopeNeededError, GitHubNotFoundError, ReconnectNeededError… */
  error: string;
  message: string;
}

export interface PollReport {
  polledAt: number;
  /** Repositories asked this time. */
  checked: string[];
  /** Of those, the ones where every answer was 304. */
  unchanged: string[];
  /** Repositories not asked now, and when they may be. */
  waiting: { repository: string; until: number; reason: "poll-interval" | "rate-limit" }[];
  changes: GitHubChange[];
  problems: PollProblem[];
  /** Requests made, and how many of them were answered 304 (free). */
  requests: number;
  notModified: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isRepositorySnapshot(value: unknown): value is RepositorySnapshot {
  return (
    isRecord(value) &&
    typeof value.repository === "string" &&
    typeof value.polledAt === "number" &&
    typeof value.nextPollAt === "number" &&
    Array.isArray(value.runs) &&
    Array.isArray(value.deployments) &&
    isRecord(value.failedJobs)
  );
}

export function readSnapshot(state: KeyValueState, repository: string): Promise<RepositorySnapshot | undefined> {
  return state.get(`${WATCH_KEY_PREFIX}${repository.toLowerCase()}`, isRepositorySnapshot);
}

function watchedRun(run: ApiWorkflowRun): WatchedRun {
  return {
    id: run.id,
    workflow: run.workflowName,
    workflowPath: run.workflowPath,
    title: run.title,
    branch: run.branch,
    sha: run.sha,
    commit: run.commitMessage.split("\n")[0] ?? "",
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    attempt: run.attempt,
    url: run.url,
    updatedAt: run.updatedAt,
  };
}

export function isFailedRun(run: Pick<WatchedRun, "status" | "conclusion">): boolean {
  return run.status === "completed" && run.conclusion !== null && FAILED_CONCLUSIONS.has(run.conclusion);
}

export function isFailedDeployment(deployment: Pick<WatchedDeployment, "state">): boolean {
  return FAILED_DEPLOYMENT_STATES.has(deployment.state);
}

const laneOf = (run: WatchedRun) => `${run.workflowPath}\n${run.branch}`;

/** The newest run of each workflow on each branch (lists come newest first). */
function latestPerLane(runs: readonly WatchedRun[]): Map<string, WatchedRun> {
  const latest = new Map<string, WatchedRun>();
  for (const run of runs) if (!latest.has(laneOf(run))) latest.set(laneOf(run), run);
  return latest;
}

/**
 * Runs that failed or recovered since `before`. With no `before` (the first poll of a repository),
 * only the newest run of each workflow and branch counts, so adding a repository reports what is
 * red now rather than every failure in its history.
 */
export function runChanges(
  before: readonly WatchedRun[] | undefined,
  after: readonly WatchedRun[],
): WatchedRunChange[] {
  const changes: WatchedRunChange[] = [];
  if (before === undefined) {
    for (const run of latestPerLane(after).values()) if (isFailedRun(run)) changes.push({ kind: "run-failed", run });
    return changes;
  }
  const previous = new Map(before.map((run) => [run.id, run]));
  const previousLatest = latestPerLane(before);
  for (const run of after) {
    const old = previous.get(run.id);
    const moved = !old || old.attempt !== run.attempt || old.status !== run.status || old.conclusion !== run.conclusion;
    if (!moved) continue;
    if (isFailedRun(run)) {
      changes.push({ kind: "run-failed", run });
    } else if (run.status === "completed" && run.conclusion === "success") {
      const lastOfLane = previousLatest.get(laneOf(run));
      if ((old && isFailedRun(old)) || (lastOfLane && isFailedRun(lastOfLane) && lastOfLane.id !== run.id)) {
        changes.push({ kind: "run-recovered", run });
      }
    }
  }
  return changes;
}

export type WatchedRunChange = { kind: "run-failed"; run: WatchedRun } | { kind: "run-recovered"; run: WatchedRun };

/** Deployments whose environment turned red, or green again, since `before`. */
export interface DeploymentChange {
  kind: "deployment-failed" | "deployment-recovered";
  deployment: WatchedDeployment;
}

/** Deployments whose environment turned red, or green again, since `before`. */
export function deploymentChanges(
  before: readonly WatchedDeployment[] | undefined,
  after: readonly WatchedDeployment[],
): DeploymentChange[] {
  const previous = new Map((before ?? []).map((deployment) => [deployment.environment, deployment]));
  const changes: DeploymentChange[] = [];
  for (const deployment of after) {
    const old = previous.get(deployment.environment);
    if (old !== undefined && old.id === deployment.id && old.state === deployment.state) continue;
    if (isFailedDeployment(deployment)) changes.push({ kind: "deployment-failed", deployment });
    else if (deployment.state === "success" && old !== undefined && isFailedDeployment(old)) {
      changes.push({ kind: "deployment-recovered", deployment });
    }
  }
  return changes;
}

function latestPerEnvironment(deployments: readonly ApiDeployment[]): ApiDeployment[] {
  const latest = new Map<string, ApiDeployment>();
  for (const deployment of deployments)
    if (!latest.has(deployment.environment)) latest.set(deployment.environment, deployment);
  return [...latest.values()].slice(0, ENVIRONMENTS_PER_REPOSITORY);
}

interface RepositoryPoll {
  snapshot: RepositorySnapshot;
  changes: GitHubChange[];
  problems: PollProblem[];
  unchanged: boolean;
  commits: (() => Promise<void>)[];
}

function problemOf(repository: string, error: unknown): PollProblem {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  return { repository, error: name, message };
}

/** Errors that concern one part of one repository (a missing permission, a repository the token cannot see). */
function isLocalProblem(error: unknown): boolean {
  return error instanceof Error && (error.name === "ScopeNeededError" || error.name === "GitHubNotFoundError");
}

async function pollRepository(
  client: GitHubClient,
  repository: string,
  before: RepositorySnapshot | undefined,
  now: number,
): Promise<RepositoryPoll> {
  const base = repositoryPath(repository);
  const commits: (() => Promise<void>)[] = [];
  const problems: PollProblem[] = [];
  const changes: GitHubChange[] = [];
  let unchanged = true;
  const read = async <T>(result: Promise<ConditionalResult<T>>): Promise<T | undefined> => {
    const answer = await result;
    if (answer.kind === "not-modified") return undefined;
    unchanged = false;
    commits.push(answer.commit);
    return answer.value;
  };

  let runs = before?.runs ?? [];
  const failedJobs: Record<string, FailedJob[]> = { ...before?.failedJobs };
  try {
    const listed = await read(
      client.getConditional(
        {
          path: `${base}/actions/runs`,
          query: { per_page: RUNS_PER_POLL, exclude_pull_requests: true },
          repository,
          what: "list workflow runs",
          permission: "actions:read",
          purpose: "poll",
        },
        parseRuns,
      ),
    );
    if (listed !== undefined) {
      runs = listed.map(watchedRun);
      for (const change of runChanges(before?.runs, runs)) {
        if (change.kind === "run-recovered") {
          changes.push({ ...change, repository });
          continue;
        }
        const jobs = parseJobs(
          await client.getJson({
            path: `${base}/actions/runs/${change.run.id}/attempts/${change.run.attempt}/jobs`,
            query: { per_page: 100 },
            repository,
            what: "list the jobs of a workflow run",
            permission: "actions:read",
            purpose: "poll",
          }),
        )
          .filter((job) => job.conclusion !== null && FAILED_CONCLUSIONS.has(job.conclusion))
          .map((job) => ({ id: job.id, name: job.name, failedSteps: job.failedSteps }));
        failedJobs[String(change.run.id)] = jobs;
        changes.push({ kind: "run-failed", repository, run: change.run, failedJobs: jobs });
      }
    }
  } catch (error) {
    if (!isLocalProblem(error)) throw error;
    problems.push(problemOf(repository, error));
  }
  // Only jobs of runs still listed are worth keeping.
  const listedIds = new Set(runs.map((run) => String(run.id)));
  const keptJobs = Object.fromEntries(Object.entries(failedJobs).filter(([id]) => listedIds.has(id)));

  let deployments = before?.deployments ?? [];
  try {
    const listed = await read(
      client.getConditional(
        {
          path: `${base}/deployments`,
          query: { per_page: DEPLOYMENTS_PER_POLL },
          repository,
          what: "list deployments",
          permission: "deployments:read",
          purpose: "poll",
        },
        parseDeployments,
      ),
    );
    const current: WatchedDeployment[] =
      listed === undefined
        ? deployments
        : latestPerEnvironment(listed).map((deployment) => {
            const old = deployments.find((candidate) => candidate.id === deployment.id);
            return {
              id: deployment.id,
              environment: deployment.environment,
              ref: deployment.ref,
              sha: deployment.sha,
              state: old?.state ?? "none",
              description: old?.description ?? deployment.description,
              url: old?.url ?? "",
              updatedAt: deployment.updatedAt,
            };
          });
    const withStatuses: WatchedDeployment[] = [];
    for (const deployment of current) {
      const statuses = await read(
        client.getConditional(
          {
            path: `${base}/deployments/${deployment.id}/statuses`,
            query: { per_page: 1 },
            repository,
            what: "list deployment statuses",
            permission: "deployments:read",
            purpose: "poll",
          },
          parseDeploymentStatuses,
        ),
      );
      const latest = statuses?.[0];
      withStatuses.push(
        latest === undefined
          ? deployment
          : {
              ...deployment,
              state: latest.state,
              description: latest.description || deployment.description,
              url: latest.url,
              updatedAt: Math.max(deployment.updatedAt, latest.createdAt),
            },
      );
    }
    for (const change of deploymentChanges(before?.deployments, withStatuses)) changes.push({ ...change, repository });
    deployments = withStatuses;
  } catch (error) {
    if (!isLocalProblem(error)) throw error;
    problems.push(problemOf(repository, error));
  }

  const interval = Math.max(MIN_POLL_INTERVAL_MS, (client.pollIntervalSeconds ?? 0) * 1000);
  return {
    snapshot: { repository, polledAt: now, nextPollAt: now + interval, runs, deployments, failedJobs: keptJobs },
    changes,
    problems,
    unchanged: unchanged && problems.length === 0,
    commits,
  };
}

export interface PollOptions {
  /** A client per repository (each one reports the poll interval GitHub gave for its answers). */
  client: () => GitHubClient;
  state: KeyValueState;
  repositories: readonly string[];
  now: number;
}

/**
 * Polls each repository that is due. What a repository's answers changed is stored before its
 * ETags, so a poll cut short (a closed tab, a limit) asks again rather than missing a change. A
 * rate limit stops the poll where it is (later repositories wait); a refused token stops it too,
 * and fails it outright when no repository could be read.
 */
export async function pollRepositories(options: PollOptions): Promise<PollReport> {
  const report: PollReport = {
    polledAt: options.now,
    checked: [],
    unchanged: [],
    waiting: [],
    changes: [],
    problems: [],
    requests: 0,
    notModified: 0,
  };
  let limited: { until: number } | undefined;
  let broken: PollProblem | undefined;
  for (const repository of options.repositories) {
    if (!isRepositoryName(repository)) {
      report.problems.push({
        repository,
        error: "TypeError",
        message: `"${repository}" is not a repository name: write it as owner/name in Settings → GitHub.`,
      });
      continue;
    }
    if (broken) {
      report.problems.push({ ...broken, repository });
      continue;
    }
    if (limited) {
      report.waiting.push({ repository, until: limited.until, reason: "rate-limit" });
      continue;
    }
    const before = await readSnapshot(options.state, repository);
    if (before && before.nextPollAt > options.now) {
      report.waiting.push({ repository, until: before.nextPollAt, reason: "poll-interval" });
      continue;
    }
    const client = options.client();
    try {
      const polled = await pollRepository(client, repository, before, options.now);
      await options.state.set(`${WATCH_KEY_PREFIX}${repository.toLowerCase()}`, polled.snapshot);
      for (const commit of polled.commits) await commit();
      report.checked.push(repository);
      if (polled.unchanged) report.unchanged.push(repository);
      report.changes.push(...polled.changes);
      report.problems.push(...polled.problems);
    } catch (error) {
      if (error instanceof GitHubRateLimitError) {
        limited = { until: error.retryAt };
        report.waiting.push({ repository, until: error.retryAt, reason: "rate-limit" });
        report.problems.push(problemOf(repository, error));
      } else if (report.checked.length === 0) {
        // Nothing was read: the whole poll failed (a refused token, no network) and keeps its place.
        throw error;
      } else {
        // What was read so far is kept and reported; the rest waits for the next poll.
        broken = problemOf(repository, error);
        report.problems.push(broken);
      }
    } finally {
      report.requests += client.requests;
      report.notModified += client.notModified;
    }
  }
  // Failures first: they are what the watch is for.
  report.changes.sort((a, b) => Number(b.kind.endsWith("failed")) - Number(a.kind.endsWith("failed")));
  return report;
}
