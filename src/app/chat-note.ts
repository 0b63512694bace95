/** One tool step of a chat turn, as the daily note lists it. */
export interface NoteStep {
  tool: string;
  status: string;
}

/** Long enough to recognise the question; the conversation itself keeps every word. */
export const NOTE_QUESTION_MAX_CHARS = 200;

/**
 * The daily note a chat turn leaves: what the user asked (their own words, shortened) and which
 * tools ran with what outcome. Built without a model call, and with no text from anyone but the
 * user, so the note is trusted and dreaming may build on it.
 */
export function chatNoteText(question: string, steps: readonly NoteStep[]): string {
  const oneLine = question.replace(/\s+/g, " ").trim();
  const asked =
    oneLine.length > NOTE_QUESTION_MAX_CHARS ? `${oneLine.slice(0, NOTE_QUESTION_MAX_CHARS - 1)}…` : oneLine;
  const did = steps.map((step) => `${step.tool} (${step.status})`).join(", ");
  return did === "" ? `Asked: "${asked}"` : `Asked: "${asked}"; Tabclaw used ${did}`;
}
