/**
 * What the fake GitHub knows: repositories with workflows, runs (each with its attempts and jobs,
 * each job with its log) and deployments with their statuses, and the fine-grained tokens that
 * may reach them. Tests change it (`failRun`, `addDeployment`, …) between polls; the server reads
 * it to answer. Every change moves the repository's clock, so list ETags change with it.
 */

export type PermissionName = "actions" | "deployments" | "contents" | "metadata";
export type PermissionLevel = "read" | "write";

export type RunConclusion =
  "success" | "failure" | "cancelled" | "skipped" | "timed_out" | "neutral" | "action_required" | "startup_failure";
export type RunStatus = "queued" | "in_progress" | "completed";
export type DeploymentState = "error" | "failure" | "inactive" | "pending" | "success" | "queued" | "in_progress";

export interface FakeTokenOptions {
  login?: string;
  /** `owner/name` of every repository the token was given, or "all" for all of the owner's. */
  repositories: readonly string[] | "all";
  /** Repository permissions. Metadata (read) comes with any repository access, as on GitHub. */
  permissions: Partial<Record<PermissionName, PermissionLevel>>;
}

export interface FakeToken extends FakeTokenOptions {
  readonly value: string;
  readonly login: string;
  readonly userId: number;
  revoked: boolean;
}

export interface StepRecord {
  name: string;
  number: number;
  status: RunStatus;
  conclusion: RunConclusion | null;
}

export interface JobRecord {
  id: number;
  name: string;
  status: RunStatus;
  conclusion: RunConclusion | null;
  startedAt: number;
  completedAt: number | undefined;
  steps: StepRecord[];
  log: string;
}

export interface AttemptRecord {
  number: number;
  status: RunStatus;
  conclusion: RunConclusion | null;
  startedAt: number;
  jobs: JobRecord[];
}

export interface RunRecord {
  id: number;
  workflowId: number;
  runNumber: number;
  event: string;
  branch: string;
  sha: string;
  title: string;
  commitMessage: string;
  actor: string;
  createdAt: number;
  updatedAt: number;
  attempts: AttemptRecord[];
}

export interface WorkflowRecord {
  id: number;
  name: string;
  /** `.github/workflows/<file>` */
  path: string;
  /** Inputs its `workflow_dispatch` trigger declares; undefined: no such trigger. */
  dispatchInputs: string[] | undefined;
  createdAt: number;
}

export interface DeploymentStatusRecord {
  id: number;
  state: DeploymentState;
  description: string;
  createdAt: number;
}

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string;
  creator: string;
  createdAt: number;
  updatedAt: number;
  /** Oldest first. */
  statuses: DeploymentStatusRecord[];
}

export interface RepositoryRecord {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  private: boolean;
  defaultBranch: string;
  branches: Set<string>;
  workflows: WorkflowRecord[];
  runs: RunRecord[];
  deployments: DeploymentRecord[];
  createdAt: number;
}

export interface JobSpec {
  name: string;
  conclusion?: RunConclusion | null;
  /** Step names; the last one takes the job's conclusion. */
  steps?: string[];
  log?: string;
}

export interface RunSpec {
  /** The workflow's file name (`ci.yml`) or name (`CI`). */
  workflow: string;
  branch?: string;
  sha?: string;
  title?: string;
  commitMessage?: string;
  event?: string;
  actor?: string;
  status?: RunStatus;
  conclusion?: RunConclusion | null;
  jobs?: JobSpec[];
}

export interface FailRunOptions {
  /** Fail this run's latest attempt instead of adding a new run. */
  runId?: number;
  workflow?: string;
  branch?: string;
  sha?: string;
  title?: string;
  commitMessage?: string;
  /** The job that fails (default "build"); other jobs pass. */
  job?: string;
  /** The failing job's log; a generic failing build log by default. */
  log?: string;
  conclusion?: Extract<RunConclusion, "failure" | "timed_out" | "startup_failure" | "cancelled">;
}

export interface DeploymentSpec {
  environment: string;
  ref?: string;
  sha?: string;
  task?: string;
  description?: string;
  /** The first status; none when omitted. */
  state?: DeploymentState;
}

function randomSha(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(20)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A build log in GitHub's format: each line starts with an ISO timestamp. */
export function sampleLog(jobName: string, failing: boolean, at: number): string {
  const stamp = (offset: number) => new Date(at + offset * 1000).toISOString().replace("Z", "0000Z");
  const lines = [
    `##[group]Run actions/checkout@v4`,
    `Syncing repository`,
    `##[endgroup]`,
    `Run npm ci`,
    `added 812 packages in 21s`,
    `Run npm test -- --reporter=dot`,
    ...Array.from({ length: 40 }, (_, index) => `  ✓ suite ${index + 1} passed`),
    ...(failing
      ? [
          `  ✗ checkout.test.ts > applies the discount`,
          `    AssertionError: expected 90 to be 81`,
          `Tests  1 failed | 212 passed`,
          `##[error]Process completed with exit code 1.`,
        ]
      : [`Tests  213 passed`, `Job ${jobName} succeeded`]),
  ];
  return lines.map((line, index) => `${stamp(index)} ${line}`).join("\n") + "\n";
}

export class FakeGitHubState {
  readonly repositories = new Map<string, RepositoryRecord>();
  readonly tokens = new Map<string, FakeToken>();
  readonly #now: () => number;
  #nextId = 1000;

  constructor(now: () => number) {
    this.#now = now;
  }

  now(): number {
    return this.#now();
  }

  #id(): number {
    this.#nextId += 1;
    return this.#nextId;
  }

  addToken(value: string, options: FakeTokenOptions): FakeToken {
    const token: FakeToken = {
      ...options,
      value,
      login: options.login ?? "octo-owner",
      userId: 583231,
      revoked: false,
    };
    this.tokens.set(value, token);
    return token;
  }

  /** The token stops working at once (401 Bad credentials), as when it expires or is deleted. */
  revokeToken(value: string): void {
    const token = this.tokens.get(value);
    if (token) token.revoked = true;
  }

  setPermissions(value: string, permissions: FakeTokenOptions["permissions"]): void {
    const token = this.tokens.get(value);
    if (!token) throw new Error(`No fake token ${value}`);
    token.permissions = permissions;
  }

  addRepository(fullName: string, options: { private?: boolean; defaultBranch?: string; branches?: string[] } = {}) {
    const [owner, name] = fullName.split("/");
    if (!owner || !name) throw new Error(`Repository names are owner/name, not ${fullName}`);
    const defaultBranch = options.defaultBranch ?? "main";
    const repository: RepositoryRecord = {
      id: this.#id(),
      owner,
      name,
      fullName,
      private: options.private ?? true,
      defaultBranch,
      branches: new Set([defaultBranch, ...(options.branches ?? [])]),
      workflows: [],
      runs: [],
      deployments: [],
      createdAt: this.#now(),
    };
    this.repositories.set(fullName.toLowerCase(), repository);
    return repository;
  }

  repository(fullName: string): RepositoryRecord {
    const repository = this.repositories.get(fullName.toLowerCase());
    if (!repository) throw new Error(`No fake repository ${fullName}`);
    return repository;
  }

  addWorkflow(fullName: string, options: { name: string; file: string; dispatchInputs?: string[] }): WorkflowRecord {
    const workflow: WorkflowRecord = {
      id: this.#id(),
      name: options.name,
      path: `.github/workflows/${options.file}`,
      dispatchInputs: options.dispatchInputs,
      createdAt: this.#now(),
    };
    this.repository(fullName).workflows.push(workflow);
    return workflow;
  }

  workflow(repository: RepositoryRecord, nameOrFile: string | number): WorkflowRecord | undefined {
    return repository.workflows.find(
      (workflow) =>
        workflow.id === nameOrFile ||
        String(workflow.id) === String(nameOrFile) ||
        workflow.name === nameOrFile ||
        workflow.path.endsWith(`/${String(nameOrFile)}`),
    );
  }

  #job(spec: JobSpec, status: RunStatus, at: number): JobRecord {
    const conclusion = status === "completed" ? (spec.conclusion ?? "success") : null;
    const stepNames = spec.steps ?? ["Set up job", "Run actions/checkout@v4", "Run npm ci", "Run npm test"];
    return {
      id: this.#id(),
      name: spec.name,
      status,
      conclusion,
      startedAt: at,
      completedAt: status === "completed" ? at + 90_000 : undefined,
      steps: stepNames.map((name, index) => ({
        name,
        number: index + 1,
        status,
        conclusion: status !== "completed" ? null : index === stepNames.length - 1 ? conclusion : "success",
      })),
      log: spec.log ?? sampleLog(spec.name, conclusion === "failure" || conclusion === "timed_out", at),
    };
  }

  addRun(fullName: string, spec: RunSpec): RunRecord {
    const repository = this.repository(fullName);
    const workflow = this.workflow(repository, spec.workflow);
    if (!workflow) throw new Error(`No workflow ${spec.workflow} in ${fullName}`);
    const now = this.#now();
    const status = spec.status ?? "completed";
    const jobSpecs = spec.jobs ?? [{ name: "build", conclusion: spec.conclusion ?? "success" }];
    const jobs = jobSpecs.map((job) => this.#job(job, status, now));
    const conclusion =
      status === "completed"
        ? (spec.conclusion ?? (jobs.some((job) => job.conclusion === "failure") ? "failure" : "success"))
        : null;
    const run: RunRecord = {
      id: this.#id(),
      workflowId: workflow.id,
      runNumber: repository.runs.filter((candidate) => candidate.workflowId === workflow.id).length + 1,
      event: spec.event ?? "push",
      branch: spec.branch ?? repository.defaultBranch,
      sha: spec.sha ?? randomSha(),
      title: spec.title ?? "Update dependencies",
      commitMessage: spec.commitMessage ?? spec.title ?? "Update dependencies",
      actor: spec.actor ?? "octo-owner",
      createdAt: now,
      updatedAt: now,
      attempts: [{ number: 1, status, conclusion, startedAt: now, jobs }],
    };
    repository.branches.add(run.branch);
    repository.runs.push(run);
    return run;
  }

  run(fullName: string, runId: number): RunRecord | undefined {
    return this.repository(fullName).runs.find((run) => run.id === runId);
  }

  /** A run fails: a new one (a push that broke the build), or the latest attempt of `runId`. */
  failRun(fullName: string, options: FailRunOptions = {}): RunRecord {
    const failing = options.job ?? "build";
    const conclusion = options.conclusion ?? "failure";
    if (options.runId === undefined) {
      const repository = this.repository(fullName);
      const workflow = options.workflow ?? repository.workflows[0]?.name;
      if (workflow === undefined) throw new Error(`${fullName} has no workflow to fail`);
      return this.addRun(fullName, {
        workflow,
        ...(options.branch !== undefined ? { branch: options.branch } : {}),
        ...(options.sha !== undefined ? { sha: options.sha } : {}),
        ...(options.title !== undefined ? { title: options.title } : {}),
        ...(options.commitMessage !== undefined ? { commitMessage: options.commitMessage } : {}),
        conclusion,
        jobs: [
          { name: "lint", conclusion: "success" },
          { name: failing, conclusion, ...(options.log !== undefined ? { log: options.log } : {}) },
        ],
      });
    }
    const run = this.run(fullName, options.runId);
    const attempt = run?.attempts.at(-1);
    if (!run || !attempt) throw new Error(`No run ${options.runId} in ${fullName}`);
    const now = this.#now();
    for (const job of attempt.jobs) {
      if (job.status === "completed") continue;
      const fails = job.name === failing;
      Object.assign(job, this.#job({ name: job.name, conclusion: fails ? conclusion : "success" }, "completed", now), {
        id: job.id,
        ...(fails && options.log !== undefined ? { log: options.log } : {}),
      });
    }
    attempt.status = "completed";
    attempt.conclusion = conclusion;
    run.updatedAt = now;
    return run;
  }

  /** Finishes the latest attempt of a run (a re-run that passed, say). */
  completeRun(fullName: string, runId: number, conclusion: RunConclusion = "success"): RunRecord {
    const run = this.run(fullName, runId);
    const attempt = run?.attempts.at(-1);
    if (!run || !attempt) throw new Error(`No run ${runId} in ${fullName}`);
    const now = this.#now();
    for (const job of attempt.jobs) {
      if (job.status === "completed") continue;
      Object.assign(job, this.#job({ name: job.name, conclusion }, "completed", now), { id: job.id });
    }
    attempt.status = "completed";
    attempt.conclusion = conclusion;
    run.updatedAt = now;
    return run;
  }

  /** GitHub's "re-run failed jobs": a new attempt where the failed and cancelled jobs queue again. */
  rerunFailedJobs(repository: RepositoryRecord, run: RunRecord): AttemptRecord {
    const previous = run.attempts.at(-1);
    if (!previous) throw new Error("A run without attempts");
    const now = this.#now();
    const jobs = previous.jobs.map((job) =>
      job.conclusion === "success" || job.conclusion === "skipped"
        ? job
        : this.#job({ name: job.name, steps: job.steps.map((step) => step.name) }, "queued", now),
    );
    const attempt: AttemptRecord = {
      number: previous.number + 1,
      status: "queued",
      conclusion: null,
      startedAt: now,
      jobs,
    };
    run.attempts.push(attempt);
    run.updatedAt = now;
    repository.branches.add(run.branch);
    return attempt;
  }

  /** A `workflow_dispatch` run, queued. */
  dispatch(repository: RepositoryRecord, workflow: WorkflowRecord, ref: string): RunRecord {
    return this.addRun(repository.fullName, {
      workflow: workflow.name,
      branch: ref,
      event: "workflow_dispatch",
      title: workflow.name,
      status: "queued",
      jobs: [{ name: "deploy" }],
    });
  }

  addDeployment(fullName: string, spec: DeploymentSpec): DeploymentRecord {
    const repository = this.repository(fullName);
    const now = this.#now();
    const deployment: DeploymentRecord = {
      id: this.#id(),
      sha: spec.sha ?? randomSha(),
      ref: spec.ref ?? repository.defaultBranch,
      task: spec.task ?? "deploy",
      environment: spec.environment,
      description: spec.description ?? "",
      creator: "octo-owner",
      createdAt: now,
      updatedAt: now,
      statuses: [],
    };
    repository.deployments.push(deployment);
    if (spec.state !== undefined) this.addDeploymentStatus(fullName, deployment.id, spec.state);
    return deployment;
  }

  addDeploymentStatus(fullName: string, deploymentId: number, state: DeploymentState, description = ""): void {
    const deployment = this.repository(fullName).deployments.find((candidate) => candidate.id === deploymentId);
    if (!deployment) throw new Error(`No deployment ${deploymentId} in ${fullName}`);
    const now = this.#now();
    deployment.statuses.push({ id: this.#id(), state, description, createdAt: now });
    deployment.updatedAt = now;
  }

  /** Whether a token reaches a repository at all (fine-grained tokens list their repositories). */
  reaches(token: FakeToken, repository: RepositoryRecord): boolean {
    if (token.repositories === "all") return repository.owner.toLowerCase() === token.login.toLowerCase();
    return token.repositories.some((name) => name.toLowerCase() === repository.fullName.toLowerCase());
  }

  /** Whether a token holds a permission at a level (write includes read; metadata:read comes with access). */
  allows(token: FakeToken, permission: PermissionName, level: PermissionLevel): boolean {
    if (permission === "metadata" && level === "read") return true;
    const held = token.permissions[permission];
    return held === "write" || (held === "read" && level === "read");
  }
}
