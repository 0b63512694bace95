import { describe, expect, it } from "vitest";
import { argumentFields, draftArguments, fieldOfViolation, readDraft } from "../../../src/app/argument-form";
import type { ObjectSchema } from "../../../src/core/agent/json-schema";
import { validateJson } from "../../../src/core/agent/json-schema";
import { searchEmail, sendEmail } from "../agent/product-tools";

const SETTINGS: ObjectSchema = {
  type: "object",
  properties: {
    mode: { type: "string", enum: ["fast", "careful"] },
    level: { type: "integer", enum: [1, 2, 3] },
    urgent: { type: "boolean" },
    labels: { type: "array", items: { type: "object", properties: {}, additionalProperties: false } },
  },
  required: ["mode"],
  additionalProperties: false,
};

describe("the Edit form of an approval card", () => {
  it("picks a control per argument type", () => {
    const args = { to: ["a@example.com"], subject: "Hi", body: "Hello" };
    expect(argumentFields(sendEmail.argumentsSchema, args).map((field) => [field.name, field.kind])).toEqual([
      ["to", "lines"],
      ["cc", "lines"],
      ["subject", "text"],
      ["body", "textarea"],
    ]);
    expect(argumentFields(searchEmail.argumentsSchema, { query: "x" }).map((field) => field.kind)).toEqual([
      "text",
      "number",
    ]);
    expect(argumentFields(SETTINGS, { mode: "fast" }).map((field) => [field.kind, field.options])).toEqual([
      ["select", ["fast", "careful"]],
      ["select", ["1", "2", "3"]],
      ["boolean", []],
      ["json", []],
    ]);
    // A one-line field that holds a newline gets a textarea, so the newline survives editing.
    expect(argumentFields(sendEmail.argumentsSchema, { subject: "a\nb" })[2]?.kind).toBe("textarea");
  });

  it("round-trips the arguments through the draft, leaving empty optional ones out", () => {
    const args = { to: ["a@example.com", "b@example.com"], subject: "Hi", body: "Hello\n\nBye" };
    const fields = argumentFields(sendEmail.argumentsSchema, args);
    const draft = draftArguments(fields, args);
    expect(draft).toEqual({ to: "a@example.com\nb@example.com", cc: "", subject: "Hi", body: "Hello\n\nBye" });
    expect(readDraft(fields, draft)).toEqual({ ok: true, arguments: args });
    const edited = readDraft(fields, { ...draft, to: " c@example.com \n\n", cc: "d@example.com" });
    expect(edited).toEqual({
      ok: true,
      arguments: { ...args, to: ["c@example.com"], cc: ["d@example.com"] },
    });
  });

  it("reads numbers, enums, booleans and JSON, and says what it cannot read", () => {
    const fields = argumentFields(SETTINGS, { mode: "fast" });
    expect(readDraft(fields, { mode: "careful", level: "2", urgent: true, labels: "[{}]" })).toEqual({
      ok: true,
      arguments: { mode: "careful", level: 2, urgent: true, labels: [{}] },
    });
    // An optional checkbox left unticked, absent from the proposal, stays absent.
    expect(readDraft(fields, { mode: "fast", level: "", urgent: false, labels: "" })).toEqual({
      ok: true,
      arguments: { mode: "fast" },
    });
    const search = argumentFields(searchEmail.argumentsSchema, { query: "x" });
    const broken = readDraft(search, { query: "x", max_results: "ten" });
    expect(broken).toEqual({ ok: false, errors: { max_results: "Enter a number." } });
    const json = readDraft(fields, { mode: "fast", labels: "[{" });
    expect(json.ok).toBe(false);
    if (!json.ok) expect(json.errors.labels).toMatch(/^Not valid JSON: /);
  });

  it("maps a schema violation back to its field", () => {
    const [violation] = validateJson(sendEmail.argumentsSchema, { to: [], subject: "s", body: "b" }, "arguments");
    expect(violation && fieldOfViolation(violation)).toBe("to");
    expect(fieldOfViolation({ path: "arguments.to[1]", message: "x" })).toBe("to");
    expect(fieldOfViolation({ path: "arguments", message: "x" })).toBeUndefined();
  });
});
