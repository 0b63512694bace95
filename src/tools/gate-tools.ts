import type { AnyToolDefinition } from "../core/agent/tool";
import { ToolRegistry } from "../core/agent/tool-registry";
import { CHAT_TOOLS } from "./chat-tools";
import { GITHUB_TOOLS } from "./github-tools";
import { GMAIL_TOOLS } from "./gmail-tools";
import { SLACK_TOOLS } from "./slack-tools";

/**
 * Every tool the page's Gate judges: the chat agent's tools plus the tools routines propose
 * (Gmail, Slack, GitHub). The chat agent's own list stays `CHAT_TOOLS`.
 */
export const GATE_TOOLS: readonly AnyToolDefinition[] = [
  ...CHAT_TOOLS,
  ...GMAIL_TOOLS,
  ...SLACK_TOOLS,
  ...GITHUB_TOOLS,
];

export function gateToolRegistry(): ToolRegistry {
  return new ToolRegistry(GATE_TOOLS);
}
