import { REASON_MAX_LENGTH, REPLY_TOOL } from "./decision-schema";
import { codePointLength } from "./json-schema";
import type { ToolRegistry } from "./tool-registry";

export type AgentDecision =
  { kind: "reply" } | { kind: "tool"; tool: string; reason: string; arguments: Readonly<Record<string, unknown>> };

export type DecisionParse = { ok: true; decision: AgentDecision } | { ok: false; problem: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads the model's decision text. Constrained decoding makes a valid decision likely, not
 * certain (a cut-off answer, an engine without grammar support), so every rule is checked again
 * here and a failure is a value, never an exception.
 */
export function parseDecision(text: string, registry: ToolRegistry): DecisionParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: `the decision is not valid JSON (${detail})` };
  }
  if (!isRecord(value)) return { ok: false, problem: "the decision must be a JSON object" };
  const tool = value.tool;
  if (typeof tool !== "string") return { ok: false, problem: 'the decision has no "tool" name' };
  if (tool === REPLY_TOOL) return { ok: true, decision: { kind: "reply" } };
  if (!registry.get(tool)) return { ok: false, problem: `there is no tool named "${tool}"` };
  const reason = value.reason;
  if (typeof reason !== "string" || codePointLength(reason) > REASON_MAX_LENGTH) {
    return { ok: false, problem: `"reason" must be a string of at most ${REASON_MAX_LENGTH} characters` };
  }
  const args = value.arguments;
  const violations = registry.validateArguments(tool, args);
  if (violations.length > 0 || !isRecord(args)) {
    const details = violations.map((violation) => `${violation.path} ${violation.message}`).join("; ");
    return { ok: false, problem: `the arguments of ${tool} are invalid: ${details}` };
  }
  const unexpected = Object.keys(value).filter((key) => !["tool", "reason", "arguments"].includes(key));
  if (unexpected.length > 0) return { ok: false, problem: `unexpected fields: ${unexpected.join(", ")}` };
  return { ok: true, decision: { kind: "tool", tool, reason, arguments: args } };
}
