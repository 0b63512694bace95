import { describe, expect, it } from "vitest";
import {
  checkSchemaSubset,
  codePointLength,
  validateJson,
  type ObjectSchema,
} from "../../../src/core/agent/json-schema";

const mail: ObjectSchema = {
  type: "object",
  properties: {
    to: { type: "array", items: { type: "string", maxLength: 20 }, minItems: 1, maxItems: 2 },
    subject: { type: "string", minLength: 1, maxLength: 10 },
    priority: { type: "string", enum: ["low", "high"] },
    count: { type: "integer", minimum: 1, maximum: 5 },
    ratio: { type: "number", minimum: 0, maximum: 1 },
    urgent: { type: "boolean" },
    meta: {
      type: "object",
      properties: { tag: { type: "string" } },
      required: ["tag"],
      additionalProperties: false,
    },
  },
  required: ["to", "subject"],
  additionalProperties: false,
};

const paths = (value: unknown): string[] => validateJson(mail, value, "arguments").map((violation) => violation.path);

describe("validating tool arguments against the schema subset", () => {
  it("accepts a valid value with and without optional properties", () => {
    expect(paths({ to: ["a@b.c"], subject: "Hi" })).toEqual([]);
    const full = {
      to: ["a@b.c"],
      subject: "Hi",
      priority: "low",
      count: 5,
      ratio: 0.5,
      urgent: true,
      meta: { tag: "x" },
    };
    expect(paths(full)).toEqual([]);
  });

  it("reports missing required and undeclared properties", () => {
    expect(paths({ subject: "Hi", bcc: ["x@y.z"] })).toEqual(["arguments.to", "arguments.bcc"]);
  });

  it("treats inherited names as undeclared, not as schema lookups", () => {
    expect(paths(JSON.parse('{"to":["a"],"subject":"s","constructor":1,"__proto__":{"x":1}}'))).toEqual([
      "arguments.constructor",
      "arguments.__proto__",
    ]);
  });

  it("checks types, enum, lengths, ranges and item counts", () => {
    const cases: [unknown, string][] = [
      [{ to: "a@b.c", subject: "Hi" }, "arguments.to"],
      [{ to: [], subject: "Hi" }, "arguments.to"],
      [{ to: ["a", "b", "c"], subject: "Hi" }, "arguments.to"],
      [{ to: ["x".repeat(21)], subject: "Hi" }, "arguments.to[0]"],
      [{ to: ["a"], subject: "" }, "arguments.subject"],
      [{ to: ["a"], subject: "x".repeat(11) }, "arguments.subject"],
      [{ to: ["a"], subject: "s", priority: "urgent" }, "arguments.priority"],
      [{ to: ["a"], subject: "s", count: 1.5 }, "arguments.count"],
      [{ to: ["a"], subject: "s", count: 6 }, "arguments.count"],
      [{ to: ["a"], subject: "s", ratio: -0.1 }, "arguments.ratio"],
      [{ to: ["a"], subject: "s", ratio: Number.NaN }, "arguments.ratio"],
      [{ to: ["a"], subject: "s", urgent: "yes" }, "arguments.urgent"],
      [{ to: ["a"], subject: "s", meta: {} }, "arguments.meta.tag"],
      [{ to: ["a"], subject: "s", meta: [] }, "arguments.meta"],
    ];
    for (const [value, path] of cases) expect(paths(value), JSON.stringify(value)).toEqual([path]);
  });

  it("rejects a value that is not an object at all", () => {
    expect(paths(null)).toEqual(["arguments"]);
    expect(paths(["to"])).toEqual(["arguments"]);
  });

  it("counts string length in code points, as JSON Schema does", () => {
    expect(codePointLength("héllo")).toBe(5);
    expect(codePointLength("👍👍")).toBe(2);
    expect(validateJson({ type: "string", maxLength: 2 }, "👍👍")).toEqual([]);
  });
});

describe("keeping tool schemas inside the subset xgrammar and the validator share", () => {
  it("accepts the subset", () => {
    expect(checkSchemaSubset(mail)).toEqual([]);
  });

  it("rejects keywords outside it", () => {
    expect(checkSchemaSubset({ type: "string", pattern: "^a" })).toEqual([
      'schema: keyword "pattern" is not supported for type string',
    ]);
    expect(checkSchemaSubset({ type: "string", format: "email" })).toHaveLength(1);
    expect(checkSchemaSubset({ oneOf: [] })).toEqual(["schema: unsupported type undefined"]);
    expect(checkSchemaSubset({ type: "null" })).toEqual(['schema: unsupported type "null"']);
  });

  it("requires closed objects whose required names are declared", () => {
    expect(checkSchemaSubset({ type: "object", properties: {} })).toEqual([
      "schema.additionalProperties: must be false",
    ]);
    expect(checkSchemaSubset({ type: "object", properties: {}, required: ["x"], additionalProperties: false })).toEqual(
      ["schema.required: must list declared properties only"],
    );
  });

  it("checks nested schemas and keyword values", () => {
    expect(checkSchemaSubset({ type: "array", items: { type: "string", maxLength: -1 } })).toEqual([
      "schema.items.maxLength: must be a whole number ≥ 0",
    ]);
    expect(checkSchemaSubset({ type: "string", enum: [] })).toEqual([
      "schema.enum: must be a non-empty list of strings",
    ]);
    expect(checkSchemaSubset({ type: "integer", minimum: "1" })).toEqual(["schema.minimum: must be a number"]);
  });
});
