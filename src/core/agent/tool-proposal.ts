import type { ProposedAction } from "./action";
import type { TaintRecord } from "./taint";
import type { ActionPreview, AnyToolDefinition } from "./tool";

/**
 * A proposal for the Gate built from a tool's own declaration, so that the agent, the routines and
 * the inbox all describe a call the same way: the tool's effect, connector and scope, and the card
 * its preview draws. The caller says who asks (id, reason, time) and how tainted the arguments are.
 */

/** What the caller of `toolProposal` decides; the rest comes from the tool. */
export interface ToolProposalFields {
  /** Idempotency key: the Gate runs an action with a given id at most once. */
  id: string;
  arguments: Readonly<Record<string, unknown>>;
  reason: string;
  taint: TaintRecord;
  proposedAt: number;
}

/** The tool's preview of `args`; a broken preview must not hide the call, so it falls back to the raw arguments. */
export function safePreview(tool: AnyToolDefinition, args: Readonly<Record<string, unknown>>): ActionPreview {
  try {
    return tool.preview(args);
  } catch {
    const fields = Object.entries(args).map(([label, value]) => ({
      label,
      value: typeof value === "string" ? value : JSON.stringify(value),
    }));
    return { title: `${tool.name} (raw arguments: its preview failed)`, fields };
  }
}

export function toolProposal(tool: AnyToolDefinition, fields: ToolProposalFields): ProposedAction {
  return {
    id: fields.id,
    tool: tool.name,
    effect: tool.effect,
    ...(tool.connector !== undefined ? { connector: tool.connector } : {}),
    ...(tool.scope !== undefined ? { scope: tool.scope } : {}),
    arguments: fields.arguments,
    reason: fields.reason,
    preview: safePreview(tool, fields.arguments),
    taint: fields.taint,
    proposedAt: fields.proposedAt,
  };
}
