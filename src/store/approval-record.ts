import type { ProposedAction, ToolResult } from "../core/agent/action";
import type { SerializedError } from "../core/errors";

/**
 * Where an action stands. There is no separate "approved": the user's approval and the claim to
 * run it are one transaction (pending → executing), so no approved-but-not-started state can be
 * left behind for a reload to guess about.
 */
export type ApprovalStatus = "pending" | "frozen" | "rejected" | "executing" | "executed" | "failed";

/** Who made the decision: the user on a card, an auto-approval rule, or the policy (reads, denials). */
export type DecidedBy = "user" | "rule" | "policy";

/**
 * One action the Gate admitted, keyed by the action's id (its idempotency key). Actions the policy
 * ran at once are kept too, so a repeated proposal is answered from here instead of running again.
 */
export interface ApprovalRecord {
  id: string;
  action: ProposedAction;
  status: ApprovalStatus;
  /** Copied from the action for the indexes. */
  proposedAt: number;
  /** The Gate's one sentence on why it waits, or why it ran without asking. */
  why: string;
  decidedAt?: number;
  decidedBy?: DecidedBy;
  /** The user's words when rejecting. */
  note?: string;
  /** The arguments as the user edited them; when set, these ran instead of `action.arguments`. */
  editedArguments?: Record<string, unknown>;
  startedAt?: number;
  finishedAt?: number;
  result?: ToolResult;
  error?: SerializedError;
}

/** The name of the error an action gets when the tab died while it was running. */
export const INTERRUPTED_ERROR = "InterruptedActionError";

/** What runs (or ran): the user's edit if there is one. */
export function argumentsToRun(record: ApprovalRecord): Readonly<Record<string, unknown>> {
  return record.editedArguments ?? record.action.arguments;
}

/** Started, but the tab closed before the result came back: it may or may not have happened. */
export function isInterrupted(record: ApprovalRecord): boolean {
  return record.status === "failed" && record.error?.name === INTERRUPTED_ERROR;
}
