import type { DBSchema } from "idb";
import type { ActionOutcome } from "../core/agent/action";
import type { Provenance } from "../core/agent/provenance";
import type { BudgetLedger } from "../core/agent/token-budget";
import type { CatalogRecord } from "../core/model-catalog";
import type { ChatUsage } from "../engine/chat-engine";
import type { DeploymentRecord } from "./deployment-record";
import type { SlackThreadRecord } from "./slack-thread-record";
import type { ApprovalRecord, ApprovalStatus } from "./approval-record";
import type { AuditRecord } from "./audit-entry";
import type { JobRecord, JobRunRecord } from "./job-record";
import type { MailImportRecord, MailRecord, MailStatus } from "./mail-record";
import type { DailyNoteRecord, FactRecord, MemoryRevisionRecord, UserProfileRecord } from "./memory-record";
import type { UsageRecord } from "./usage-record";

export const DB_NAME = "tabclaw";
/** Bump with a new step in `migrations.ts`; never edit a released step. */
export const DB_VERSION = 6;

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  modelId?: string;
}

/**
 * What a stored chat entry is. `text`: a message from the user or an answer (the default for records
 * from before the agent). `decision`: the model's JSON choice of a tool, shown as the action's card.
 * `result`: what came back for an action (or Tabclaw's note about it), with its provenance.
 * `question`: the agent asked the user something through `ask_user`. `summary`: what stands for the
 * entries before `compactedBefore` once the conversation outgrew the model.
 */
export type ChatEntryKind = "text" | "decision" | "result" | "question" | "summary";

export interface ChatMessageRecord {
  id: string;
  conversationId: string;
  /** `tool` entries are what tools returned and Tabclaw's notes; they reach the model as data. */
  role: "user" | "assistant" | "tool";
  content: string;
  createdAt: number;
  /** Missing on records written before the agent: `text`. */
  kind?: ChatEntryKind;
  /** Where the content came from, as the agent saw it: keeps taint across reloads. */
  provenance?: Provenance;
  /** The action a decision or result belongs to (its approval record's id). */
  actionId?: string;
  /** For a result: the Gate's outcome when it was written (`pending` until the user decides). */
  outcome?: ActionOutcome["status"];
  /** For a summary: the entries created before this time are replaced by it in the agent's context. */
  compactedBefore?: number;
  /** For a summary: how many facts were saved to memory before the entries were compacted. */
  savedFacts?: number;
  /** Set on assistant messages: how the answer ended and what web-llm reported. */
  finishReason?: "stop" | "length" | "abort" | "error";
  usage?: ChatUsage;
  modelId?: string;
  error?: { name: string; message: string };
}

/** A model the user added from a local folder; its files live in web-llm's caches. */
export interface LocalModelRecord extends CatalogRecord {
  addedAt: number;
  folderName: string;
  totalBytes: number;
}

export interface TabclawDB extends DBSchema {
  settings: { key: string; value: unknown };
  conversations: { key: string; value: Conversation; indexes: { byUpdated: number } };
  chatMessages: {
    key: string;
    value: ChatMessageRecord;
    indexes: { byConversation: [string, number] };
  };
  localModels: { key: string; value: LocalModelRecord };
  /** v2: every action the Gate admitted, keyed by the action's id. */
  approvals: {
    key: string;
    value: ApprovalRecord;
    indexes: { byStatus: [ApprovalStatus, number]; byProposed: number };
  };
  /** v2: append-only; the key is a sequence number. */
  audit: { key: number; value: AuditRecord; indexes: { byAction: string } };
  /** v2: one record per model call. */
  usage: { key: number; value: UsageRecord; indexes: { byAt: number; byRoutine: [string, number] } };
  /** v2: the daily token ledger, one record per day (`YYYY-MM-DD` in the user's zone). */
  budgets: { key: string; value: BudgetLedger };
  /** v3: the daily log, one record per entry, read a day at a time. */
  notes: { key: string; value: DailyNoteRecord; indexes: { byDay: [string, number] } };
  /** v3: long-term facts. */
  facts: { key: string; value: FactRecord; indexes: { byUpdated: number } };
  /** v3: the user profile under the key `user` (out of line, so a later profile per person fits). */
  profile: { key: string; value: UserProfileRecord };
  /** v3: every change to facts, with the previous state of each fact it touched, for undo. */
  memoryRevisions: { key: string; value: MemoryRevisionRecord; indexes: { byCreated: number } };
  /** v4: scheduled routines with their schedule, active hours, last and next run. */
  jobs: { key: string; value: JobRecord };
  /** v4: one record per run of a job, read per job or across jobs by start time. */
  jobRuns: { key: string; value: JobRunRecord; indexes: { byJob: [string, number]; byStarted: number } };
  /** v5: mail from imports and Gmail; listed newest first per status or category. */
  mail: {
    key: string;
    value: MailRecord;
    indexes: { byReceived: number; byStatus: [MailStatus, number]; byCategory: [string, number] };
  };
  /** v5: one report per mailbox import, with the messages it could not read completely. */
  mailImports: { key: string; value: MailImportRecord; indexes: { byStarted: number } };
  /**
   * v5: what connectors remember between runs, one record per key: Gmail's history id, GitHub
   * ETags, Slack cursors. Never tokens (those stay in the token vault).
   */
  connectorState: { key: string; value: unknown };
  /** v6: workflow runs and deployments the deployment watch saw, with verdicts, per repository. */
  deployments: { key: string; value: DeploymentRecord; indexes: { byRepository: [string, number] } };
  /** v6: Slack threads as the digest summarised them, newest first. */
  slackThreads: { key: string; value: SlackThreadRecord; indexes: { byUpdated: number } };
}
