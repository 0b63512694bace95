import type { AnyToolDefinition } from "../core/agent/tool";
import { ToolRegistry } from "../core/agent/tool-registry";
import { MEMORY_TOOLS } from "../memory/memory-tools";
import { askUserTool } from "./ask-user-tool";
import { saveFileTool } from "./save-file-tool";

/**
 * The tools the chat agent has today. The worker offers them to the model and the Gate judges
 * proposals against the same declarations, so both sides build their registry from this list.
 */
export const CHAT_TOOLS: readonly AnyToolDefinition[] = [...MEMORY_TOOLS, askUserTool, saveFileTool];

export function chatToolRegistry(): ToolRegistry {
  return new ToolRegistry(CHAT_TOOLS);
}
