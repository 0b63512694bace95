import type { DBSchema } from "idb";
import type { BudgetLedger } from "../core/agent/token-budget";
import type { CatalogRecord } from "../core/model-catalog";
import type { ChatUsage } from "../engine/chat-engine";
import type { ApprovalRecord, ApprovalStatus } from "./approval-record";
import type { AuditRecord } from "./audit-entry";
import type { UsageRecord } from "./usage-record";

export const DB_NAME = "tabclaw";
/** Bump with a new step in `migrations.ts`; never edit a released step. */
export const DB_VERSION = 2;

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  modelId?: string;
}

export interface ChatMessageRecord {
  id: string;
  conversationId: string;
  role: "user" | "assistant";
  content: string;
  createdAt: number;
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
}
