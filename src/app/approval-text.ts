import type { ActionOutcome } from "../core/agent/action";
import type { ArgumentSource, TaintRecord } from "../core/agent/taint";
import type { ToolEffect } from "../core/agent/tool";
import type { DecisionAnswer } from "./approvals-controller";
import { isInterrupted, type ApprovalRecord, type ApprovalStatus } from "../store/approval-record";

/** What the action does, in the words the card leads with. */
export const EFFECT_LABELS: Record<ToolEffect, string> = {
  send: "Will send",
  write: "Will change",
  read: "Reads",
};

export const STATUS_LABELS: Record<ApprovalStatus, string> = {
  pending: "Waiting for your decision",
  frozen: "Frozen: Tabclaw is paused",
  executing: "Running now",
  executed: "Done",
  rejected: "Rejected",
  failed: "Failed",
};

/** Shown for an action whose tab closed while it ran. */
export const INTERRUPTED_EXPLANATION =
  "Tabclaw was closed while this ran, so it may or may not have happened. Check the service before retrying.";

/** Where one argument came from, as the card says it: "from you", "copied from gmail:123 (untrusted)", "written by the model". */
export function describeOrigin(source: ArgumentSource): string {
  const untrusted = source.untrustedSources.join(", ");
  switch (source.origin) {
    case "user":
      return untrusted ? `from you (also appears in ${untrusted}, untrusted)` : "from you";
    case "untrusted":
      return `copied from ${untrusted || "an untrusted source"} (untrusted)`;
    case "model":
      return "written by the model";
  }
}

/**
 * Every argument's origin, one per path. `argumentSources` is the full account; argument reasons
 * are folded in too, so a path a reason names is never shown as anything but untrusted.
 */
export function argumentOrigins(taint: TaintRecord): ArgumentSource[] {
  const byPath = new Map<string, ArgumentSource>();
  for (const source of taint.argumentSources) byPath.set(source.path, source);
  for (const reason of taint.reasons) {
    if (reason.kind !== "argument") continue;
    const known = byPath.get(reason.path);
    if (known?.origin === "untrusted") continue;
    byPath.set(reason.path, {
      path: reason.path,
      origin: "untrusted",
      untrustedSources: reason.sources,
      inUserMessages: known?.inUserMessages ?? false,
    });
  }
  return [...byPath.values()];
}

/** One sentence on what happened, for a status line. */
export function describeOutcome(outcome: ActionOutcome): string {
  switch (outcome.status) {
    case "executed":
      return "Done: the action ran.";
    case "pending":
      return outcome.message;
    case "rejected":
      return "Rejected: it will not run.";
    case "denied":
    case "frozen":
      return outcome.message;
    case "failed":
      return `It failed: ${outcome.error.message}`;
  }
}

/** The answer's one sentence: the Gate's refusal, or what the decision led to. */
export function describeAnswer(answer: DecisionAnswer): string {
  if (!answer.ok) return answer.message;
  if (isInterrupted(answer.record)) return INTERRUPTED_EXPLANATION;
  return describeOutcome(answer.outcome);
}

/** Who decided, for a decided card. */
export function describeDecider(record: ApprovalRecord): string | undefined {
  switch (record.decidedBy) {
    case "user":
      return record.editedArguments ? "You approved it after editing." : undefined;
    case "rule":
      return "An auto-approval rule you set ran it without asking.";
    case "policy":
      return "Tabclaw's policy ran it without asking.";
    default:
      return undefined;
  }
}
