import type { ToolResult } from "../../core/agent/action";
import type { PolledChange, PollSummary } from "../../core/deploy/poll-summary";
import type { AuditedFetch } from "../../gate/audited-fetch";
import type { Connector } from "../../gate/connector";
import { parseJobs, parseRun } from "./github-api-types";
import {
  GitHubClient,
  RATE_STATE_KEY,
  repositoryPath,
  type GitHubClientOptions,
  type KeyValueState,
} from "./github-client";
import { GitHubRequestError, GitHubTargetMismatchError, ReconnectNeededError } from "./github-errors";
import { pollRepositories, type GitHubChange, type PollReport } from "./github-poll";
import { GitHubRateState, isStoredRateState } from "./github-rate-state";
import { fetchJobLogTail } from "./log-tail";

/**
 * The `github` connector: runs the GitHub tools the Gate admits, with the fine-grained token from
 * the vault and every request through the Gate's `AuditedFetch`. The limits it learns (and any
 * block GitHub imposed) are kept across calls and stored, so no call asks GitHub too soon.
 */

export interface GitHubConnectorOptions {
  /** The token in the vault now, if any. */
  token: () => string | undefined;
  /** The repositories the user chose to watch (`githubRepositories`). */
  repositories: () => Promise<string[]>;
  state: KeyValueState;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  baseUrl?: string;
}

export interface GitHubConnector extends Connector {
  /** The limits as last seen (for the settings view). */
  rate(): Promise<GitHubRateState>;
}

type Args = Readonly<Record<string, unknown>>;

function text(args: Args, key: string): string {
  const value = args[key];
  if (typeof value !== "string" || value === "") throw new TypeError(`The argument ${key} is missing.`);
  return value;
}

function integer(args: Args, key: string): number {
  const value = args[key];
  if (typeof value !== "number" || !Number.isInteger(value))
    throw new TypeError(`The argument ${key} is not a whole number.`);
  return value;
}

function stringList(args: Args, key: string): string[] {
  const value = args[key];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

/** The poll's report as `github_poll` answers it (the shape `parsePollSummary` reads). */
export function summariseReport(report: PollReport): PollSummary {
  const change = (item: GitHubChange): PolledChange =>
    item.kind === "run-failed" || item.kind === "run-recovered"
      ? {
          kind: item.kind,
          repository: item.repository,
          runId: item.run.id,
          attempt: item.run.attempt,
          workflow: item.run.workflow,
          workflowPath: item.run.workflowPath,
          title: item.run.title,
          branch: item.run.branch,
          sha: item.run.sha,
          commit: item.run.commit,
          conclusion: item.run.conclusion,
          url: item.run.url,
          failedJobs: item.kind === "run-failed" ? item.failedJobs : [],
        }
      : {
          kind: item.kind,
          repository: item.repository,
          deploymentId: item.deployment.id,
          environment: item.deployment.environment,
          ref: item.deployment.ref,
          sha: item.deployment.sha,
          state: item.deployment.state,
          description: item.deployment.description,
          url: item.deployment.url,
        };
  return {
    polledAt: report.polledAt,
    checked: report.checked,
    unchanged: report.unchanged,
    waiting: report.waiting,
    changes: report.changes.map(change),
    problems: report.problems,
    requests: report.requests,
    notModified: report.notModified,
  };
}

export function githubConnector(options: GitHubConnectorOptions): GitHubConnector {
  const now = options.now ?? (() => Date.now());
  let rate: Promise<GitHubRateState> | undefined;
  const loadRate = () => {
    rate ??= options.state.get(RATE_STATE_KEY, isStoredRateState).then((stored) => GitHubRateState.restore(stored));
    return rate;
  };

  async function client(audit: AuditedFetch): Promise<() => GitHubClient> {
    const token = options.token();
    if (token === undefined) throw new ReconnectNeededError("There is no GitHub token.");
    const shared: GitHubClientOptions = {
      token,
      fetch: audit,
      state: options.state,
      rate: await loadRate(),
      now,
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
    };
    return () => new GitHubClient(shared);
  }

  async function poll(args: Args, audit: AuditedFetch): Promise<ToolResult> {
    const watched = await options.repositories();
    const asked = stringList(args, "repositories");
    const lower = new Set(watched.map((name) => name.toLowerCase()));
    const repositories =
      asked.length === 0
        ? watched
        : watched.filter((name) => asked.some((a) => a.toLowerCase() === name.toLowerCase()));
    const notWatched = asked.filter((name) => !lower.has(name.toLowerCase()));
    const report = await pollRepositories({
      client: await client(audit),
      state: options.state,
      repositories,
      now: now(),
    });
    for (const repository of notWatched) {
      report.problems.push({
        repository,
        error: "NotWatched",
        message: `${repository} is not watched: add it in Settings → GitHub to follow it.`,
      });
    }
    const summary = summariseReport(report);
    return { content: JSON.stringify(summary), trusted: false, source: "github:poll" };
  }

  async function logTail(args: Args, audit: AuditedFetch): Promise<ToolResult> {
    const repository = text(args, "repository");
    const jobId = integer(args, "jobId");
    const lines = typeof args.lines === "number" ? args.lines : undefined;
    const tail = await fetchJobLogTail(
      (await client(audit))(),
      repository,
      jobId,
      lines !== undefined ? { lines } : {},
    );
    const header = `The last ${tail.lines} of ${tail.totalLines} lines of the log of job ${jobId} in ${repository}:`;
    return { content: `${header}\n${tail.text}`, trusted: false, source: tail.source };
  }

  async function rerun(args: Args, audit: AuditedFetch): Promise<ToolResult> {
    const repository = text(args, "repository");
    const runId = integer(args, "runId");
    const shown = {
      workflow: text(args, "workflow"),
      branch: text(args, "branch"),
      commit: text(args, "commit").toLowerCase(),
    };
    const jobs = stringList(args, "jobs");
    const github = (await client(audit))();
    const base = `${repositoryPath(repository)}/actions/runs/${runId}`;
    const request = { repository, permission: "actions:read" as const, purpose: "user" as const };
    // What the card showed is checked against the run as it is now: a card must never re-run something else.
    const run = parseRun(await github.getJson({ ...request, path: base, what: "get the workflow run" }));
    const workflowFile = run.workflowPath.split("/").at(-1) ?? "";
    if (shown.workflow !== run.workflowName && shown.workflow !== workflowFile) {
      throw new GitHubTargetMismatchError(
        `run ${runId} belongs to the workflow "${run.workflowName}", not "${shown.workflow}".`,
      );
    }
    if (run.branch !== shown.branch || !run.sha.toLowerCase().startsWith(shown.commit)) {
      throw new GitHubTargetMismatchError(
        `run ${runId} is on ${run.branch} at ${run.sha.slice(0, 12)}, not on ${shown.branch} at ${shown.commit.slice(0, 12)}.`,
      );
    }
    if (run.status !== "completed") {
      throw new GitHubTargetMismatchError(
        `run ${runId} is ${run.status.replace("_", " ")} again (attempt ${run.attempt}); wait for it to finish.`,
      );
    }
    const listed = parseJobs(
      await github.getJson({
        ...request,
        path: `${base}/attempts/${run.attempt}/jobs`,
        query: { per_page: 100 },
        what: "list the jobs of a workflow run",
      }),
    );
    const failed = listed
      .filter((job) => job.conclusion === "failure" || job.conclusion === "timed_out" || job.conclusion === "cancelled")
      .map((job) => job.name);
    if (!sameSet(failed, jobs)) {
      throw new GitHubTargetMismatchError(
        `the failed jobs of run ${runId} (attempt ${run.attempt}) are ${failed.length > 0 ? failed.join(", ") : "none"}, not ${jobs.join(", ")}.`,
      );
    }
    const answer = await github.post(
      {
        repository,
        permission: "actions:write",
        purpose: "user",
        path: `${base}/rerun-failed-jobs`,
        what: "re-run failed jobs",
      },
      undefined,
    );
    if (answer.status !== 201) throw new GitHubRequestError(answer.status, "re-run failed jobs", "unexpected answer");
    return {
      content: `Re-running ${failed.length} failed job${failed.length === 1 ? "" : "s"} (${failed.join(", ")}) of ${run.workflowName} run ${runId} on ${run.branch} in ${repository}, as attempt ${run.attempt + 1}.`,
      trusted: true,
      source: `github:${repository}/run/${runId}`,
    };
  }

  async function dispatch(args: Args, audit: AuditedFetch): Promise<ToolResult> {
    const repository = text(args, "repository");
    const workflow = text(args, "workflow");
    const ref = text(args, "ref");
    const pairs = Array.isArray(args.inputs) ? (args.inputs as unknown[]) : [];
    const inputs: Record<string, string> = {};
    for (const pair of pairs) {
      if (typeof pair !== "object" || pair === null) continue;
      const { name, value } = pair as { name?: unknown; value?: unknown };
      if (typeof name !== "string" || typeof value !== "string") continue;
      if (Object.hasOwn(inputs, name)) throw new TypeError(`The input ${name} is given twice; give each input once.`);
      inputs[name] = value;
    }
    const github = (await client(audit))();
    const answer = await github.post(
      {
        repository,
        permission: "actions:write",
        purpose: "user",
        path: `${repositoryPath(repository)}/actions/workflows/${encodeURIComponent(workflow)}/dispatches`,
        what: `start the workflow ${workflow}`,
      },
      { ref, ...(Object.keys(inputs).length > 0 ? { inputs } : {}) },
    );
    const shown = Object.entries(inputs).map(([name, value]) => `${name}=${value}`);
    return {
      content:
        `Started ${workflow} on ${ref} in ${repository}${shown.length > 0 ? ` with ${shown.join(", ")}` : ""}` +
        ` (GitHub answered ${answer.status}). The run appears in the next check.`,
      trusted: true,
      source: `github:${repository}/workflow/${workflow}`,
    };
  }

  return {
    name: "github",
    connected: () => options.token() !== undefined,
    rate: loadRate,
    execute(tool: string, args: Args, audit: AuditedFetch): Promise<ToolResult> {
      switch (tool) {
        case "github_poll":
          return poll(args, audit);
        case "github_job_log_tail":
          return logTail(args, audit);
        case "github_rerun_failed_jobs":
          return rerun(args, audit);
        case "github_dispatch_workflow":
          return dispatch(args, audit);
        default:
          return Promise.reject(new Error(`The GitHub connector has no tool "${tool}".`));
      }
    },
  };
}
