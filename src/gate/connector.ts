import type { ProposedAction, ToolResult } from "../core/agent/action";
import { LOCAL_SOURCE } from "../core/agent/gate-policy";
import type { AuditedFetch } from "./audited-fetch";

/**
 * The code that touches one service (Gmail, Slack, GitHub) or the device itself (memory,
 * `ask_user`). Only the Gate calls `execute`, and only for an action it has admitted.
 */
export interface Connector {
  /** The `connector` named by its tools, e.g. "gmail", "memory", "user". */
  readonly name: string;
  /** Whether it can act now (signed in, token present). Synchronous: the Gate asks inside a transaction. */
  connected(): boolean;
  /**
   * Runs one tool call. Every network request must go through `audit`. `action` is the proposal as
   * the agent made it (its taint, say); `args` are what runs (the user's edit, if any).
   */
  execute(
    tool: string,
    args: Readonly<Record<string, unknown>>,
    audit: AuditedFetch,
    action: ProposedAction,
  ): Promise<ToolResult>;
}

export interface ConnectorRegistry {
  get(name: string): Connector | undefined;
}

/** The connector a tool names, or the device itself for a tool that names none. */
export function connectorNameOf(tool: { readonly connector?: string }): string {
  return tool.connector ?? LOCAL_SOURCE;
}

/** A registry over a fixed list. A name nobody registered counts as not connected. */
export function connectorRegistry(connectors: readonly Connector[]): ConnectorRegistry {
  const byName = new Map(connectors.map((connector) => [connector.name, connector]));
  return { get: (name) => byName.get(name) };
}

/** A connector for work on the device (memory, asking the user): always connected. */
export function localConnector(name: string, execute: Connector["execute"]): Connector {
  return { name, connected: () => true, execute };
}
