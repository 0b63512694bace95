import { defineTool } from "../core/agent/tool";

/**
 * The GitHub tools (connector `github`, run by `src/connectors/github/github-connector.ts`). Scopes
 * are fine-grained token permissions. Reads answer with text others wrote (run titles, commit
 * messages, logs), so their results are untrusted. Re-runs and dispatches change the user's own
 * repositories: writes, each on a card showing exactly what will run.
 */

/** `owner/name`, as GitHub spells it: short, so it is bounded (a bounded string cannot hold quotes). */
const repository = { type: "string", minLength: 3, maxLength: 140 } as const;

export const githubPollTool = defineTool({
  name: "github_poll",
  description: "Check watched GitHub repositories for failed or recovered runs and deployments.",
  effect: "read",
  connector: "github",
  scope: "actions:read deployments:read",
  resultTrust: "untrusted",
  argumentsSchema: {
    type: "object",
    properties: { repositories: { type: "array", items: repository, maxItems: 20 } },
    additionalProperties: false,
  },
  preview: (args) => ({
    title: "Check GitHub for failed runs and deployments",
    fields: [
      {
        label: "Repositories",
        value: args.repositories && args.repositories.length > 0 ? args.repositories.join(", ") : "every watched one",
      },
    ],
  }),
});

export const githubJobLogTailTool = defineTool({
  name: "github_job_log_tail",
  description: "Read the last lines of a GitHub Actions job's log.",
  effect: "read",
  connector: "github",
  scope: "actions:read",
  resultTrust: "untrusted",
  argumentsSchema: {
    type: "object",
    properties: {
      repository,
      jobId: { type: "integer", minimum: 1 },
      lines: { type: "integer", minimum: 5, maximum: 200 },
    },
    required: ["repository", "jobId"],
    additionalProperties: false,
  },
  preview: (args) => ({
    title: "Read the end of a job's log",
    destination: args.repository,
    fields: [
      { label: "Job", value: String(args.jobId) },
      { label: "Lines", value: String(args.lines ?? 80) },
    ],
  }),
});

export const githubRerunFailedJobsTool = defineTool({
  name: "github_rerun_failed_jobs",
  description: "Re-run the failed jobs of a GitHub Actions workflow run.",
  effect: "write",
  connector: "github",
  scope: "actions:write",
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: {
      repository,
      runId: { type: "integer", minimum: 1 },
      // Shown on the card; the connector checks them against the run before re-running anything.
      workflow: { type: "string", minLength: 1, maxLength: 200 },
      branch: { type: "string", minLength: 1, maxLength: 250 },
      commit: { type: "string", minLength: 7, maxLength: 40 },
      jobs: { type: "array", items: { type: "string", minLength: 1, maxLength: 200 }, minItems: 1, maxItems: 50 },
    },
    required: ["repository", "runId", "workflow", "branch", "commit", "jobs"],
    additionalProperties: false,
  },
  preview: (args) => ({
    title: `Re-run the failed jobs of ${args.workflow}`,
    destination: args.repository,
    fields: [
      { label: "Repository", value: args.repository },
      { label: "Workflow", value: args.workflow },
      { label: "Run", value: String(args.runId) },
      { label: "Branch", value: args.branch },
      { label: "Commit", value: args.commit.slice(0, 12) },
      { label: "Jobs to re-run", value: args.jobs.join(", ") },
    ],
  }),
});

export const githubDispatchWorkflowTool = defineTool({
  name: "github_dispatch_workflow",
  description: "Start a GitHub Actions workflow with a workflow_dispatch trigger (a rollback, say).",
  effect: "write",
  connector: "github",
  scope: "actions:write",
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: {
      repository,
      /** The workflow's file name (`rollback.yml`) or id. */
      workflow: { type: "string", minLength: 1, maxLength: 200 },
      ref: { type: "string", minLength: 1, maxLength: 250 },
      inputs: {
        type: "array",
        items: {
          type: "object",
          properties: { name: { type: "string", minLength: 1, maxLength: 100 }, value: { type: "string" } },
          required: ["name", "value"],
          additionalProperties: false,
        },
        maxItems: 25,
      },
    },
    required: ["repository", "workflow", "ref"],
    additionalProperties: false,
  },
  preview: (args) => ({
    title: `Start the workflow ${args.workflow}`,
    destination: args.repository,
    fields: [
      { label: "Repository", value: args.repository },
      { label: "Workflow file", value: args.workflow },
      { label: "Ref", value: args.ref },
      ...(args.inputs ?? []).map((input) => ({ label: `Input ${input.name}`, value: input.value })),
    ],
    ...(args.inputs === undefined || args.inputs.length === 0
      ? { body: "No inputs: the workflow's defaults apply." }
      : {}),
  }),
});

export const GITHUB_TOOLS = [
  githubPollTool,
  githubJobLogTailTool,
  githubRerunFailedJobsTool,
  githubDispatchWorkflowTool,
] as const;
