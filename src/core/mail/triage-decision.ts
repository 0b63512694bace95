import type { MailCategory } from "../../store/mail-record";
import { validateJson } from "../agent/json-schema";
import { TRIAGE_SCHEMA } from "./triage-schema";

/** The model's triage of one mail, checked. */
export interface TriageDecision {
  category: MailCategory;
  /** One line, whitespace collapsed. */
  summary: string;
  /** Only for `needs_reply`, and only when the model wrote one. */
  draftReply?: string;
}

export type TriageParse = { ok: true; decision: TriageDecision } | { ok: false; problem: string };

/** How the answer's stream ended, as the engine reports it. */
export type AnswerEnd = "stop" | "length" | "abort" | "tool_calls";

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * The model's answer as a triage, or why it cannot be one. Never guesses: an answer that was cut
 * off, is not JSON, or breaks the schema leaves the mail untriaged, and `problem` says which.
 */
export function parseTriageAnswer(text: string, end: AnswerEnd = "stop"): TriageParse {
  if (end === "abort") return { ok: false, problem: "the model call was stopped before it answered" };
  if (end === "length") return { ok: false, problem: "the answer was cut off before it was complete" };
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return { ok: false, problem: "the answer is not JSON" };
  }
  const violations = validateJson(TRIAGE_SCHEMA, value, "answer");
  if (violations.length > 0)
    return { ok: false, problem: violations.map((violation) => `${violation.path} ${violation.message}`).join("; ") };
  const answer = value as { summary: string; category: MailCategory; draftReply: string };
  const summary = oneLine(answer.summary);
  if (summary === "") return { ok: false, problem: "answer.summary is blank" };
  const draft = answer.draftReply.trim();
  return {
    ok: true,
    decision: {
      category: answer.category,
      summary,
      // A draft answers a mail that needs a reply; filed elsewhere, whatever the model wrote is dropped.
      ...(answer.category === "needs_reply" && draft !== "" ? { draftReply: draft } : {}),
    },
  };
}
