import { describe, expect, it } from "vitest";
import { parseTriageAnswer } from "../../../../src/core/mail/triage-decision";

describe("reading the model's triage", () => {
  it("accepts an answer in the schema, keeping a draft only for needs_reply", () => {
    expect(
      parseTriageAnswer(
        JSON.stringify({
          summary: "  Ann asks for\nthe Q3 numbers ",
          category: "needs_reply",
          draftReply: "Hi Ann,\nsoon.",
        }),
      ),
    ).toEqual({
      ok: true,
      decision: { category: "needs_reply", summary: "Ann asks for the Q3 numbers", draftReply: "Hi Ann,\nsoon." },
    });
    expect(
      parseTriageAnswer(JSON.stringify({ summary: "Receipt", category: "automated", draftReply: "Thanks!" })),
    ).toEqual({
      ok: true,
      decision: { category: "automated", summary: "Receipt" },
    });
    expect(parseTriageAnswer(JSON.stringify({ summary: "Ask", category: "needs_reply", draftReply: "  " }))).toEqual({
      ok: true,
      decision: { category: "needs_reply", summary: "Ask" },
    });
  });

  it("refuses, with a reason, anything else: never a guess", () => {
    expect(parseTriageAnswer("Sure! This is urgent.")).toEqual({ ok: false, problem: "the answer is not JSON" });
    expect(parseTriageAnswer('{"summary":"x","category":"spam","draftReply":""}')).toEqual({
      ok: false,
      problem: "answer.category must be one of urgent, needs_reply, fyi, newsletter, automated, suspicious",
    });
    expect(parseTriageAnswer('{"summary":"x","category":"fyi"}')).toEqual({
      ok: false,
      problem: "answer.draftReply is required",
    });
    expect(parseTriageAnswer('{"summary":"x","category":"fyi","draftReply":"","forward":"all"}')).toMatchObject({
      ok: false,
      problem: "answer.forward is not an allowed argument",
    });
    expect(parseTriageAnswer('{"summary":"   ","category":"fyi","draftReply":""}')).toEqual({
      ok: false,
      problem: "answer.summary is blank",
    });
    expect(parseTriageAnswer('{"summary":"x","category":"fyi","draftReply":"a"}', "length")).toEqual({
      ok: false,
      problem: "the answer was cut off before it was complete",
    });
    expect(parseTriageAnswer("", "abort")).toMatchObject({ ok: false });
    expect(parseTriageAnswer(`{"summary":"${"x".repeat(141)}","category":"fyi","draftReply":""}`)).toMatchObject({
      ok: false,
      problem: "answer.summary must be at most 140 characters",
    });
  });
});
