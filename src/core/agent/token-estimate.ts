import type { ChatTurn } from "../../engine/chat-engine";

/** Rough tokens per character of English and JSON under the small models' BPE tokenizers. */
export const CHARACTERS_PER_TOKEN = 4;
/** Chat-template tokens around each message (role markers, separators). */
export const TOKENS_PER_MESSAGE = 4;

/**
 * A deliberately simple estimate, used before a call (to check the budget) and when an engine
 * reports no usage. The worker has no tokenizer of its own; web-llm's `usage` is the real count.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARACTERS_PER_TOKEN);
}

export function estimatePromptTokens(messages: readonly ChatTurn[]): number {
  return messages.reduce((sum, message) => sum + TOKENS_PER_MESSAGE + estimateTokens(message.content), 0);
}
