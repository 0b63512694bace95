import type { GitHubDescription } from "./openapi-description";
import type {
  DeploymentRecord,
  DeploymentStatusRecord,
  FakeToken,
  JobRecord,
  RepositoryRecord,
  RunRecord,
  WorkflowRecord,
} from "./fake-github-state";

/**
 * The fake's JSON, built from the description's own examples with the fake's state written over
 * them, so every response carries every field GitHub's schema requires (the server checks each one
 * against the schema before sending it).
 */

export const API_BASE = "https://api.github.com";
const WEB_BASE = "https://github.com";

type Json = Record<string, unknown>;

function iso(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export class GitHubResponses {
  readonly #description: GitHubDescription;

  constructor(description: GitHubDescription) {
    this.#description = description;
  }

  #user(login: string, id: number): Json {
    const user = this.#description.example("simple-user");
    return {
      ...user,
      login,
      id,
      url: `${API_BASE}/users/${login}`,
      html_url: `${WEB_BASE}/${login}`,
    };
  }

  authenticatedUser(token: FakeToken): Json {
    return {
      ...this.#description.example("private-user"),
      login: token.login,
      id: token.userId,
      url: `${API_BASE}/users/${token.login}`,
      html_url: `${WEB_BASE}/${token.login}`,
    };
  }

  #repositoryUrls(repository: RepositoryRecord): Json {
    return {
      id: repository.id,
      name: repository.name,
      full_name: repository.fullName,
      private: repository.private,
      visibility: repository.private ? "private" : "public",
      owner: this.#user(repository.owner, 9919),
      url: `${API_BASE}/repos/${repository.fullName}`,
      html_url: `${WEB_BASE}/${repository.fullName}`,
      deployments_url: `${API_BASE}/repos/${repository.fullName}/deployments`,
      default_branch: repository.defaultBranch,
    };
  }

  minimalRepository(repository: RepositoryRecord): Json {
    const example = this.#description.example("minimal-repository");
    return { ...example, ...this.#repositoryUrls(repository) };
  }

  fullRepository(repository: RepositoryRecord): Json {
    // The example lacks `has_discussions`, which the schema requires.
    return {
      ...this.#description.example("full-repository"),
      has_discussions: false,
      ...this.#repositoryUrls(repository),
      created_at: iso(repository.createdAt),
    };
  }

  workflow(repository: RepositoryRecord, workflow: WorkflowRecord): Json {
    return {
      ...this.#description.example("workflow"),
      id: workflow.id,
      name: workflow.name,
      path: workflow.path,
      state: "active",
      created_at: iso(workflow.createdAt),
      updated_at: iso(workflow.createdAt),
      url: `${API_BASE}/repos/${repository.fullName}/actions/workflows/${workflow.id}`,
      html_url: `${WEB_BASE}/${repository.fullName}/blob/${repository.defaultBranch}/${workflow.path}`,
      badge_url: `${WEB_BASE}/${repository.fullName}/workflows/${encodeURIComponent(workflow.name)}/badge.svg`,
    };
  }

  workflowRun(repository: RepositoryRecord, run: RunRecord): Json {
    const workflow = repository.workflows.find((candidate) => candidate.id === run.workflowId);
    const attempt = run.attempts.at(-1);
    const base = `${API_BASE}/repos/${repository.fullName}/actions/runs/${run.id}`;
    const example = this.#description.example("workflow-run");
    Reflect.deleteProperty(example, "referenced_workflows");
    return {
      ...example,
      id: run.id,
      name: workflow?.name ?? "workflow",
      head_branch: run.branch,
      head_sha: run.sha,
      path: `${workflow?.path ?? ".github/workflows/unknown.yml"}@${run.branch}`,
      run_number: run.runNumber,
      run_attempt: attempt?.number ?? 1,
      event: run.event,
      display_title: run.title,
      status: attempt?.status ?? "queued",
      conclusion: attempt?.conclusion ?? null,
      workflow_id: run.workflowId,
      url: base,
      html_url: `${WEB_BASE}/${repository.fullName}/actions/runs/${run.id}`,
      created_at: iso(run.createdAt),
      updated_at: iso(run.updatedAt),
      run_started_at: iso(attempt?.startedAt ?? run.createdAt),
      actor: this.#user(run.actor, 7001),
      triggering_actor: this.#user(run.actor, 7001),
      jobs_url: `${base}/jobs`,
      logs_url: `${base}/logs`,
      artifacts_url: `${base}/artifacts`,
      cancel_url: `${base}/cancel`,
      rerun_url: `${base}/rerun`,
      previous_attempt_url: (attempt?.number ?? 1) > 1 ? `${base}/attempts/${(attempt?.number ?? 2) - 1}` : null,
      workflow_url: `${API_BASE}/repos/${repository.fullName}/actions/workflows/${run.workflowId}`,
      head_commit: {
        id: run.sha,
        tree_id: run.sha.split("").reverse().join(""),
        message: run.commitMessage,
        timestamp: iso(run.createdAt),
        author: { name: run.actor, email: `${run.actor}@users.noreply.github.com` },
        committer: { name: "GitHub", email: "noreply@github.com" },
      },
      repository: this.minimalRepository(repository),
      head_repository: this.minimalRepository(repository),
      pull_requests: [],
    };
  }

  job(repository: RepositoryRecord, run: RunRecord, attemptNumber: number, job: JobRecord): Json {
    const workflow = repository.workflows.find((candidate) => candidate.id === run.workflowId);
    return {
      ...this.#description.example("job"),
      id: job.id,
      run_id: run.id,
      run_attempt: attemptNumber,
      run_url: `${API_BASE}/repos/${repository.fullName}/actions/runs/${run.id}`,
      head_sha: run.sha,
      head_branch: run.branch,
      workflow_name: workflow?.name ?? null,
      url: `${API_BASE}/repos/${repository.fullName}/actions/jobs/${job.id}`,
      html_url: `${WEB_BASE}/${repository.fullName}/actions/runs/${run.id}/job/${job.id}`,
      status: job.status,
      conclusion: job.conclusion,
      name: job.name,
      created_at: iso(job.startedAt),
      started_at: iso(job.startedAt),
      completed_at: job.completedAt === undefined ? null : iso(job.completedAt),
      steps: job.steps.map((step) => ({
        name: step.name,
        number: step.number,
        status: step.status,
        conclusion: step.conclusion,
        started_at: iso(job.startedAt),
        completed_at: job.completedAt === undefined ? null : iso(job.completedAt),
      })),
      check_run_url: `${API_BASE}/repos/${repository.fullName}/check-runs/${job.id}`,
      labels: ["ubuntu-latest"],
    };
  }

  deployment(repository: RepositoryRecord, deployment: DeploymentRecord): Json {
    const url = `${API_BASE}/repos/${repository.fullName}/deployments/${deployment.id}`;
    return {
      ...this.#description.example("deployment"),
      url,
      id: deployment.id,
      sha: deployment.sha,
      ref: deployment.ref,
      task: deployment.task,
      environment: deployment.environment,
      original_environment: deployment.environment,
      description: deployment.description,
      creator: this.#user(deployment.creator, 7001),
      created_at: iso(deployment.createdAt),
      updated_at: iso(deployment.updatedAt),
      statuses_url: `${url}/statuses`,
      repository_url: `${API_BASE}/repos/${repository.fullName}`,
      production_environment: deployment.environment === "production",
    };
  }

  deploymentStatus(repository: RepositoryRecord, deployment: DeploymentRecord, status: DeploymentStatusRecord): Json {
    const url = `${API_BASE}/repos/${repository.fullName}/deployments/${deployment.id}`;
    return {
      ...this.#description.example("deployment-status"),
      url: `${url}/statuses/${status.id}`,
      id: status.id,
      state: status.state,
      creator: this.#user(deployment.creator, 7001),
      description: status.description,
      environment: deployment.environment,
      target_url: `${WEB_BASE}/${repository.fullName}/deployments/${deployment.environment}`,
      log_url: `${WEB_BASE}/${repository.fullName}/deployments/${deployment.environment}`,
      created_at: iso(status.createdAt),
      updated_at: iso(status.createdAt),
      deployment_url: url,
      repository_url: `${API_BASE}/repos/${repository.fullName}`,
    };
  }

  rateLimit(core: { limit: number; used: number; remaining: number; reset: number }): Json {
    const overview = this.#description.example("rate-limit-overview");
    const resources = (overview.resources ?? {}) as Json;
    return { ...overview, resources: { ...resources, core }, rate: core };
  }
}

/** GitHub's error body: a message and where its documentation is. */
export function errorBody(message: string, status: number): Json {
  return { message, documentation_url: "https://docs.github.com/rest", status: String(status) };
}
