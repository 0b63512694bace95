import type { RepositorySnapshot } from "../connectors/github/github-poll";
import type { DeploymentRecord, DeploymentVerdict } from "../store/deployment-record";

/**
 * The deployments board's rows for one repository, from two sources: the watch's last poll of it
 * (the latest run of each workflow on each branch and each environment's latest deployment, as
 * the GitHub connector keeps them in `connectorState`) and what the watch reported (`deployments`:
 * failures with their verdicts and re-run cards). GitHub's current state wins for status and
 * conclusion; the verdict stays with the attempt it was written for.
 */

/** Rows per repository: enough for a few workflows, branches and environments. */
export const ROWS_PER_REPOSITORY = 12;

export interface BoardRow {
  id: string;
  kind: "run" | "deployment";
  /** The workflow's name or the environment. */
  title: string;
  status: string;
  conclusion?: string;
  /** A branch for a run, the ref deployed for a deployment. */
  branch?: string;
  sha?: string;
  url?: string;
  updatedAt: number;
  attempt?: number;
  /** The run's title or the deployment's description: others' words. */
  detail?: string;
  failedJobs: string[];
  verdict?: DeploymentVerdict;
  /** The attempt the verdict was written for, when it is not the row's own. */
  verdictAttempt?: number;
  verdictProblem?: string;
  note?: string;
  rerunActionId?: string;
}

export interface RepositoryBoard {
  repository: string;
  rows: BoardRow[];
  /** When the watch last polled it (undefined: never yet). */
  polledAt?: number;
}

const FAILED_CONCLUSIONS = new Set(["failure", "timed_out", "startup_failure"]);
const FAILED_STATES = new Set(["failure", "error"]);

export function isFailedRow(row: Pick<BoardRow, "kind" | "status" | "conclusion">): boolean {
  return row.kind === "run"
    ? row.conclusion !== undefined && FAILED_CONCLUSIONS.has(row.conclusion)
    : FAILED_STATES.has(row.status);
}

/** One lane per workflow and branch, one per environment: a newer row in a lane hides older ones. */
function laneOf(row: BoardRow): string {
  return row.kind === "run" ? `run\n${row.title}\n${row.branch ?? ""}` : `deployment\n${row.title}`;
}

function fromRecord(record: DeploymentRecord): BoardRow {
  return {
    id: record.id,
    kind: record.kind,
    title: record.title,
    status: record.status,
    ...(record.conclusion !== undefined ? { conclusion: record.conclusion } : {}),
    ...(record.branch !== undefined ? { branch: record.branch } : {}),
    ...(record.sha !== undefined ? { sha: record.sha } : {}),
    ...(record.url !== undefined ? { url: record.url } : {}),
    updatedAt: record.updatedAt,
    ...(record.attempt !== undefined ? { attempt: record.attempt } : {}),
    ...(record.detail !== undefined ? { detail: record.detail } : {}),
    failedJobs: record.failedJobs ?? [],
    ...findingsOf(record, record),
  };
}

/**
 * What the watch made of it: the verdict (tied to the run attempt or deployment state it was
 * written for, and marked when the row has moved on), why there is none, and the re-run card.
 */
function findingsOf(
  record: DeploymentRecord | undefined,
  current: { attempt?: number | undefined; status: string },
): Partial<BoardRow> {
  if (!record) return {};
  const same = record.kind === "run" ? record.attempt === current.attempt : record.status === current.status;
  return {
    ...(record.verdict !== undefined && (same || record.kind === "run") ? { verdict: record.verdict } : {}),
    ...(record.verdict !== undefined && !same && record.kind === "run" && record.attempt !== undefined
      ? { verdictAttempt: record.attempt }
      : {}),
    ...(record.verdictProblem !== undefined && same ? { verdictProblem: record.verdictProblem } : {}),
    ...(record.note !== undefined && same ? { note: record.note } : {}),
    ...(record.rerunActionId !== undefined ? { rerunActionId: record.rerunActionId } : {}),
  };
}

export function buildRepositoryBoard(
  repository: string,
  snapshot: RepositorySnapshot | undefined,
  records: readonly DeploymentRecord[],
): RepositoryBoard {
  const byId = new Map(records.map((record) => [record.id, record]));
  const rows: BoardRow[] = [];
  for (const run of snapshot?.runs ?? []) {
    const id = `${repository}/run/${run.id}`;
    const record = byId.get(id);
    byId.delete(id);
    rows.push({
      id,
      kind: "run",
      title: run.workflow,
      status: run.status,
      ...(run.conclusion !== null ? { conclusion: run.conclusion } : {}),
      branch: run.branch,
      sha: run.sha,
      ...(run.url !== "" ? { url: run.url } : {}),
      updatedAt: run.updatedAt,
      attempt: run.attempt,
      ...(run.title !== "" ? { detail: run.title } : {}),
      failedJobs: snapshot?.failedJobs[String(run.id)]?.map((job) => job.name) ?? record?.failedJobs ?? [],
      ...findingsOf(record, { attempt: run.attempt, status: run.status }),
    });
  }
  for (const deployment of snapshot?.deployments ?? []) {
    const id = `${repository}/deployment/${deployment.id}`;
    const record = byId.get(id);
    byId.delete(id);
    rows.push({
      id,
      kind: "deployment",
      title: deployment.environment,
      status: deployment.state,
      branch: deployment.ref,
      sha: deployment.sha,
      ...(deployment.url !== "" ? { url: deployment.url } : {}),
      updatedAt: deployment.updatedAt,
      ...(deployment.description !== "" ? { detail: deployment.description } : {}),
      failedJobs: [],
      ...findingsOf(record, { status: deployment.state }),
    });
  }
  // Reported ones the last poll no longer lists (or no poll is kept): shown when nothing newer is in their lane.
  rows.push(...[...byId.values()].map(fromRecord));
  rows.sort((a, b) => b.updatedAt - a.updatedAt);
  const lanes = new Set<string>();
  const latest = rows.filter((row) => {
    const lane = laneOf(row);
    if (lanes.has(lane)) return false;
    lanes.add(lane);
    return true;
  });
  return {
    repository,
    rows: latest.slice(0, ROWS_PER_REPOSITORY),
    ...(snapshot !== undefined ? { polledAt: snapshot.polledAt } : {}),
  };
}
