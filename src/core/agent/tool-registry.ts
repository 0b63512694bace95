import { buildDecisionSchema, REPLY_TOOL } from "./decision-schema";
import { checkSchemaSubset, validateJson, type SchemaViolation } from "./json-schema";
import type { AnyToolDefinition } from "./tool";

const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
export const TOOL_NAME_MAX_LENGTH = 40;
export const TOOL_DESCRIPTION_MAX_LENGTH = 100;

/** A tool definition that cannot be offered to the model: a programming error, found at startup. */
export class ToolDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolDefinitionError";
  }
}

function problemsOf(tool: AnyToolDefinition): string[] {
  const problems: string[] = [];
  if (!SNAKE_CASE.test(tool.name) || tool.name.length > TOOL_NAME_MAX_LENGTH) {
    problems.push(`name must be snake_case and at most ${TOOL_NAME_MAX_LENGTH} characters`);
  }
  if (tool.name === REPLY_TOOL) problems.push(`"${REPLY_TOOL}" is reserved for answering the user`);
  const description = tool.description.trim();
  if (description === "" || /[\r\n]/.test(description) || description.length > TOOL_DESCRIPTION_MAX_LENGTH) {
    problems.push(`description must be one line of at most ${TOOL_DESCRIPTION_MAX_LENGTH} characters`);
  }
  problems.push(...checkSchemaSubset(tool.argumentsSchema, "argumentsSchema"));
  if (tool.argumentsSchema.type !== "object") problems.push("argumentsSchema must be an object schema");
  if (tool.undoable === true && tool.effect !== "write") problems.push("only a write can be undoable");
  return problems;
}

/**
 * The tools offered to the model in one run. It checks each definition once, validates call
 * arguments, and builds the decision schema (cached: web-llm reuses its compiled grammar while the
 * schema string stays byte-identical).
 */
export class ToolRegistry {
  readonly #tools = new Map<string, AnyToolDefinition>();
  #decisionSchema: string | undefined;

  constructor(tools: readonly AnyToolDefinition[]) {
    for (const tool of tools) {
      const problems = problemsOf(tool);
      if (this.#tools.has(tool.name)) problems.push("is declared twice");
      if (problems.length > 0) throw new ToolDefinitionError(`Tool "${tool.name}": ${problems.join("; ")}.`);
      this.#tools.set(tool.name, tool);
    }
  }

  get(name: string): AnyToolDefinition | undefined {
    return this.#tools.get(name);
  }

  list(): readonly AnyToolDefinition[] {
    return [...this.#tools.values()];
  }

  /** Every way `args` breaks the tool's schema; empty when the call is valid. */
  validateArguments(name: string, args: unknown): SchemaViolation[] {
    const tool = this.#tools.get(name);
    if (!tool) return [{ path: "tool", message: `unknown tool "${name}"` }];
    return validateJson(tool.argumentsSchema, args, "arguments");
  }

  /** The decision schema as the JSON string web-llm's `response_format.schema` expects. */
  decisionSchema(): string {
    this.#decisionSchema ??= JSON.stringify(buildDecisionSchema(this.list()));
    return this.#decisionSchema;
  }
}
