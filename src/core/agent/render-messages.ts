import type { ChatTurn } from "../../engine/chat-engine";
import type { ContextItem } from "./context-item";
import { untrustedSourceOf } from "./provenance";

const MARKER = /<(\s*\/?\s*untrusted)/gi;

/** Untrusted text cannot close (or fake) its own fence: its `<untrusted` becomes `‹untrusted`. */
export function neutraliseMarkers(text: string): string {
  return text.replace(MARKER, "‹$1");
}

function cleanSource(source: string): string {
  return source.replace(/["<>\r\n]/g, "");
}

function renderItem(item: ContextItem): ChatTurn {
  const provenance = item.provenance;
  switch (provenance.kind) {
    case "user":
      return { role: "user", content: item.content };
    case "model":
      return { role: "assistant", content: item.content };
    case "system":
      return { role: "tool", content: `[Tabclaw] ${item.content}` };
    case "external":
    case "tool": {
      const header = provenance.kind === "tool" ? `[${provenance.tool} result]\n` : "";
      const source = untrustedSourceOf(provenance);
      if (source === undefined) return { role: "tool", content: header + item.content };
      const fenced = `<untrusted source="${cleanSource(source)}">\n${neutraliseMarkers(item.content)}\n</untrusted>`;
      return { role: "tool", content: header + fenced };
    }
  }
}

/**
 * The chat messages for one engine call. web-llm accepts a system message only at index 0 and
 * wants the last message from the user or a tool, so the system prompt goes first and every
 * non-user, non-model item is a `tool` turn. Untrusted text is fenced in `<untrusted>` tags that
 * name its source; the system prompt tells the model never to follow instructions inside them.
 */
export function renderMessages(systemPrompt: string, items: readonly ContextItem[]): ChatTurn[] {
  return [{ role: "system", content: systemPrompt }, ...items.map(renderItem)];
}
