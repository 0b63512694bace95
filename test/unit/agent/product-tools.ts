import { defineTool, type AnyToolDefinition } from "../../../src/core/agent/tool";
import { memorySaveTool, memorySearchTool } from "../../../src/memory/memory-tools";
import { askUserTool } from "../../../src/tools/ask-user-tool";
import { saveFileTool } from "../../../src/tools/save-file-tool";

/**
 * Realistic tool declarations for the tests: the shipped tools, and the connectors' tools as they
 * are expected to land, with their real effects and scopes. Only the declarations; executors are
 * test doubles.
 */

const GMAIL = "https://www.googleapis.com/auth/gmail.";

/** A repository and one of its workflow runs. */
const WORKFLOW_RUN_ARGUMENTS = {
  type: "object",
  properties: { repository: { type: "string", maxLength: 140 }, run_id: { type: "integer", minimum: 1 } },
  required: ["repository", "run_id"],
  additionalProperties: false,
} as const;

export const readEmail = defineTool({
  name: "read_email",
  description: "Read one email by id.",
  effect: "read",
  connector: "gmail",
  scope: `${GMAIL}readonly`,
  resultTrust: "untrusted",
  argumentsSchema: {
    type: "object",
    properties: { message_id: { type: "string", maxLength: 64 } },
    required: ["message_id"],
    additionalProperties: false,
  },
  preview: (args) => ({ title: "Read an email", fields: [{ label: "Message", value: args.message_id }] }),
});

export const searchEmail = defineTool({
  name: "search_email",
  description: "Search the mailbox; returns ids, senders and subjects.",
  effect: "read",
  connector: "gmail",
  scope: `${GMAIL}readonly`,
  resultTrust: "untrusted",
  argumentsSchema: {
    type: "object",
    properties: {
      query: { type: "string", maxLength: 200 },
      max_results: { type: "integer", minimum: 1, maximum: 20 },
    },
    required: ["query"],
    additionalProperties: false,
  },
  preview: (args) => ({ title: "Search email", fields: [{ label: "Query", value: args.query }] }),
});

export const sendEmail = defineTool({
  name: "send_email",
  description: "Send an email.",
  effect: "send",
  connector: "gmail",
  scope: `${GMAIL}send`,
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: {
      to: { type: "array", items: { type: "string", maxLength: 254 }, minItems: 1, maxItems: 10 },
      cc: { type: "array", items: { type: "string", maxLength: 254 }, maxItems: 10 },
      subject: { type: "string", maxLength: 200 },
      // Unbounded on purpose: a bounded string cannot hold newlines under xgrammar.
      body: { type: "string" },
    },
    required: ["to", "subject", "body"],
    additionalProperties: false,
  },
  preview: (args) => ({
    title: "Send an email",
    fields: [{ label: "Subject", value: args.subject }],
    recipients: [...args.to, ...(args.cc ?? [])],
    body: args.body,
  }),
});

export const createDraft = defineTool({
  name: "create_draft",
  description: "Save an email draft (not sent).",
  effect: "write",
  connector: "gmail",
  scope: `${GMAIL}compose`,
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: {
      to: { type: "array", items: { type: "string", maxLength: 254 }, maxItems: 10 },
      subject: { type: "string", maxLength: 200 },
      body: { type: "string" },
      reply_to_id: { type: "string", maxLength: 64 },
    },
    required: ["to", "subject", "body"],
    additionalProperties: false,
  },
  preview: (args) => ({
    title: "Save a draft",
    fields: [{ label: "Subject", value: args.subject }],
    recipients: [...args.to],
    body: args.body,
  }),
});

export const applyLabel = defineTool({
  name: "apply_label",
  description: "Add a label to an email.",
  effect: "write",
  connector: "gmail",
  scope: `${GMAIL}modify`,
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: { message_id: { type: "string", maxLength: 64 }, label: { type: "string", maxLength: 60 } },
    required: ["message_id", "label"],
    additionalProperties: false,
  },
  preview: (args) => ({
    title: "Label an email",
    fields: [
      { label: "Message", value: args.message_id },
      { label: "Label", value: args.label },
    ],
  }),
});

export const deleteEmail = defineTool({
  name: "delete_email",
  description: "Move an email to the trash.",
  effect: "write",
  connector: "gmail",
  scope: `${GMAIL}modify`,
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: { message_id: { type: "string", maxLength: 64 } },
    required: ["message_id"],
    additionalProperties: false,
  },
  preview: (args) => ({ title: "Move an email to the trash", fields: [{ label: "Message", value: args.message_id }] }),
});

export const readSlackChannel = defineTool({
  name: "read_slack_channel",
  description: "Read recent messages of a Slack channel.",
  effect: "read",
  connector: "slack",
  scope: "channels:history",
  resultTrust: "untrusted",
  argumentsSchema: {
    type: "object",
    properties: {
      channel: { type: "string", maxLength: 80 },
      limit: { type: "integer", minimum: 1, maximum: 50 },
    },
    required: ["channel"],
    additionalProperties: false,
  },
  preview: (args) => ({ title: "Read a Slack channel", fields: [], destination: args.channel }),
});

export const postSlackMessage = defineTool({
  name: "post_slack_message",
  description: "Post a message to a Slack channel.",
  effect: "send",
  connector: "slack",
  scope: "chat:write",
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: { channel: { type: "string", maxLength: 80 }, text: { type: "string" } },
    required: ["channel", "text"],
    additionalProperties: false,
  },
  preview: (args) => ({ title: "Post to Slack", fields: [], destination: args.channel, body: args.text }),
});

export const getWorkflowRunLog = defineTool({
  name: "get_workflow_run_log",
  description: "Read the log of a GitHub Actions run.",
  effect: "read",
  connector: "github",
  scope: "actions:read",
  resultTrust: "untrusted",
  argumentsSchema: WORKFLOW_RUN_ARGUMENTS,
  preview: (args) => ({
    title: "Read a workflow log",
    fields: [{ label: "Run", value: String(args.run_id) }],
    destination: args.repository,
  }),
});

export const rerunWorkflow = defineTool({
  name: "rerun_workflow",
  description: "Re-run a GitHub Actions run.",
  effect: "write",
  connector: "github",
  scope: "actions:write",
  resultTrust: "trusted",
  argumentsSchema: WORKFLOW_RUN_ARGUMENTS,
  preview: (args) => ({
    title: "Re-run a workflow",
    fields: [{ label: "Run", value: String(args.run_id) }],
    destination: args.repository,
  }),
});

export const dispatchWorkflow = defineTool({
  name: "dispatch_workflow",
  description: "Start a GitHub Actions workflow on a branch.",
  effect: "write",
  connector: "github",
  scope: "actions:write",
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: {
      repository: { type: "string", maxLength: 140 },
      workflow: { type: "string", maxLength: 100 },
      ref: { type: "string", maxLength: 100 },
    },
    required: ["repository", "workflow", "ref"],
    additionalProperties: false,
  },
  preview: (args) => ({
    title: "Start a workflow",
    fields: [
      { label: "Workflow", value: args.workflow },
      { label: "Branch", value: args.ref },
    ],
    destination: args.repository,
  }),
});

/** The shipped memory tools, as the product declares them (memory_save is a local, undoable write). */
export const memorySave = memorySaveTool;
export const memorySearch = memorySearchTool;

/** The shipped tools, as the product declares them. */
export const askUser = askUserTool;
export const saveFile = saveFileTool;

/** A `send`: the request itself tells the URL's host whatever the URL carries (a query string can leak data). */
export const fetchUrl = defineTool({
  name: "fetch_url",
  description: "Fetch a web page as text.",
  effect: "send",
  connector: "web",
  resultTrust: "untrusted",
  argumentsSchema: {
    type: "object",
    properties: { url: { type: "string", maxLength: 2000 } },
    required: ["url"],
    additionalProperties: false,
  },
  preview: (args) => ({ title: "Fetch a web page", fields: [], destination: args.url }),
});

export const PRODUCT_TOOLS: readonly AnyToolDefinition[] = [
  readEmail,
  searchEmail,
  sendEmail,
  createDraft,
  applyLabel,
  deleteEmail,
  readSlackChannel,
  postSlackMessage,
  getWorkflowRunLog,
  rerunWorkflow,
  dispatchWorkflow,
  memorySave,
  memorySearch,
  askUser,
  saveFile,
  fetchUrl,
];
