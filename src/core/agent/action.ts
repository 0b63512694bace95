import type { SerializedError } from "../errors";
import type { TaintRecord } from "./taint";
import type { ActionPreview, ToolEffect } from "./tool";

/**
 * A tool call the agent wants made. The agent never runs it: it hands it to the Gate (page side),
 * which applies policy, asks the user where needed and runs the connector at most once per `id`.
 * Plain data, so it crosses the worker boundary and can be stored as a pending approval.
 */
export interface ProposedAction {
  /** Idempotency key: the Gate runs an action with a given id at most once. */
  id: string;
  tool: string;
  effect: ToolEffect;
  connector?: string;
  scope?: string;
  arguments: Readonly<Record<string, unknown>>;
  /** The model's one-line reason, shown on the card (written by the model: not evidence). */
  reason: string;
  preview: ActionPreview;
  /** Whether untrusted content was involved, and where each argument came from. */
  taint: TaintRecord;
  /** Milliseconds since the epoch. */
  proposedAt: number;
}

/** What an executed tool returned. The Gate says whether the text is trusted and where it is from. */
export interface ToolResult {
  content: string;
  /** False when the text was written by someone else (a mail body, a log). */
  trusted: boolean;
  /** e.g. "gmail:1890ab"; named on later approval cards when untrusted. */
  source?: string;
  /** What the action made, for the page to act on later, e.g. `revision:<id>` to undo a memory save. */
  ref?: string;
}

export type ActionOutcome =
  | { status: "executed"; result: ToolResult }
  /** Waiting for the user's decision; its result arrives in a later run. */
  | { status: "pending"; message: string }
  | { status: "rejected"; message: string }
  | { status: "denied"; message: string }
  /** The kill switch is on: the run stops. */
  | { status: "frozen"; message: string }
  | { status: "failed"; error: SerializedError };
