/**
 * How the scripted engine counts tokens: one word (with its leading whitespace) is one token. Not a
 * tokenizer, only deterministic, so tests can predict counts exactly.
 */

/** Splits text into word tokens; joining them gives the text back. */
export function splitTokens(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

const FILLER = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit"];

/** `count` deterministic filler tokens; the first has no leading space when nothing precedes it. */
export function fillerTokens(count: number, afterText: boolean): string[] {
  return Array.from({ length: count }, (_, i) => {
    const word = FILLER[i % FILLER.length] ?? "lorem";
    return i === 0 && !afterText ? word : ` ${word}`;
  });
}

/** Text of a message's content, whether a string or OpenAI-style content parts. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: unknown) =>
      typeof part === "object" && part !== null && typeof (part as { text?: unknown }).text === "string"
        ? (part as { text: string }).text
        : "",
    )
    .join(" ");
}

export function countPromptTokens(messages: readonly { content?: unknown }[]): number {
  return messages.reduce(
    (sum, message) => sum + splitTokens(contentText(message.content)).filter((t) => t.trim()).length,
    0,
  );
}
