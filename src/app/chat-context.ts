import type { ContextItem } from "../core/agent/context-item";
import { modelMessage, userMessage } from "../core/agent/context-item";
import type { ApprovalRecord } from "../store/approval-record";
import type { ChatMessageRecord } from "../store/schema";

/** The kind of a stored entry; records from before the agent are text. */
export function entryKind(message: ChatMessageRecord): NonNullable<ChatMessageRecord["kind"]> {
  return message.kind ?? "text";
}

/** What became of an action that was still waiting when its result entry was written. */
function laterOutcome(record: ApprovalRecord): ContextItem | undefined {
  const tool = record.action.tool;
  const note = (content: string): ContextItem => ({
    content,
    provenance: { kind: "tool", tool, trusted: true },
    actionId: record.id,
  });
  switch (record.status) {
    case "executed": {
      const result = record.result;
      if (!result) return note("The user approved this action and it ran.");
      return {
        content: `The user approved this action. It ran: ${result.content}`,
        provenance: {
          kind: "tool",
          tool,
          trusted: result.trusted,
          ...(result.source !== undefined ? { source: result.source } : {}),
        },
        actionId: record.id,
      };
    }
    case "rejected":
      return note(`The user rejected this action. ${record.note ?? ""}`.trim());
    case "failed":
      return note(`The user approved this action but it failed: ${record.error?.message ?? "unknown error"}.`);
    case "pending":
    case "frozen":
    case "executing":
      return undefined;
  }
}

/** The agent's context, and for each item the creation time of the entry it came from. */
export interface ContextWithOrigins {
  items: ContextItem[];
  origins: number[];
}

/**
 * The agent's view of a stored conversation: every entry with the provenance it had, failed
 * answers left out, and actions decided since their run ended brought up to date from the Gate's
 * records, so the model never believes a since-approved action is still waiting. After a
 * compaction, its summary stands for every entry before it.
 */
export function contextWithOrigins(
  messages: readonly ChatMessageRecord[],
  approvals: ReadonlyMap<string, ApprovalRecord>,
): ContextWithOrigins {
  const summary = messages.findLast((message) => entryKind(message) === "summary");
  const from = summary?.compactedBefore ?? -Infinity;
  const items: ContextItem[] = [];
  const origins: number[] = [];
  const push = (item: ContextItem, origin: number): void => {
    items.push(item);
    origins.push(origin);
  };
  if (summary) push({ content: summary.content, provenance: summary.provenance ?? { kind: "system" } }, from);
  for (const message of messages) {
    if (message.createdAt < from || message.error || message.content === "") continue;
    switch (entryKind(message)) {
      case "text":
        push(message.role === "user" ? userMessage(message.content) : modelMessage(message.content), message.createdAt);
        break;
      case "decision":
      case "question":
        push(modelMessage(message.content), message.createdAt);
        break;
      case "result": {
        const provenance = message.provenance ?? { kind: "system" };
        const record = message.actionId !== undefined ? approvals.get(message.actionId) : undefined;
        const waited = message.outcome === "pending" || message.outcome === "frozen";
        const later = record && waited ? laterOutcome(record) : undefined;
        const item = later ?? {
          content: message.content,
          provenance,
          ...(message.actionId ? { actionId: message.actionId } : {}),
        };
        push(item, message.createdAt);
        break;
      }
      case "summary":
        // Only the latest summary counts, and it is already first.
        break;
    }
  }
  return { items, origins };
}

export function contextFromMessages(
  messages: readonly ChatMessageRecord[],
  approvals: ReadonlyMap<string, ApprovalRecord>,
): ContextItem[] {
  return contextWithOrigins(messages, approvals).items;
}
