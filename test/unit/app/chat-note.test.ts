import { describe, expect, it } from "vitest";
import { chatNoteText, NOTE_QUESTION_MAX_CHARS } from "../../../src/app/chat-note";

describe("the daily note of a chat turn", () => {
  it("keeps the question on one line and lists the tools with their outcomes", () => {
    expect(chatNoteText("When is\n  Ana's birthday?", [{ tool: "memory_search", status: "executed" }])).toBe(
      `Asked: "When is Ana's birthday?"; Tabclaw used memory_search (executed)`,
    );
    expect(chatNoteText("Hi", [])).toBe('Asked: "Hi"');
  });

  it("shortens a long question with an ellipsis", () => {
    const text = chatNoteText("x".repeat(NOTE_QUESTION_MAX_CHARS + 50), []);
    expect(text).toBe(`Asked: "${"x".repeat(NOTE_QUESTION_MAX_CHARS - 1)}…"`);
  });
});
