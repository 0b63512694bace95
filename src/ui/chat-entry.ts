import { html, nothing, type TemplateResult } from "lit";
import { entryKind } from "../app/chat-context";
import type { DecisionAnswer } from "../app/approvals-controller";
import { isUserAuthored } from "../core/agent/provenance";
import type { ObjectSchema } from "../core/agent/json-schema";
import type { MemoryStore } from "../memory/memory-store";
import type { ApprovalRecord } from "../store/approval-record";
import type { ChatMessageRecord } from "../store/schema";
import "./approval-card";
import "./chat-message";
import "./memory-step";

/** What an entry needs from around it to be drawn. */
export interface EntryContext {
  /** The Gate's record of the entry's action, when it has one. */
  record: ApprovalRecord | undefined;
  answer: DecisionAnswer | undefined;
  schema: ObjectSchema | undefined;
  busy: boolean;
  /** Where a memory step's Undo goes. */
  memory: MemoryStore | undefined;
}

interface StoredDecision {
  tool: string;
  reason: string;
  arguments: Record<string, unknown>;
}

function parseDecision(content: string): StoredDecision | undefined {
  try {
    const value: unknown = JSON.parse(content);
    if (typeof value !== "object" || value === null) return undefined;
    const { tool, reason, arguments: args } = value as Record<string, unknown>;
    if (typeof tool !== "string" || typeof args !== "object" || args === null) return undefined;
    return { tool, reason: typeof reason === "string" ? reason : "", arguments: args as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/**
 * One stored chat entry as the user sees it: text as a message, a question from `ask_user` as
 * Tabclaw's question, the user's answer as theirs, and an action as its approval card. Tool output
 * is shown on the card; a note for an action the Gate refused outright (no card) is shown as is.
 */
export function renderEntry(message: ChatMessageRecord, context: EntryContext): TemplateResult | typeof nothing {
  switch (entryKind(message)) {
    case "text":
      return html`<tabclaw-chat-message .message=${message}></tabclaw-chat-message>`;
    case "question": {
      const question = parseDecision(message.content)?.arguments.question;
      return html`<article class="question" aria-label="Tabclaw asked">
        <strong>Tabclaw asks:</strong> ${typeof question === "string" ? question : message.content}
      </article>`;
    }
    case "decision": {
      if (context.record?.action.connector === "memory") {
        return html`<tabclaw-memory-step .record=${context.record} .store=${context.memory}></tabclaw-memory-step>`;
      }
      if (context.record) {
        return html`<tabclaw-approval-card
          data-id=${context.record.id}
          .record=${context.record}
          .schema=${context.schema}
          .answer=${context.answer}
          ?busy=${context.busy}
          heading-level="2"
        ></tabclaw-approval-card>`;
      }
      const decision = parseDecision(message.content);
      return html`<p class="action-note muted">Tabclaw wanted to use ${decision?.tool ?? "a tool"}.</p>`;
    }
    case "summary": {
      const saved = message.savedFacts ?? 0;
      return html`<details class="action-note muted" data-testid="compaction">
        <summary>
          Earlier messages were summarised to fit the
          model${
            saved > 0 ? `; ${String(saved)} ${saved === 1 ? "fact was" : "facts were"} saved to memory first` : ""
          }.
        </summary>
        <p>${message.content}</p>
      </details>`;
    }
    case "result": {
      const provenance = message.provenance;
      if (provenance && isUserAuthored(provenance)) {
        return html`<tabclaw-chat-message .message=${{ ...message, role: "user" as const }}></tabclaw-chat-message>`;
      }
      // The card shows what happened to its action; only a refusal without a card needs words here.
      if (context.record) return nothing;
      return html`<p class="action-note muted" role="status">${message.content}</p>`;
    }
  }
}
