import type { JsonSchema, ObjectSchema } from "./json-schema";
import type { AnyToolDefinition } from "./tool";

/** The pseudo-tool that means "answer the user in text now". */
export const REPLY_TOOL = "reply";
export const REASON_MAX_LENGTH = 200;

export interface ToolDecisionBranch {
  type: "object";
  properties: { tool: { const: string }; reason: JsonSchema; arguments: ObjectSchema };
  required: ["tool", "reason", "arguments"];
}

export interface ReplyDecisionBranch {
  type: "object";
  properties: { tool: { const: typeof REPLY_TOOL } };
  required: ["tool"];
}

export interface DecisionSchema {
  type: "object";
  anyOf: (ToolDecisionBranch | ReplyDecisionBranch)[];
}

/**
 * The schema of one agent decision, for `response_format: {type: "json_object", schema}`.
 * One `anyOf` branch per tool, keyed by a `const` tool name, plus the reply branch. xgrammar
 * (web-llm 0.2.86 bundles web-xgrammar 0.1.27) handles `anyOf` before `type`, emits `const` as a
 * literal, and keeps properties in declared order, so `tool` is decoded first and picks the
 * branch, then a one-line `reason`, then the arguments. Strict mode (web-llm's default) forbids
 * undeclared properties even where a schema does not say so.
 */
export function buildDecisionSchema(tools: readonly AnyToolDefinition[]): DecisionSchema {
  const toolBranches = tools.map((tool): ToolDecisionBranch => ({
    type: "object",
    properties: {
      tool: { const: tool.name },
      // Bounded, so xgrammar keeps it on one line without quotes: a short, displayable reason.
      reason: { type: "string", maxLength: REASON_MAX_LENGTH },
      arguments: tool.argumentsSchema,
    },
    required: ["tool", "reason", "arguments"],
  }));
  const reply: ReplyDecisionBranch = {
    type: "object",
    properties: { tool: { const: REPLY_TOOL } },
    required: ["tool"],
  };
  return { type: "object", anyOf: [...toolBranches, reply] };
}
