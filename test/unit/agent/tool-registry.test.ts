import { describe, expect, it } from "vitest";
import { buildDecisionSchema, REPLY_TOOL } from "../../../src/core/agent/decision-schema";
import type { ObjectSchema } from "../../../src/core/agent/json-schema";
import { parseDecision } from "../../../src/core/agent/parse-decision";
import { defineTool, type AnyToolDefinition } from "../../../src/core/agent/tool";
import { ToolDefinitionError, ToolRegistry } from "../../../src/core/agent/tool-registry";
import { applyLabel, PRODUCT_TOOLS, sendEmail } from "./product-tools";

const noArguments: ObjectSchema = { type: "object", properties: {}, additionalProperties: false };

function tool(overrides: Partial<AnyToolDefinition>): AnyToolDefinition {
  return {
    name: "list_labels",
    description: "List the mailbox labels.",
    effect: "read",
    resultTrust: "trusted",
    argumentsSchema: noArguments,
    preview: () => ({ title: "List labels", fields: [] }),
    ...overrides,
  };
}

describe("declaring tools", () => {
  it("types preview arguments from the schema literal", () => {
    const labelled = defineTool({
      name: "star_email",
      description: "Star an email.",
      effect: "write",
      resultTrust: "trusted",
      argumentsSchema: {
        type: "object",
        properties: { id: { type: "string" }, colour: { type: "string", enum: ["red", "blue"] } },
        required: ["id"],
        additionalProperties: false,
      },
      preview: (args) => {
        const id: string = args.id;
        const colour: "red" | "blue" | undefined = args.colour;
        // @ts-expect-error: not a declared argument
        const undeclared: unknown = args.priority;
        return { title: "Star", fields: [{ label: id, value: colour ?? String(undeclared) }] };
      },
    });
    expect(new ToolRegistry([labelled]).get("star_email")).toBe(labelled);
  });

  it("rejects names that are not snake_case, the reserved reply, and duplicates", () => {
    expect(() => new ToolRegistry([tool({ name: "ListLabels" })])).toThrow(ToolDefinitionError);
    expect(() => new ToolRegistry([tool({ name: "list-labels" })])).toThrow(/snake_case/);
    expect(() => new ToolRegistry([tool({ name: REPLY_TOOL })])).toThrow(/reserved/);
    expect(() => new ToolRegistry([tool({}), tool({})])).toThrow(/declared twice/);
  });

  it("keeps descriptions to one short line", () => {
    expect(() => new ToolRegistry([tool({ description: "" })])).toThrow(/one line/);
    expect(() => new ToolRegistry([tool({ description: "Two\nlines" })])).toThrow(/one line/);
    expect(() => new ToolRegistry([tool({ description: "x".repeat(101) })])).toThrow(/one line/);
  });

  it("rejects argument schemas outside the subset", () => {
    const open = { type: "object", properties: {}, additionalProperties: true } as unknown as ObjectSchema;
    expect(() => new ToolRegistry([tool({ argumentsSchema: open })])).toThrow(/additionalProperties/);
  });

  it("accepts every product tool", () => {
    expect(new ToolRegistry(PRODUCT_TOOLS).list().map((entry) => entry.name)).toHaveLength(PRODUCT_TOOLS.length);
  });

  it("validates call arguments by tool name", () => {
    const registry = new ToolRegistry([sendEmail]);
    expect(registry.validateArguments("send_email", { to: ["a@b.c"], subject: "Hi", body: "Hello" })).toEqual([]);
    expect(registry.validateArguments("send_email", { to: [], subject: "Hi", body: "Hello" })).toHaveLength(1);
    expect(registry.validateArguments("nope", {})).toEqual([{ path: "tool", message: 'unknown tool "nope"' }]);
  });
});

describe("the decision schema for constrained decoding", () => {
  it("has one branch per tool, keyed by a const name, then the reply branch", () => {
    const schema = buildDecisionSchema([sendEmail, applyLabel]);
    expect(schema.type).toBe("object");
    expect(schema.anyOf.map((branch) => branch.properties.tool.const)).toEqual(["send_email", "apply_label", "reply"]);
    expect(schema.anyOf[0]).toEqual({
      type: "object",
      properties: {
        tool: { const: "send_email" },
        reason: { type: "string", maxLength: 200 },
        arguments: sendEmail.argumentsSchema,
      },
      required: ["tool", "reason", "arguments"],
    });
    expect(schema.anyOf[2]).toEqual({ type: "object", properties: { tool: { const: "reply" } }, required: ["tool"] });
  });

  it("orders properties tool, reason, arguments (xgrammar decodes them in declared order)", () => {
    const text = new ToolRegistry([applyLabel]).decisionSchema();
    expect(text.indexOf('"tool"')).toBeLessThan(text.indexOf('"reason"'));
    expect(text.indexOf('"reason"')).toBeLessThan(text.indexOf('"arguments"'));
  });

  it("is one byte-identical string per registry, so web-llm can reuse its compiled grammar", () => {
    const registry = new ToolRegistry(PRODUCT_TOOLS);
    expect(registry.decisionSchema()).toBe(registry.decisionSchema());
    expect(new ToolRegistry(PRODUCT_TOOLS).decisionSchema()).toBe(registry.decisionSchema());
  });

  it("uses only keywords xgrammar 0.1.27 converts", () => {
    const allowed = new Set([
      "type",
      "anyOf",
      "properties",
      "required",
      "const",
      "additionalProperties",
      "items",
      "enum",
      "minLength",
      "maxLength",
      "minItems",
      "maxItems",
      "minimum",
      "maximum",
    ]);
    const seen = new Set<string>();
    const walk = (node: unknown, underProperties: boolean): void => {
      if (Array.isArray(node)) node.forEach((child) => walk(child, false));
      else if (typeof node === "object" && node !== null) {
        for (const [key, child] of Object.entries(node)) {
          if (!underProperties) seen.add(key);
          walk(child, key === "properties" && !underProperties);
        }
      }
    };
    walk(JSON.parse(new ToolRegistry(PRODUCT_TOOLS).decisionSchema()), false);
    expect([...seen].filter((key) => !allowed.has(key))).toEqual([]);
  });
});

describe("parsing the model's decision", () => {
  const registry = new ToolRegistry([sendEmail, applyLabel]);
  const send = { tool: "send_email", reason: "Asked to", arguments: { to: ["a@b.c"], subject: "Hi", body: "Hello" } };

  it("reads a reply and a valid tool call", () => {
    expect(parseDecision('{"tool":"reply"}', registry)).toEqual({ ok: true, decision: { kind: "reply" } });
    expect(parseDecision(` ${JSON.stringify(send)}\n`, registry)).toEqual({
      ok: true,
      decision: { kind: "tool", tool: "send_email", reason: "Asked to", arguments: send.arguments },
    });
  });

  it("returns each problem as a value, never by throwing", () => {
    const problems: [string, RegExp][] = [
      ['{"tool":"send_email","reason":"x","argu', /not valid JSON/],
      ["[]", /must be a JSON object/],
      ['{"name":"reply"}', /no "tool" name/],
      ['{"tool":"wire_money","reason":"x","arguments":{}}', /no tool named "wire_money"/],
      [JSON.stringify({ ...send, reason: "x".repeat(201) }), /"reason" must be a string/],
      [JSON.stringify({ tool: "send_email", arguments: send.arguments }), /"reason" must be a string/],
      [JSON.stringify({ ...send, arguments: { to: ["a@b.c"], subject: "Hi" } }), /arguments\.body is required/],
      [JSON.stringify({ ...send, arguments: "to everyone" }), /arguments of send_email are invalid/],
      [JSON.stringify({ ...send, extra: 1 }), /unexpected fields: extra/],
    ];
    for (const [text, problem] of problems) {
      const parsed = parseDecision(text, registry);
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok) expect(parsed.problem).toMatch(problem);
    }
  });
});
